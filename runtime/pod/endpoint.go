package pod

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/wire"
)

// ScopeAdmin is Serverpod's admin scope (Scope.admin).
const ScopeAdmin = "serverpod.admin"

// Endpoint is embedded in every endpoint type. It marks the type as an
// endpoint for `gopod generate` and tells the endpoint its own name.
//
// An endpoint type may also declare, as Serverpod's getters do:
//
//	func (e *ExampleEndpoint) RequireLogin() bool          // callers must be signed in
//	func (e *ExampleEndpoint) RequiredScopes() []string    // and hold every one of these scopes
//	func (e *ExampleEndpoint) SendByteDataAsRaw() bool     // ByteData results go out as raw bytes
//
// and, to take part in Serverpod's endpoint streaming (the /websocket
// connection of client.openStreamingConnection), any of:
//
//	func (e *ExampleEndpoint) StreamOpened(s *pod.Session) error
//	func (e *ExampleEndpoint) HandleStreamMessage(s *pod.Session, message any) error
//	func (e *ExampleEndpoint) StreamClosed(s *pod.Session)
//
// These are not callable methods: `gopod generate` skips them, as
// Serverpod skips streamOpened, streamClosed, handleStreamMessage and
// sendStreamMessage.
type Endpoint struct {
	name       string
	moduleName string
}

// PodEndpoint returns the embedded base; the runtime uses it to name the
// endpoint when the server starts.
func (e *Endpoint) PodEndpoint() *Endpoint { return e }

// EndpointName is the endpoint's name on the wire (serverpod_auth.email for
// a module endpoint).
func (e *Endpoint) EndpointName() string {
	if e.moduleName != "" {
		return e.moduleName + "." + e.name
	}
	return e.name
}

// ModuleName is the name of the module the endpoint belongs to, empty for
// the project's own endpoints.
func (e *Endpoint) ModuleName() string { return e.moduleName }

// SendStreamMessage sends message to the client of s, an endpoint
// streaming session (Session.StreamingConnection), as coming from this
// endpoint; the client's EndpointRef stream receives it. It waits while
// the connection's send buffer is full, until the session ends.
//
// On an endpoint that requires login, the client's key is checked again
// first: a client signed out (or blocked, or without a required scope
// since) is sent nothing, and the error is ErrAuthenticationRevoked.
// Serverpod 2.4 kept sending to a signed-out device until it
// disconnected.
func (e *Endpoint) SendStreamMessage(s *Session, message any) error {
	if s.legacy == nil {
		return ErrNotStreaming
	}
	if conn := s.server.dispatch.Lookup(s.Endpoint); conn != nil && !s.server.legacyAccess(s, conn) {
		return fmt.Errorf("sending a stream message from %s: %w", e.EndpointName(), ErrAuthenticationRevoked)
	}
	if err := s.legacy.Send(s, e.EndpointName(), message); err != nil {
		return fmt.Errorf("sending a stream message from %s: %w", e.EndpointName(), err)
	}
	return nil
}

// loginRequirer and scopeRequirer are the optional access rules of an endpoint.
type loginRequirer interface{ RequireLogin() bool }
type scopeRequirer interface{ RequiredScopes() []string }
type rawSender interface{ SendByteDataAsRaw() bool }
type endpointBase interface{ PodEndpoint() *Endpoint }

// The optional hooks of endpoint streaming.
type (
	streamOpener  interface{ StreamOpened(s *Session) error }
	streamHandler interface {
		HandleStreamMessage(s *Session, message any) error
	}
	streamCloser interface{ StreamClosed(s *Session) }
)

// Param describes a parameter of an endpoint method.
type Param struct {
	Name string
	// Type spells the parameter's type in the model language (List<int>?).
	Type     string
	Nullable bool
}

// StreamParam describes an input stream of a streaming method (a
// Stream<T> parameter in Dart).
type StreamParam struct {
	Name string
	// Type spells the element type in the model language (int, Example).
	Type string
}

// Method is one callable endpoint method, generated code describes it.
//
// An ordinary method has Call: it decodes the arguments, runs the method
// and writes the result with the encoder (which is in protocol mode); it
// answers over HTTP.
//
// A streaming method (one that returns a stream, or takes input streams)
// has Stream instead, and answers only over /v1/websocket, as in
// Serverpod 2.4. Stream decodes the ordinary arguments (an *ArgError
// answers invalidArguments) and returns the Run that runs the method on
// its stream.Call; the session is the call's (its context ends with the
// stream). See package stream for what generated code writes.
type Method struct {
	Name   string
	Params []Param
	Call   func(s *Session, args *Args, e *wire.Encoder) error

	// Inputs lists the input streams, in the method's order.
	Inputs []StreamParam
	// Returns says how a streaming method's result travels.
	Returns Returns
	Stream  func(s *Session, args *Args) (stream.Run, error)
}

// Returns is how a streaming method's result travels.
type Returns int

// The ways a streaming method returns (Serverpod's MethodStreamReturnType).
const (
	// ReturnsStream: a stream of values (Stream<T>), each sent as it is
	// produced.
	ReturnsStream Returns = iota
	// ReturnsValue: one value (Future<T>), sent as the stream's only value.
	ReturnsValue
	// ReturnsVoid: nothing (Future<void>); the stream closes when the
	// method returns.
	ReturnsVoid
)

// IsStreaming reports whether the method answers over /v1/websocket.
func (m *Method) IsStreaming() bool { return m.Stream != nil }

// Connector connects an endpoint instance to its methods.
type Connector struct {
	Name     string
	Endpoint any
	Methods  map[string]*Method

	requireLogin   bool
	requiredScopes []string
	sendRaw        bool
}

// NewConnector builds the connector for endpoint instance ep, whose wire
// name is name within module moduleName (empty for the project). It reads
// the endpoint's access rules once, so calls do not repeat the lookups.
func NewConnector(name, moduleName string, ep any, methods ...*Method) *Connector {
	c := &Connector{Name: name, Endpoint: ep, Methods: make(map[string]*Method, len(methods))}
	for _, m := range methods {
		c.Methods[m.Name] = m
	}
	if b, ok := ep.(endpointBase); ok {
		base := b.PodEndpoint()
		base.name, base.moduleName = name, moduleName
	}
	if r, ok := ep.(loginRequirer); ok {
		c.requireLogin = r.RequireLogin()
	}
	if r, ok := ep.(scopeRequirer); ok {
		c.requiredScopes = slices.Clone(r.RequiredScopes())
	}
	if r, ok := ep.(rawSender); ok {
		c.sendRaw = r.SendByteDataAsRaw()
	}
	return c
}

// SendsByteDataAsRaw reports whether the endpoint's ByteData results are
// sent as the raw bytes rather than JSON (Serverpod's sendByteDataAsRaw).
func (c *Connector) SendsByteDataAsRaw() bool { return c.sendRaw }

// RequiresAuthentication reports whether callers must be signed in.
func (c *Connector) RequiresAuthentication() bool {
	return c.requireLogin || len(c.requiredScopes) > 0
}

// MissingScopes returns the required scopes that info lacks.
func (c *Connector) MissingScopes(info *AuthenticationInfo) []string {
	var missing []string
	for _, s := range c.requiredScopes {
		if !info.HasScope(s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// Dispatch is the set of endpoints a server serves: the project's own and,
// per module name, each module's. Generated code builds it.
type Dispatch struct {
	// ProjectName is the server project's name; migrations record the
	// project's schema version under it.
	ProjectName string
	Connectors  map[string]*Connector
	Modules     map[string]*Dispatch
	// Registry decodes the project's classes (and its modules') by class
	// name: the messages of endpoint streaming and the exceptions clients
	// send on input streams. Generated code sets it to the protocol's
	// Registry(); without it such messages cannot be read.
	Registry *wire.Registry
}

// NewDispatch returns an empty dispatch for the named project or module.
func NewDispatch(name string) *Dispatch {
	return &Dispatch{ProjectName: name, Connectors: map[string]*Connector{}, Modules: map[string]*Dispatch{}}
}

// Add registers connectors.
func (d *Dispatch) Add(cs ...*Connector) {
	for _, c := range cs {
		d.Connectors[c.Name] = c
	}
}

// AddModule registers a module's endpoints under its module name
// (serverpod_auth), so they answer at <module>.<endpoint>.
func (d *Dispatch) AddModule(moduleName string, m *Dispatch) { d.Modules[moduleName] = m }

// Lookup finds the connector for a wire endpoint name: "example", or
// "serverpod_auth.email" for a module's endpoint.
func (d *Dispatch) Lookup(name string) *Connector {
	if mod, ep, ok := strings.Cut(name, "."); ok {
		m := d.Modules[mod]
		if m == nil {
			return nil
		}
		return m.Connectors[ep]
	}
	return d.Connectors[name]
}

// Walk calls fn for every connector, the project's first, in name order
// within each dispatch, with the connector's full wire name.
func (d *Dispatch) Walk(fn func(fullName string, c *Connector)) {
	walk(d, "", fn)
}

func walk(d *Dispatch, prefix string, fn func(string, *Connector)) {
	names := make([]string, 0, len(d.Connectors))
	for n := range d.Connectors {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fn(prefix+n, d.Connectors[n])
	}
	mods := make([]string, 0, len(d.Modules))
	for n := range d.Modules {
		mods = append(mods, n)
	}
	slices.Sort(mods)
	for _, m := range mods {
		walk(d.Modules[m], m+".", fn)
	}
}
