// Package pod is gopod's server runtime: it serves the endpoints that
// `gopod generate` wires up over Serverpod 2.4's HTTP protocol, creates a
// Session for every call, authenticates callers through a pluggable
// handler, and runs the server with Serverpod's command line flags.
//
// A project's cmd/server/main.go is a few lines:
//
//	func main() {
//		os.Exit(pod.Main(os.Args[1:], dispatch.New()))
//	}
//
// Endpoints are plain Go types that embed pod.Endpoint; every exported
// method whose first parameter is a *pod.Session is callable:
//
//	type ExampleEndpoint struct{ pod.Endpoint }
//
//	func (e *ExampleEndpoint) Hello(s *pod.Session, name string) (string, error) {
//		return "Hello " + name, nil
//	}
package pod
