package stream_test

import (
	"bufio"
	"errors"
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

// FuzzMethodFrames sends arbitrary frames to a real server on one
// connection, then a ping: the server must answer it (after whatever it
// sends for the frame), or close the connection on purpose (a client's
// brm, a frame over the limit); never panic or stop answering. The seed
// corpus is every frame the transcripts send.
func FuzzMethodFrames(f *testing.F) {
	files, _ := filepath.Glob("testdata/method/*.txt")
	for _, file := range files {
		fh, err := os.Open(file)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if frame, ok := strings.CutPrefix(sc.Text(), "> "); ok {
				f.Add(frame)
			}
		}
		fh.Close()
	}
	// A method that does not read its input holds the read loop for up to
	// SlowClientTimeout; keep that short so that every input is answered
	// quickly.
	srv := streamtest.Start(f, pod.WithStreamOptions(stream.Options{SlowClientTimeout: 50 * time.Millisecond}))
	var s *socket
	f.Fuzz(func(t *testing.T, frame string) {
		if s == nil {
			ws, resp, err := websocket.DefaultDialer.Dial(srv.WebSocket+"/v1/websocket", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			s = &socket{ws: ws, frames: make(chan string, 1024), end: make(chan error, 1)}
			go s.read()
		}
		s.t = t
		// A write fails once the server has closed the connection; what
		// the server said about it is then read below.
		_ = s.ws.WriteMessage(websocket.TextMessage, []byte(frame))
		_ = s.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
		for {
			got, err := s.next()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				s.ws.Close()
				s = nil // closed on purpose; the next input dials again
				return
			}
			if err != nil {
				t.Fatalf("after %q: %v", frame, err)
			}
			if got == `{"type":"pong"}` {
				return
			}
		}
	})
}
