package pod

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/futurecall"
	"github.com/gopod/gopod/wire"
)

// FutureCallEndpoint is the endpoint name of a future call's session in
// the session log, as in Serverpod (the method is the call's name).
const FutureCallEndpoint = "FutureCall"

// WithFutureCall registers a future call: fn runs, in a session of its
// own, when a call scheduled under name is due. Its argument is the model
// the call was scheduled with, nil when it was scheduled with none.
//
//	pod.WithFutureCall("birthdayReminder", endpoints.SendBirthdayReminder)
//
//	func SendBirthdayReminder(s *pod.Session, r *protocol.Reminder) error
func WithFutureCall[T any](name string, fn func(s *Session, arg *T) error) Option {
	return func(s *Server) {
		s.futureCalls = append(s.futureCalls, futureCallDef{
			name:    name,
			argType: reflect.TypeFor[*T](),
			run: func(sess *Session, data []byte) error {
				if data == nil {
					return fn(sess, nil)
				}
				v, err := wire.Parse(data)
				if err != nil {
					return fmt.Errorf("the argument of future call %s is not JSON: %w", name, err)
				}
				if v == nil {
					return fn(sess, nil)
				}
				arg := new(T)
				if err := wire.DecodeInto(v, arg); err != nil {
					return fmt.Errorf("decoding the argument of future call %s: %w", name, err)
				}
				return fn(sess, arg)
			},
		})
	}
}

// WithFutureCallOptions sets how the server runs future calls (scan
// interval, concurrency); Main takes them from the configuration. Without
// a server id it keeps the one Main set. execute false makes the server
// schedule calls without running any.
func WithFutureCallOptions(o futurecall.Options, execute bool) Option {
	return func(s *Server) {
		o.ServerID = cmp.Or(o.ServerID, s.futureCallOpts.ServerID)
		s.futureCallOpts = o
		s.futureCallsOff = !execute
	}
}

type futureCallDef struct {
	name    string
	argType reflect.Type
	run     func(sess *Session, data []byte) error
}

// ErrNoFutureCalls is returned when scheduling on a server without a
// database.
var ErrNoFutureCalls = errors.New("future calls need a database")

// setUpFutureCalls creates the manager once the options are applied.
func (s *Server) setUpFutureCalls() error {
	if s.db == nil {
		return nil
	}
	if s.futureCallOpts.Log == nil {
		s.futureCallOpts.Log = s.log
	}
	s.futureCallManager = futurecall.New(s.db, s.futureCallOpts)
	s.futureCallTypes = map[string]reflect.Type{}
	for _, def := range s.futureCalls {
		if err := s.futureCallManager.Register(def.name, s.futureCallHandler(def)); err != nil {
			return err
		}
		s.futureCallTypes[def.name] = def.argType
	}
	return nil
}

// futureCallHandler runs a call in a session named FutureCall / name,
// whose log records how it ended.
func (s *Server) futureCallHandler(def futureCallDef) futurecall.Handler {
	return func(ctx context.Context, c futurecall.Call) (err error) {
		sess := s.OpenSession(ctx, SessionOptions{Endpoint: FutureCallEndpoint, Method: c.Name})
		var stack []byte
		defer func() {
			if p := recover(); p != nil {
				err, stack = fmt.Errorf("panic: %v", p), debug.Stack()
			}
			sess.closeLog(err, stack)
		}()
		return def.run(sess, c.Argument)
	}
}

// FutureCalls returns the server's future call manager, nil without a
// database.
func (s *Server) FutureCalls() *futurecall.Manager { return s.futureCallManager }

// FutureCallWithDelay schedules the future call registered as name to run
// after delay, with arg (a model of the call's argument type, or nil).
// identifier, when not empty, lets CancelFutureCall cancel it. Calling it
// with a transaction as c schedules the call only if the transaction
// commits.
func (s *Server) FutureCallWithDelay(c db.Conn, name string, arg any, delay time.Duration, identifier string) error {
	return s.FutureCallAtTime(c, name, arg, time.Now().Add(delay), identifier)
}

// FutureCallAtTime schedules the future call registered as name to run at
// (or soon after) at; see FutureCallWithDelay.
func (s *Server) FutureCallAtTime(c db.Conn, name string, arg any, at time.Time, identifier string) error {
	if s.futureCallManager == nil {
		return ErrNoFutureCalls
	}
	want, ok := s.futureCallTypes[name]
	if !ok {
		return fmt.Errorf("scheduling %q: %w", name, futurecall.ErrUnknownCall)
	}
	var data []byte
	if v := reflect.ValueOf(arg); arg != nil && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		if got := reflect.TypeOf(arg); got != want {
			return fmt.Errorf("scheduling %q: the argument is a %v, the call takes a %v", name, got, want)
		}
		var err error
		if data, err = wire.MarshalModel(arg); err != nil {
			return fmt.Errorf("scheduling %q: encoding the argument: %w", name, err)
		}
	}
	return s.futureCallManager.Schedule(c, name, data, at, identifier)
}

// CancelFutureCall cancels the calls scheduled with identifier that have
// not started yet; none is not an error.
func (s *Server) CancelFutureCall(c db.Conn, identifier string) error {
	if s.futureCallManager == nil {
		return ErrNoFutureCalls
	}
	_, err := s.futureCallManager.Cancel(c, identifier)
	return err
}
