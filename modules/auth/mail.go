package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/pod"
)

// Bounds of the mail queue.
const (
	maxConcurrentMail = 8
	mailTimeout       = 2 * time.Minute
)

// mailer sends emails after the call that asked for them has answered,
// when how long the sending takes must not tell whether an account exists
// (ConcealAccounts). A few are sent at once; a call finding every slot
// taken waits for one, so that a flood of requests cannot pile up
// goroutines.
type mailer struct {
	once  sync.Once
	slots chan struct{}
	wg    sync.WaitGroup
}

// send runs fn in a session of its own: the call's request, the server's
// passwords and database, but not the call's cancellation, and at most
// mailTimeout long. what names the email in the log when fn fails.
func (q *mailer) send(s *pod.Session, what string, fn func(*pod.Session) error) error {
	q.once.Do(func() { q.slots = make(chan struct{}, maxConcurrentMail) })
	select {
	case q.slots <- struct{}{}:
	case <-s.Done():
		return fmt.Errorf("waiting to send %s: %w", what, s.Err())
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s), mailTimeout)
	bg := s.Server().NewSession(ctx)
	bg.Request, bg.Endpoint, bg.Method = s.Request, s.Endpoint, s.Method
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		defer cancel()
		defer func() { <-q.slots }()
		defer func() {
			if p := recover(); p != nil {
				bg.Log.Error("auth module: sending "+what+" panicked", "panic", fmt.Sprint(p))
			}
		}()
		if err := fn(bg); err != nil {
			bg.Log.Error("auth module: sending "+what+" failed", "error", err)
		}
	}()
	return nil
}

// wait returns when every email queued so far has been handed over.
func (q *mailer) wait() { q.wg.Wait() }
