package project

// DevelopmentGCFlags are the compiler flags for the generated server
// packages in a development build: no optimization (-N), no inlining (-l)
// and no debug information (-dwarf=false). Most of a build after a model
// change is the compiler on the generated protocol package, and these
// take about a third off it; the code they make is slower, but generated
// encoding and row plumbing are a small part of what a call costs (a
// model's JSON round trip took 1.05 of the optimized time, README).
const DevelopmentGCFlags = "-N -l -dwarf=false"

// NoAtlasTag is the build tag that leaves the start-up comparison of the
// database's schema with the latest migration out of a server. The
// comparison needs ariga.io/atlas and what it brings (HCL, go-cty), a large
// part of the binary that every build links again, even after an edit to
// one endpoint. gopod run, which builds servers so, makes the
// comparison itself when the server asks (pod.DriftCheckEnv).
const NoAtlasTag = "gopod_noatlas"

// ServerBuildFlags returns the go build flags for the project's server:
// none for an optimized build, otherwise DevelopmentGCFlags on the
// generated protocol and dispatch packages, a binary without DWARF
// (-ldflags=-w) and without the schema comparison (NoAtlasTag), both for
// a quicker link. The project's own packages and gopod's are compiled as
// usual either way.
func (p *Project) ServerBuildFlags(optimized bool) []string {
	if optimized {
		return nil
	}
	return []string{
		"-gcflags=" + p.ImportPath(p.ProtocolDir) + "=" + DevelopmentGCFlags,
		"-gcflags=" + p.ImportPath(p.DispatchDir) + "=" + DevelopmentGCFlags,
		"-ldflags=-w",
		"-tags=" + NoAtlasTag,
	}
}
