// Package stream serves Serverpod 2.4's two WebSocket protocols: method
// streams on /v1/websocket (a method that returns a stream, or takes input
// streams, or both) and endpoint streams on /websocket (the legacy
// openStreamingConnection). It knows the protocols, the connections and
// their limits; package pod plugs its endpoints, sessions and
// authentication in through MethodHost and LegacyHost. Messages are read
// and written with package wire, byte for byte as serverpod 2.4 does.
//
// # The Go shape of a stream
//
// A stream is an iter.Seq2[T, error], in both directions and on both
// sides:
//
//	func (e *ExampleEndpoint) CountTo(s *pod.Session, n int64) iter.Seq2[int64, error] {
//		return func(yield func(int64, error) bool) {
//			for i := int64(1); i <= n; i++ {
//				if !yield(i, nil) {
//					return // the client closed the stream
//				}
//			}
//		}
//	}
//
//	func (e *ExampleEndpoint) Echo(s *pod.Session, input iter.Seq2[string, error]) iter.Seq2[string, error] {
//		return input
//	}
//
// and the Go client calls them as c.Example.CountTo(ctx, 10) and
// c.Example.Echo(ctx, input), ranging over the result. Iterators, rather
// than channels or a stream type of gopod's own:
//
//   - are the standard library's form of "a sequence of values", so a
//     stream composes with slices.Collect, maps, and any code written
//     against iter.Seq2, and a method can return another method's stream
//     or its input unchanged;
//   - carry back-pressure and cancellation without extra API: yield blocks
//     while the connection's send buffer is full and returns false when
//     the client closes the stream, and an input stream simply ends;
//   - carry errors in order with the values: the (zero, err) pair ends a
//     stream, as a Dart stream's error event does, and a wire.Exception
//     reaches the client as its serializable exception;
//   - cannot leak a goroutine or be closed twice, which channels invite,
//     and need no Close or Recv method, which a stream type would.
//
// A method that returns one value or nothing may still take input
// streams: (T, error) and error results are sent as 2.4 sends Future<T>
// and Future<void>. The session's context (pod.Session is a
// context.Context) ends when the client closes the stream or the
// connection, when the method returns, or when the caller's access is
// revoked; context.Cause says which (ErrCancelled, ErrConnectionClosed,
// pod.ErrAuthenticationRevoked).
//
// # Limits
//
// Every connection is bounded (Options): the size of a frame; the frames
// waiting to be written (producers wait, and a client that reads nothing
// for SlowClientTimeout is disconnected with code 1008 and the reason);
// the values waiting on an input stream, and their bytes on all of a
// connection's inputs together; the streams open at once. A frame that
// cannot be read is answered with a brm quoting it (its first KiB) and
// the connection stays usable; values for streams that are not open are
// answered with cmsc error; nothing a client sends makes the server
// panic. Idle connections are pinged every 30 s, as 2.4 does, and dropped
// when they stop answering. An idle connection costs one goroutine and
// about 12 KiB of server memory; each open stream one more goroutine and
// about 5 KiB (see cmd/streamload). Frames waiting on a connection go out
// in one system call.
//
// # What `gopod generate` emits for a streaming method
//
// Discovery: a method is streaming when it returns iter.Seq2[T, error] or
// has a parameter of type iter.Seq2[T, error] (an input stream; T is any
// type a parameter may have, nullable forms included). Its results are
// one of iter.Seq2[T, error] (Dart Stream<T>), (T, error) (Future<T>) and
// error (Future<void>). Other uses of a stream type are generate errors at
// file:line, as 2.4's are: a pointer to a stream (2.4: "Nullable
// parameters of the type Stream are not supported"), iter.Seq or an
// iter.Seq2 whose second type is not error, a stream inside a container
// or of streams, a stream of void. The endpoint streaming hooks
// StreamOpened, HandleStreamMessage and StreamClosed (see pod.Endpoint)
// are not methods.
//
// Server dispatch: a *pod.Method with Stream instead of Call. Ordinary
// parameters go in Params and are decoded in Stream, before the stream
// opens (an *pod.ArgError answers invalidArguments); input streams go in
// Inputs, in declaration order; Returns says the kind. The element type
// of a stream is named once, as a wire.Class (wire.IntClass,
// wire.NullableClass(wire.IntClass), wire.ModelClass[protocol.Note](),
// wire.ModelPtrClass[protocol.Note](), or a wire.Class literal for
// containers: Name "List<int>", Encode wire.EncodeList(...), Decode
// wire.DecodeList(...), and IsNull for a nullable container):
//
//	&pod.Method{
//		Name:    "countTo",
//		Params:  []pod.Param{{Name: "n", Type: "int"}},
//		Returns: pod.ReturnsStream,
//		Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
//			argN, err := pod.Arg(a, "n", wire.DecodeInt)
//			if err != nil {
//				return nil, err
//			}
//			return func(c *stream.Call) error {
//				return stream.SendAll(c, wire.IntClass, ep.CountTo(s, argN))
//			}, nil
//		},
//	},
//	&pod.Method{
//		Name:    "echo",
//		Inputs:  []pod.StreamParam{{Name: "input", Type: "String"}},
//		Returns: pod.ReturnsStream,
//		Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
//			return func(c *stream.Call) error {
//				return stream.SendAll(c, wire.StringClass, ep.Echo(s, stream.Input(c, "input", wire.StringClass)))
//			}, nil
//		},
//	},
//
// A (T, error) result ends with
//
//	result, err := ep.Sum(s, stream.Input(c, "values", wire.IntClass))
//	if err != nil {
//		return err
//	}
//	return stream.Send(c, wire.IntClass, result)
//
// and an error result with return ep.Drain(s, ...). The dispatch sets
// d.Registry = protocol.Registry() so that endpoint-stream messages and
// the exceptions clients send can be decoded. runtime/stream/streamtest
// holds a complete dispatch written this way.
//
// Go client: the same signature with ctx first, built on package
// client's Stream, StreamValue and StreamVoid; args is written as for an
// HTTP call, and each input stream is a client.NewInput:
//
//	func (x *EndpointExample) CountTo(ctx context.Context, n int64) iter.Seq2[int64, error] {
//		return podclient.Stream(ctx, x.caller, "example", "countTo", func(e *wire.Encoder) {
//			e.Key("n")
//			e.Int(n)
//		}, nil, wire.IntClass)
//	}
//
//	func (x *EndpointExample) Echo(ctx context.Context, input iter.Seq2[string, error]) iter.Seq2[string, error] {
//		return podclient.Stream(ctx, x.caller, "example", "echo", nil,
//			[]podclient.Input{podclient.NewInput("input", wire.StringClass, input)}, wire.StringClass)
//	}
//
// (T, error) results use podclient.StreamValue, error results
// podclient.StreamVoid.
//
// Dart client: as 2.4's generator writes it, with Stream<T> for
// iter.Seq2[T, error] (parameters and result), Future<T> for (T, error)
// and Future<void> for error; the call is
// caller.callStreamingServerEndpoint<Stream<T>, T>(endpoint, method,
// {ordinary args}, {'input': input}) (Future<T> / Future<void> in the
// first type argument for the other results). Each stream element type
// whose class name is a container (List<int>, Set<Note>, List<Note>?)
// is registered in the generated Dart protocol's class-name lookups
// (getClassNameForObject, deserializeByClassName), with the spelling
// given to its wire.Class, as 2.4's protocol registers them. Go code
// needs no such lookup: it decodes stream values through the element's
// wire.Class, never by class name.
package stream
