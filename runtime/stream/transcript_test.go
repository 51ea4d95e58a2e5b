package stream_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/runtime/stream/streamtest"
)

var update = flag.Bool("update", false, "rewrite the server's frames in testdata/*/*.txt from what the server sends")

// guard bounds each wait, so that a broken server fails the test instead
// of hanging it; nothing is timed against it.
const guard = 10 * time.Second

// harness is the streamtest project on a real server (pod over net/http
// on loopback).
type harness struct {
	t    *testing.T
	srv  *pod.Server
	base string // ws://127.0.0.1:port
	http string // http://127.0.0.1:port
	keys *streamtest.Keys
	eps  *streamtest.Endpoints
}

func newHarness(t *testing.T, opts ...pod.Option) *harness {
	t.Helper()
	s := streamtest.Start(t, opts...)
	return &harness{t: t, srv: s.Pod, base: s.WebSocket, http: strings.TrimSuffix(s.URL, "/"), keys: s.Keys, eps: s.Endpoints}
}

// socket is a raw WebSocket client: frames arrive on a channel, so that
// waiting for one never breaks the connection.
type socket struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan string
	end    chan error
}

func (h *harness) dial(path string) *socket {
	h.t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(h.base+path, nil)
	if err != nil {
		h.t.Fatalf("connecting to %s: %v", path, err)
	}
	resp.Body.Close()
	s := &socket{t: h.t, ws: ws, frames: make(chan string, 1024), end: make(chan error, 1)}
	go s.read()
	h.t.Cleanup(func() { ws.Close() })
	return s
}

// read hands the frames to next, until the connection ends.
func (s *socket) read() {
	for {
		_, b, err := s.ws.ReadMessage()
		if err != nil {
			s.end <- err
			return
		}
		s.frames <- string(b)
	}
}

func (s *socket) send(frame string) {
	s.t.Helper()
	if err := s.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		s.t.Fatalf("sending %s: %v", frame, err)
	}
}

// next returns the next frame, or the error the connection ended with.
func (s *socket) next() (string, error) {
	select {
	case f := <-s.frames:
		return f, nil
	case err := <-s.end:
		s.end <- err
		return "", err
	case <-time.After(guard):
		return "", errors.New("no frame arrived")
	}
}

// TestTranscripts replays testdata/method/*.txt on /v1/websocket and
// testdata/legacy/*.txt on /websocket: the frames a serverpod_client 2.4
// sends (">"), and the frames serverpod 2.4 answers with ("<"), byte for
// byte. Other lines:
//
//	connect PATH          open the connection
//	< close CODE [REASON] the server closes the connection so
//	! revoke KEY          the key authenticates no one from now on
//	! say ROOM TEXT       post a note in ROOM once someone listens there
//	! event TEXT          the example endpoint reports TEXT
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.ToSlash(file), ".txt")[len("testdata/"):], func(t *testing.T) {
			t.Parallel()
			replay(t, file)
		})
	}
}

func replay(t *testing.T, file string) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	f.Close()

	h := newHarness(t, pod.WithStreamOptions(stream.Options{MaxFrameSize: 4096}))
	var s *socket
	var out []string
	failed := false
	fail := func(i int, format string, args ...any) {
		t.Helper()
		failed = true
		if *update {
			return
		}
		t.Fatalf("%s:%d: %s", file, i+1, fmt.Sprintf(format, args...))
	}
	for i, line := range lines {
		out = append(out, line)
		if failed {
			continue
		}
		cmd, arg, _ := strings.Cut(line, " ")
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case cmd == "connect":
			s = h.dial(arg)
		case cmd == ">":
			s.send(arg)
		case cmd == "<" && strings.HasPrefix(arg, "close "):
			_, err := s.next()
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				fail(i, "got %v, want the connection closed", err)
				continue
			}
			got := fmt.Sprintf("close %d", ce.Code)
			if ce.Text != "" {
				got += " " + ce.Text
			}
			if got != arg {
				fail(i, "got %s, want %s", got, arg)
				out[len(out)-1] = "< " + got
			}
		case cmd == "<":
			got, err := s.next()
			if err != nil {
				fail(i, "got %v, want %s", err, arg)
				continue
			}
			if got != arg {
				out[len(out)-1] = "< " + got
				fail(i, "got  %s\nwant %s", got, arg)
			}
		case cmd == "!":
			h.act(t, file, i, arg)
		default:
			t.Fatalf("%s:%d: cannot read %q", file, i+1, line)
		}
	}
	if *update && failed {
		if err := os.WriteFile(file, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", file)
	}
}

// act performs a "!" line.
func (h *harness) act(t *testing.T, file string, i int, arg string) {
	verb, rest, _ := strings.Cut(arg, " ")
	switch verb {
	case "revoke":
		h.keys.Revoke(rest)
	case "say":
		room, text, _ := strings.Cut(rest, " ")
		h.say(room, text)
	case "event":
		select {
		case got := <-h.eps.Example.Events:
			if got != rest {
				t.Fatalf("%s:%d: the endpoint reported %q, want %q", file, i+1, got, rest)
			}
		case <-time.After(guard):
			t.Fatalf("%s:%d: the endpoint reported nothing, want %q", file, i+1, rest)
		}
	default:
		t.Fatalf("%s:%d: unknown action %q", file, i+1, verb)
	}
}

// say posts a note in room once a stream listens there.
func (h *harness) say(room, text string) {
	h.t.Helper()
	waitListening(h.t, h.srv, "room:"+room)
	sess := h.srv.NewSession(context.Background())
	if err := sess.PostMessage("room:"+room, &streamtest.Note{Text: text}, true); err != nil {
		h.t.Fatal(err)
	}
}

// waitListening waits until a listener is on channel at srv.
func waitListening(t *testing.T, srv *pod.Server, channel string) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for srv.Messages().Listening(channel) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no one listens on %s", channel)
		}
		time.Sleep(time.Millisecond)
	}
}
