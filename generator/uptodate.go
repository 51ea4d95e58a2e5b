package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/generator/project"
)

// manifest records a run: a hash of everything the generator read, and a
// hash of every file it produced. When neither the inputs nor the outputs
// on disk changed since, a run would write the same bytes (the generator
// is deterministic), so it can stop after checking — which is most runs of
// gopod run.
type manifest struct {
	Inputs   string             `json:"inputs"`
	Outputs  map[string]string  `json:"outputs"`
	Warnings []model.Diagnostic `json:"warnings,omitempty"`
	// Models hashes the inputs of the Go models alone (every input but
	// Go source), and ModelOutputs lists the files they made: when only
	// Go code changed, those files are taken from disk, not rendered.
	Models       string   `json:"models,omitempty"`
	ModelOutputs []string `json:"modelOutputs,omitempty"`
	// ModelKeys holds each model's key (see modelKeys) by model file:
	// after a model change, the models whose key is the same are not
	// rendered again.
	ModelKeys map[string]string `json:"modelKeys,omitempty"`
	// DartKeys are the same for the models' Dart files.
	DartKeys map[string]string `json:"dartKeys,omitempty"`
}

func manifestPath(p *project.Project) string {
	return filepath.Join(p.Dir, ".gopod", "cache", "generate.json")
}

// binaryLine identifies the running gopod binary by path, size and
// modification time, for the hashes that a rebuilt gopod must invalidate;
// it is empty when the binary cannot be found.
func binaryLine() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	info, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("binary %s %d %d\n", exe, info.Size(), info.ModTime().UnixNano())
}

// inputsHash hashes the generator's identity (the running binary) and the
// content of every file that can change its output (see inputFiles).
// modelsHash leaves out the Go sources, which the models' code does not
// depend on.
func inputsHash(p *project.Project) (inputs, modelsHash string, err error) {
	h, mh := sha256.New(), sha256.New()
	both := io.MultiWriter(h, mh)
	fmt.Fprintf(both, "gopod %s\n%s", gopod.Version, binaryLine())
	files, err := inputFiles(p)
	if err != nil {
		return "", "", err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", "", err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(h, "%s %x\n", f, sum)
		if filepath.Ext(f) != ".go" {
			fmt.Fprintf(mh, "%s %x\n", f, sum)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), hex.EncodeToString(mh.Sum(nil)), nil
}

// InputFiles lists, sorted, the files whose content can change what
// Generate writes for the project in dir: the files its up-to-date check
// hashes, among them those of every module the project uses by path, as
// its generator.yaml lists them now. Asking again after generator.yaml
// changed follows modules being added or removed, which is what a watcher
// needs. When the project cannot be loaded, they are the same kinds of
// files under dir, among them the configuration whose fix makes it
// loadable.
func InputFiles(dir string) ([]string, error) {
	p, err := project.Load(dir)
	if err != nil {
		abs, aerr := filepath.Abs(dir)
		if aerr != nil {
			return nil, fmt.Errorf("locating the project: %w", aerr)
		}
		return collectInputs([]string{abs}, nil)
	}
	return inputFiles(p)
}

// inputFiles lists, sorted, every file that can change the generator's
// output for p: the Go module's Go sources outside the generated packages,
// model files, configuration, go.mod and go.sum, and the same files of the
// modules of the user's that the project uses by path (their models,
// configuration and generated Go).
func inputFiles(p *project.Project) ([]string, error) {
	skip := map[string]bool{}
	for _, d := range []string{p.ProtocolDir, p.DispatchDir, p.GoClientDir, p.DartClientDir} {
		if d != "" {
			skip[p.Path(d)] = true
		}
	}
	roots := []string{p.GoModuleDir}
	for _, m := range p.Modules {
		if m.Path != "" {
			roots = append(roots, moduleDir(p, m))
		}
	}
	return collectInputs(roots, skip)
}

// collectInputs lists, sorted and once each, the generator's kinds of
// input files under roots, leaving out hidden directories, node_modules
// and the directories in skip. A root that does not exist is left out: a
// missing module is reported when modules are resolved.
func collectInputs(roots []string, skip map[string]bool) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	for _, root := range roots {
		if _, err := os.Stat(root); err != nil {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || skip[path]) {
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(path) {
			case ".go", ".yaml", ".yml", ".spy", ".mod", ".sum":
				if !seen[path] {
					seen[path] = true
					files = append(files, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the project's inputs: %w", err)
		}
	}
	sort.Strings(files)
	return files, nil
}

// loadManifest reads the last run's manifest, nil when there is none.
func loadManifest(p *project.Project) *manifest {
	data, err := os.ReadFile(manifestPath(p))
	if err != nil {
		return nil
	}
	var m manifest
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return &m
}

// reuseModelFiles returns the Go model files of the last run, read from
// disk, when the models' inputs are the same and every file is as that
// run left it; otherwise nil.
func reuseModelFiles(p *project.Project, m *manifest, modelsHash string) map[string][]byte {
	if m == nil || m.Models != modelsHash || len(m.ModelOutputs) == 0 {
		return nil
	}
	files := make(map[string][]byte, len(m.ModelOutputs))
	for _, rel := range m.ModelOutputs {
		data, sum, ok := sumFile(p.Path(rel))
		if !ok || sum != m.Outputs[rel] {
			return nil
		}
		files[p.Path(rel)] = data
	}
	return files
}

// upToDate reports whether the last run's manifest m matches the inputs
// and the files on disk.
func upToDate(p *project.Project, m *manifest, inputs string) bool {
	if m == nil || m.Inputs != inputs || len(m.Outputs) == 0 {
		return false
	}
	for rel, want := range m.Outputs {
		if _, sum, ok := sumFile(p.Path(rel)); !ok || sum != want {
			return false
		}
	}
	return true
}

// saveManifest records a completed run. Failing to write it only costs
// the next run its shortcut.
func saveManifest(p *project.Project, inputs, modelsHash string, out *output, warnings []model.Diagnostic, modelKeys, dartKeys map[string]string) {
	m := manifest{Inputs: inputs, Outputs: make(map[string]string, len(out.files)), Warnings: warnings, Models: modelsHash, ModelKeys: modelKeys, DartKeys: dartKeys}
	for path := range out.models {
		if rel, err := filepath.Rel(p.Dir, path); err == nil {
			m.ModelOutputs = append(m.ModelOutputs, filepath.ToSlash(rel))
		}
	}
	sort.Strings(m.ModelOutputs)
	for path, data := range out.files {
		rel, err := filepath.Rel(p.Dir, path)
		if err != nil {
			return
		}
		sum := sha256.Sum256(data)
		m.Outputs[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
	}
	data, err := json.Marshal(m)
	if err != nil {
		return
	}
	path := manifestPath(p)
	if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		_ = os.WriteFile(path, data, 0o644)
	}
}
