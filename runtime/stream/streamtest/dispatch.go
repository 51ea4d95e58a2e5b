package streamtest

import (
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/wire"
)

// This file is written as `gopod generate` is to write a dispatch with
// streaming methods (see the package doc of runtime/stream).

// ModuleName is the name of the test module the dispatch serves.
const ModuleName = "testmodule"

// Endpoints are the endpoint instances a dispatch serves, so that tests
// can watch them.
type Endpoints struct {
	Example *ExampleEndpoint
	Secure  *SecureEndpoint
	Admin   *AdminEndpoint
	Relay   *RelayEndpoint
}

// New returns the endpoints the server serves, and their instances.
func New() (*pod.Dispatch, *Endpoints) {
	eps := &Endpoints{
		Example: &ExampleEndpoint{Events: make(chan string, 64)},
		Secure:  &SecureEndpoint{},
		Admin:   &AdminEndpoint{},
		Relay:   &RelayEndpoint{},
	}
	d := pod.NewDispatch("streamtest")
	d.Registry = Registry()
	d.Add(adminConnector(eps.Admin))
	d.Add(exampleConnector(eps.Example))
	d.Add(secureConnector(eps.Secure))
	m := pod.NewDispatch(ModuleName)
	m.Add(relayConnector(eps.Relay))
	d.AddModule(ModuleName, m)
	return d, eps
}

func adminConnector(ep *AdminEndpoint) *pod.Connector {
	return pod.NewConnector(
		"admin",
		"",
		ep,
		&pod.Method{
			Name:    "watch",
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Watch(s))
				}, nil
			},
		},
	)
}

func exampleConnector(ep *ExampleEndpoint) *pod.Connector {
	return pod.NewConnector(
		"example",
		"",
		ep,
		&pod.Method{
			Name: "hello",
			Params: []pod.Param{
				{Name: "name", Type: "String"},
			},
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				argName, err := pod.Arg(a, "name", wire.DecodeString)
				if err != nil {
					return err
				}
				result, err := ep.Hello(s, argName)
				if err != nil {
					return err
				}
				e.String(result)
				return nil
			},
		},
		&pod.Method{
			Name: "countTo",
			Params: []pod.Param{
				{Name: "n", Type: "int"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				argN, err := pod.Arg(a, "n", wire.DecodeInt)
				if err != nil {
					return nil, err
				}
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.CountTo(s, argN))
				}, nil
			},
		},
		&pod.Method{
			Name: "echo",
			Inputs: []pod.StreamParam{
				{Name: "input", Type: "String"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.StringClass, ep.Echo(s, stream.Input(c, "input", wire.StringClass)))
				}, nil
			},
		},
		&pod.Method{
			Name: "sum",
			Inputs: []pod.StreamParam{
				{Name: "values", Type: "int"},
			},
			Returns: pod.ReturnsValue,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					result, err := ep.Sum(s, stream.Input(c, "values", wire.IntClass))
					if err != nil {
						return err
					}
					return stream.Send(c, wire.IntClass, result)
				}, nil
			},
		},
		&pod.Method{
			Name: "drain",
			Inputs: []pod.StreamParam{
				{Name: "values", Type: "int"},
			},
			Returns: pod.ReturnsVoid,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return ep.Drain(s, stream.Input(c, "values", wire.IntClass))
				}, nil
			},
		},
		&pod.Method{
			Name: "hold",
			Inputs: []pod.StreamParam{
				{Name: "values", Type: "int"},
			},
			Returns: pod.ReturnsVoid,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return ep.Hold(s, stream.Input(c, "values", wire.IntClass))
				}, nil
			},
		},
		&pod.Method{
			Name: "first",
			Inputs: []pod.StreamParam{
				{Name: "values", Type: "int"},
			},
			Returns: pod.ReturnsValue,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					result, err := ep.First(s, stream.Input(c, "values", wire.IntClass))
					if err != nil {
						return err
					}
					return stream.Send(c, wire.IntClass, result)
				}, nil
			},
		},
		&pod.Method{
			Name: "merge",
			Inputs: []pod.StreamParam{
				{Name: "a", Type: "int"},
				{Name: "b", Type: "int"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Merge(s, stream.Input(c, "a", wire.IntClass), stream.Input(c, "b", wire.IntClass)))
				}, nil
			},
		},
		&pod.Method{
			Name: "fail",
			Params: []pod.Param{
				{Name: "n", Type: "int"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				argN, err := pod.Arg(a, "n", wire.DecodeInt)
				if err != nil {
					return nil, err
				}
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Fail(s, argN))
				}, nil
			},
		},
		&pod.Method{
			Name:    "crash",
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Crash(s))
				}, nil
			},
		},
		&pod.Method{
			Name:    "panic",
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Panic(s))
				}, nil
			},
		},
		&pod.Method{
			Name:    "forever",
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Forever(s))
				}, nil
			},
		},
		&pod.Method{
			Name:    "whoami",
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Whoami(s))
				}, nil
			},
		},
		&pod.Method{
			Name: "nulls",
			Inputs: []pod.StreamParam{
				{Name: "input", Type: "int?"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.NullableClass(wire.IntClass), ep.Nulls(s, stream.Input(c, "input", wire.NullableClass(wire.IntClass))))
				}, nil
			},
		},
		&pod.Method{
			Name: "notes",
			Params: []pod.Param{
				{Name: "n", Type: "int"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				argN, err := pod.Arg(a, "n", wire.DecodeInt)
				if err != nil {
					return nil, err
				}
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.ModelClass[Note](), ep.Notes(s, argN))
				}, nil
			},
		},
		&pod.Method{
			Name: "listen",
			Params: []pod.Param{
				{Name: "room", Type: "String"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				argRoom, err := pod.Arg(a, "room", wire.DecodeString)
				if err != nil {
					return nil, err
				}
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.ModelPtrClass[Note](), ep.Listen(s, argRoom))
				}, nil
			},
		},
		&pod.Method{
			Name: "say",
			Params: []pod.Param{
				{Name: "room", Type: "String"},
				{Name: "text", Type: "String"},
			},
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				argRoom, err := pod.Arg(a, "room", wire.DecodeString)
				if err != nil {
					return err
				}
				argText, err := pod.Arg(a, "text", wire.DecodeString)
				if err != nil {
					return err
				}
				if err := ep.Say(s, argRoom, argText); err != nil {
					return err
				}
				e.Null()
				return nil
			},
		},
	)
}

func secureConnector(ep *SecureEndpoint) *pod.Connector {
	return pod.NewConnector(
		"secure",
		"",
		ep,
		&pod.Method{
			Name:    "watch",
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, ep.Watch(s))
				}, nil
			},
		},
	)
}

func relayConnector(ep *RelayEndpoint) *pod.Connector {
	return pod.NewConnector(
		"relay",
		ModuleName,
		ep,
		&pod.Method{
			Name: "bracket",
			Inputs: []pod.StreamParam{
				{Name: "input", Type: "String"},
			},
			Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.StringClass, ep.Bracket(s, stream.Input(c, "input", wire.StringClass)))
				}, nil
			},
		},
	)
}
