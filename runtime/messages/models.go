package messages

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/gopod/gopod/wire"
)

// This file is the typed layer that Serverpod's session.messages offers:
// models posted on a channel and received as their Go type. A model
// travels type-tagged ({"className": ..., "data": ...}) with all its
// fields, as 2.4's encodeWithType writes it between servers.

// PostModel posts m on channel (see Post).
func (c *Central) PostModel(ctx context.Context, channel string, m any, global bool) error {
	e := wire.NewEncoder(false)
	wire.EncodeTagged(e, m)
	payload, err := e.Bytes()
	if err != nil {
		return fmt.Errorf("encoding a message for %s: %w", channel, err)
	}
	return c.Post(ctx, channel, payload, global)
}

// ErrWrongClass: a message on the channel is not of the listener's type.
var ErrWrongClass = errors.New("messages: a message of another class")

// modelDecoder returns the reader of posted models of type T, with T's
// class name looked up once for all the messages it reads.
func modelDecoder[T any]() func(payload []byte) (*T, error) {
	want, ok := wire.ClassNameOf((*T)(nil))
	return func(payload []byte) (*T, error) {
		if !ok {
			return nil, fmt.Errorf("messages: %T has no class name", (*T)(nil))
		}
		v, err := wire.Parse(payload)
		if err != nil {
			return nil, fmt.Errorf("messages: reading a message: %w", err)
		}
		o, err := wire.Object(v)
		if err != nil {
			return nil, fmt.Errorf("messages: reading a message: %w", err)
		}
		if name, _ := o["className"].(string); name != want {
			return nil, fmt.Errorf("%w: %s, not %s", ErrWrongClass, name, want)
		}
		x := new(T)
		if err := wire.DecodeInto(o["data"], x); err != nil {
			return nil, fmt.Errorf("messages: reading a %s: %w", want, err)
		}
		return x, nil
	}
}

// ListenModel calls fn with each model posted on channel until ctx ends
// or stop is called. A message that is not a T reaches fn as an error
// (ErrWrongClass). fn runs on the poster's goroutine (or the one receiving
// from Redis), so it must not block.
func ListenModel[T any](ctx context.Context, c *Central, channel string, fn func(m *T, err error)) (stop func()) {
	decode := modelDecoder[T]()
	stop = c.Listen(channel, func(payload []byte) {
		fn(decode(payload))
	})
	unhook := context.AfterFunc(ctx, stop)
	return func() {
		unhook()
		stop()
	}
}

// ErrSlowSubscriber ends a Subscribe stream whose reader fell more than
// its buffer behind.
var ErrSlowSubscriber = errors.New("messages: the subscriber fell behind")

// Subscribe returns the models posted on channel from the moment the
// range over it starts: a message that is not a T yields ErrWrongClass
// and ends the range, as does ctx ending (with its cause). Up to buffer
// messages wait for a slow reader; one more ends the range with
// ErrSlowSubscriber rather than holding memory without bound.
func Subscribe[T any](ctx context.Context, c *Central, channel string, buffer int) iter.Seq2[*T, error] {
	decode := modelDecoder[T]()
	return func(yield func(*T, error) bool) {
		type msg struct {
			m   *T
			err error
		}
		ch := make(chan msg, buffer)
		overflow := make(chan struct{})
		var once sync.Once
		stop := c.Listen(channel, func(payload []byte) {
			m, err := decode(payload)
			select {
			case ch <- msg{m, err}:
			default:
				once.Do(func() { close(overflow) })
			}
		})
		defer stop()
		for {
			select {
			case x := <-ch:
				if !yield(x.m, x.err) || x.err != nil {
					return
				}
			case <-overflow:
				yield(nil, ErrSlowSubscriber)
				return
			case <-ctx.Done():
				yield(nil, context.Cause(ctx))
				return
			}
		}
	}
}
