// Package streamtest is a small project served over WebSockets, for the
// tests of the streaming runtime, the Go client, and the load program:
// endpoints with each stream shape, written as a gopod user writes them;
// their dispatch, written as `gopod generate` is to write it (see the
// package doc of runtime/stream); models written as generated; and an
// authentication handler whose keys a test can revoke.
package streamtest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/gopod/gopod/runtime/pod"
)

// ExampleEndpoint has the scaffold's streaming methods (CountTo, Echo)
// and the other shapes of Serverpod 2.4's method streaming.
type ExampleEndpoint struct {
	pod.Endpoint
	// Events hears what the endpoint's methods and hooks see ("ended
	// forever: <cause>", "opened", "closed"); sends never block.
	Events chan string
}

func (e *ExampleEndpoint) event(format string, args ...any) {
	select {
	case e.Events <- fmt.Sprintf(format, args...):
	default:
	}
}

// Hello is an ordinary method, answered over HTTP only.
func (e *ExampleEndpoint) Hello(s *pod.Session, name string) (string, error) {
	return "Hello " + name, nil
}

// CountTo streams the numbers 1 to n.
func (e *ExampleEndpoint) CountTo(s *pod.Session, n int64) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		for i := int64(1); i <= n; i++ {
			if !yield(i, nil) {
				return
			}
		}
	}
}

// Echo returns each value of input as it arrives.
func (e *ExampleEndpoint) Echo(s *pod.Session, input iter.Seq2[string, error]) iter.Seq2[string, error] {
	return input
}

// Sum returns the sum of the values, once the client closes the stream.
func (e *ExampleEndpoint) Sum(s *pod.Session, values iter.Seq2[int64, error]) (int64, error) {
	var sum int64
	for v, err := range values {
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

// Drain reads the values and returns nothing.
func (e *ExampleEndpoint) Drain(s *pod.Session, values iter.Seq2[int64, error]) error {
	for _, err := range values {
		if err != nil {
			return err
		}
	}
	return nil
}

// Hold never reads its input; it returns when the stream ends.
func (e *ExampleEndpoint) Hold(s *pod.Session, values iter.Seq2[int64, error]) error {
	<-s.Done()
	return nil
}

// First returns the first value and reads no more.
func (e *ExampleEndpoint) First(s *pod.Session, values iter.Seq2[int64, error]) (int64, error) {
	for v, err := range values {
		return v, err
	}
	return 0, &Oops{Reason: "no values"}
}

// Merge streams the values of a and b as they arrive from either.
func (e *ExampleEndpoint) Merge(s *pod.Session, a, b iter.Seq2[int64, error]) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		type value struct {
			v   int64
			err error
		}
		ctx, cancel := context.WithCancel(s)
		defer cancel()
		ch := make(chan value)
		var wg sync.WaitGroup
		for _, in := range []iter.Seq2[int64, error]{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v, err := range in {
					select {
					case ch <- value{v, err}:
					case <-ctx.Done():
						return
					}
					if err != nil {
						return
					}
				}
			}()
		}
		go func() {
			wg.Wait()
			close(ch)
		}()
		for x := range ch {
			if !yield(x.v, x.err) || x.err != nil {
				return
			}
		}
	}
}

// Fail streams 1 to n, then fails with an Oops exception.
func (e *ExampleEndpoint) Fail(s *pod.Session, n int64) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		for i := int64(1); i <= n; i++ {
			if !yield(i, nil) {
				return
			}
		}
		yield(0, &Oops{Reason: fmt.Sprintf("stopped after %d", n)})
	}
}

// Crash streams 1, then fails with an error that is not an exception.
func (e *ExampleEndpoint) Crash(s *pod.Session) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		if yield(1, nil) {
			yield(0, errors.New("the database is down"))
		}
	}
}

// Panic panics after streaming 1.
func (e *ExampleEndpoint) Panic(s *pod.Session) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		if yield(1, nil) {
			panic("kaboom")
		}
	}
}

// Forever streams 1, then waits for the stream to end and reports why on
// Events.
func (e *ExampleEndpoint) Forever(s *pod.Session) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		yield(1, nil)
		<-s.Done()
		e.event("ended forever: %v", context.Cause(s))
	}
}

// Whoami streams the caller's user id (0 when not signed in), then waits
// for the stream to end.
func (e *ExampleEndpoint) Whoami(s *pod.Session) iter.Seq2[int64, error] {
	return watch(s)
}

// Nulls echoes nullable values.
func (e *ExampleEndpoint) Nulls(s *pod.Session, input iter.Seq2[*int64, error]) iter.Seq2[*int64, error] {
	return input
}

// Notes streams n notes.
func (e *ExampleEndpoint) Notes(s *pod.Session, n int64) iter.Seq2[Note, error] {
	return func(yield func(Note, error) bool) {
		for i := int64(1); i <= n; i++ {
			if !yield(Note{Text: fmt.Sprint("note ", i)}, nil) {
				return
			}
		}
	}
}

// Listen streams the notes said in room, on any server.
func (e *ExampleEndpoint) Listen(s *pod.Session, room string) iter.Seq2[*Note, error] {
	return pod.CreateStream[Note](s, "room:"+room)
}

// Say posts a note in room, to the listeners on every server.
func (e *ExampleEndpoint) Say(s *pod.Session, room, text string) error {
	return s.PostMessage("room:"+room, &Note{Text: text}, true)
}

// StreamOpened greets the client of an endpoint streaming connection.
func (e *ExampleEndpoint) StreamOpened(s *pod.Session) error {
	e.event("opened")
	return e.SendStreamMessage(s, &Note{Text: "welcome"})
}

// HandleStreamMessage echoes a note back to its sender.
func (e *ExampleEndpoint) HandleStreamMessage(s *pod.Session, message any) error {
	n, ok := message.(Note)
	if !ok {
		return fmt.Errorf("unexpected message %T", message)
	}
	return e.SendStreamMessage(s, &Note{Text: "echo: " + n.Text})
}

// StreamClosed reports the end of an endpoint streaming connection.
func (e *ExampleEndpoint) StreamClosed(s *pod.Session) { e.event("closed") }

// SecureEndpoint requires a signed-in caller.
type SecureEndpoint struct {
	pod.Endpoint

	mu sync.Mutex
	// open are the endpoint streaming sessions opened to it.
	open map[*pod.Session]bool
}

// StreamOpened keeps the session, for Push.
func (e *SecureEndpoint) StreamOpened(s *pod.Session) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.open == nil {
		e.open = map[*pod.Session]bool{}
	}
	e.open[s] = true
	return nil
}

// StreamClosed forgets the session.
func (e *SecureEndpoint) StreamClosed(s *pod.Session) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.open, s)
}

// Push sends a note to every endpoint streaming connection opened to the
// endpoint, as a server pushes news, and returns what each send returned.
func (e *SecureEndpoint) Push(text string) []error {
	e.mu.Lock()
	open := make([]*pod.Session, 0, len(e.open))
	for s := range e.open {
		open = append(open, s)
	}
	e.mu.Unlock()
	var errs []error
	for _, s := range open {
		errs = append(errs, e.SendStreamMessage(s, &Note{Text: text}))
	}
	return errs
}

// RequireLogin makes callers sign in.
func (e *SecureEndpoint) RequireLogin() bool { return true }

// Watch streams the caller's user id, then waits for the stream to end.
func (e *SecureEndpoint) Watch(s *pod.Session) iter.Seq2[int64, error] {
	return watch(s)
}

// HandleStreamMessage echoes a note, for signed-in callers only.
func (e *SecureEndpoint) HandleStreamMessage(s *pod.Session, message any) error {
	n, _ := message.(Note)
	return e.SendStreamMessage(s, &Note{Text: "secure: " + n.Text})
}

func watch(s *pod.Session) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		id, _ := s.UserID()
		if yield(id, nil) {
			<-s.Done()
		}
	}
}

// AdminEndpoint requires the admin scope.
type AdminEndpoint struct{ pod.Endpoint }

// RequiredScopes asks for the admin scope.
func (e *AdminEndpoint) RequiredScopes() []string { return []string{pod.ScopeAdmin} }

// Watch streams the caller's user id, then waits for the stream to end.
func (e *AdminEndpoint) Watch(s *pod.Session) iter.Seq2[int64, error] {
	return watch(s)
}

// RelayEndpoint is a module's endpoint (testmodule.relay).
type RelayEndpoint struct{ pod.Endpoint }

// Bracket streams each input value in brackets.
func (e *RelayEndpoint) Bracket(s *pod.Session, input iter.Seq2[string, error]) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for v, err := range input {
			if !yield("["+v+"]", err) || err != nil {
				return
			}
		}
	}
}

// HandleStreamMessage answers from the module's endpoint.
func (e *RelayEndpoint) HandleStreamMessage(s *pod.Session, message any) error {
	n, _ := message.(Note)
	return e.SendStreamMessage(s, &Note{Text: "relay: " + n.Text})
}
