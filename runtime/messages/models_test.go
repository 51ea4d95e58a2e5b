package messages

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"iter"
	"log/slog"
	"testing"
	"time"

	"github.com/gopod/gopod/wire"
)

// note and other stand in for generated models.
type note struct{ Text string }

func (*note) ClassName() string { return "Note" }
func (m *note) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("text")
	e.String(m.Text)
	e.ObjectEnd()
}
func (m *note) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	m.Text, err = wire.Field(o, "text", wire.DecodeString)
	return err
}

type other struct{ note }

func (*other) ClassName() string { return "Other" }

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestListenModel(t *testing.T) {
	c := New("a", nil, quiet())
	type got struct {
		m   *note
		err error
	}
	ch := make(chan got, 4)
	ctx, cancel := context.WithCancel(context.Background())
	ListenModel[note](ctx, c, "room", func(m *note, err error) { ch <- got{m, err} })
	if err := c.PostModel(ctx, "room", &note{Text: "hi"}, false); err != nil {
		t.Fatal(err)
	}
	if g := <-ch; g.err != nil || g.m.Text != "hi" {
		t.Fatalf("got %+v", g)
	}
	c.PostModel(ctx, "room", &other{}, false)
	if g := <-ch; !errors.Is(g.err, ErrWrongClass) {
		t.Fatalf("a message of another class: got %+v", g)
	}
	cancel()
	waitFor(t, func() bool { return c.Listening("room") == 0 })
}

func TestSubscribe(t *testing.T) {
	c := New("a", nil, quiet())
	ctx, cancel := context.WithCancelCause(context.Background())
	seq := Subscribe[note](ctx, c, "room", 2)
	if c.Listening("room") != 0 {
		t.Fatal("subscribed before the range started")
	}
	var texts []string
	var end error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range seq {
			if err != nil {
				end = err
				return
			}
			texts = append(texts, m.Text)
			if len(texts) == 2 {
				cancel(errors.New("the stream closed"))
			}
		}
	}()
	waitFor(t, func() bool { return c.Listening("room") == 1 })
	c.PostModel(ctx, "room", &note{Text: "a"}, false)
	c.PostModel(ctx, "room", &note{Text: "b"}, false)
	<-done
	if len(texts) != 2 || texts[0] != "a" || texts[1] != "b" || end == nil || end.Error() != "the stream closed" {
		t.Fatalf("got %v, then %v", texts, end)
	}
	if c.Listening("room") != 0 {
		t.Fatal("still subscribed after the range ended")
	}
}

// TestSubscribeSlowReader: a reader that falls more than its buffer
// behind ends with ErrSlowSubscriber instead of growing the buffer.
func TestSubscribeSlowReader(t *testing.T) {
	c := New("a", nil, quiet())
	next, stop := iter.Pull2(Subscribe[note](context.Background(), c, "room", 2))
	defer stop()
	first := make(chan error, 1)
	go func() { _, err, _ := next(); first <- err }()
	waitFor(t, func() bool { return c.Listening("room") == 1 })
	for i := 0; i < 10; i++ {
		c.PostModel(context.Background(), "room", &note{Text: "x"}, false)
	}
	<-first
	var err error
	for i := 0; i < 5 && err == nil; i++ {
		_, err, _ = next()
	}
	if !errors.Is(err, ErrSlowSubscriber) {
		t.Fatalf("got %v, want ErrSlowSubscriber", err)
	}
}

// TestPrefixes: servers sharing Redis exchange messages only when they
// share the prefix.
func TestPrefixes(t *testing.T) {
	rdb := redisClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	p := "test:" + hex.EncodeToString(suffix) + ":"
	a := New("a", rdb, quiet(), WithPrefix(p+"one:"))
	b := New("b", rdb, quiet(), WithPrefix(p+"one:"))
	other := New("c", rdb, quiet(), WithPrefix(p+"two:"))
	for _, c := range []*Central{a, b, other} {
		go c.Run(ctx)
		<-c.Ready()
	}
	atB, atOther := newCollector(), newCollector()
	b.Listen("room", atB.add)
	other.Listen("room", atOther.add)
	a.Post(ctx, "room", []byte(`"hello"`), true)
	if got := atB.wait(t, 1); got[0] != `"hello"` {
		t.Fatalf("b got %v", got)
	}
	// The message to b went through Redis, as one to other would have.
	select {
	case <-atOther.ch:
		t.Fatalf("a server with another prefix got %v", atOther.got)
	case <-time.After(100 * time.Millisecond):
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(time.Millisecond)
	}
}
