package stream_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/runtime/stream/streamtest"
)

const cid = "11111111-1111-4111-8111-111111111111"

func open(en, m, args, inputs string) string {
	return `{"type":"omsc","data":{"en":"` + en + `","m":"` + m + `","cid":"` + cid + `","args":"` + args + `","is":[` + inputs + `]}}`
}

// waitUntil polls cond until it holds, failing the test after guard.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// expect reads the next frame and compares it.
func (s *socket) expect(want string) {
	s.t.Helper()
	got, err := s.next()
	if err != nil || got != want {
		s.t.Fatalf("got %q, %v; want %s", got, err, want)
	}
}

// TestSlowReader: a client that reads nothing while its stream produces
// is disconnected once the send buffer stays full, and the stream ends;
// the server's memory for it stays bounded by the buffer.
func TestSlowReader(t *testing.T) {
	var log syncBuffer
	h := newHarness(t,
		pod.WithStreamOptions(stream.Options{SendBuffer: 4, SlowClientTimeout: 200 * time.Millisecond}),
		pod.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	ws, resp, err := websocket.DefaultDialer.Dial(h.base+"/v1/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(open("example", "countTo", `{\"n\":1000000000}`, ""))); err != nil {
		t.Fatal(err)
	}
	// The answer shows the connection is up; from here on, nothing is read.
	if _, b, err := ws.ReadMessage(); err != nil || !strings.Contains(string(b), `"success"`) {
		t.Fatalf("%s, %v", b, err)
	}
	waitUntil(t, "the server drops the slow client", func() bool { return h.srv.Streams().Connections() == 0 })
	// The client is not reading, so the close frame with the reason may
	// not reach it; the server's log has it.
	if want := "the client read nothing for 200ms: send buffer full"; !strings.Contains(log.String(), want) {
		t.Fatalf("the log does not say %q:\n%s", want, log.String())
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUnansweredPings: a client that answers no ping is dropped.
func TestUnansweredPings(t *testing.T) {
	h := newHarness(t, pod.WithStreamOptions(stream.Options{PingInterval: 20 * time.Millisecond}))
	ws, resp, err := websocket.DefaultDialer.Dial(h.base+"/v1/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer ws.Close()
	waitUntil(t, "the connection is up", func() bool { return h.srv.Streams().Connections() == 1 })
	// Not reading means not answering pings.
	waitUntil(t, "the server drops the silent client", func() bool { return h.srv.Streams().Connections() == 0 })
}

// TestTooManyStreams: one connection may open MaxStreams streams.
func TestTooManyStreams(t *testing.T) {
	h := newHarness(t, pod.WithStreamOptions(stream.Options{MaxStreams: 2}))
	s := h.dial("/v1/websocket")
	for i, c := range []string{"1", "2", "3"} {
		s.send(strings.Replace(open("example", "forever", "{}", ""), "1111111"+"1-1111", "1111111"+c+"-1111", 1))
		if i < 2 {
			s.next() // omsr
			s.next() // the value
		}
	}
	_, err := s.next()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation || ce.Text != "more than 2 streams open on one connection" {
		t.Fatalf("got %v, want close 1008", err)
	}
}

// TestUnreadInput: values for an input the method does not read wait in
// a bounded buffer; when it stays full, the input is closed with an error
// instead of holding up the connection.
func TestUnreadInput(t *testing.T) {
	h := newHarness(t, pod.WithStreamOptions(stream.Options{InputBuffer: 1, SlowClientTimeout: 50 * time.Millisecond}))
	s := h.dial("/v1/websocket")
	s.send(open("example", "hold", "{}", `"values"`))
	s.expect(`{"type":"omsr","data":{"cid":"` + cid + `","res":"success","en":"example","m":"hold"}}`)
	value := `{"type":"msm","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","o":{"className":"int","data":1}}}`
	for i := 0; i < 3; i++ {
		s.send(value)
	}
	s.expect(`{"type":"cmsc","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","cr":"error"}}`)
	s.send(`{"type":"ping"}`)
	// The third value found the input closed.
	s.expect(`{"type":"cmsc","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","cr":"error"}}`)
	s.expect(`{"type":"pong"}`)
}

// TestContextEnds: a method's context ends with the reason its stream
// ended.
func TestContextEnds(t *testing.T) {
	h := newHarness(t)
	s := h.dial("/v1/websocket")
	s.send(open("example", "forever", "{}", ""))
	s.next()
	s.next()
	s.ws.Close()
	if got := <-h.eps.Example.Events; got != "ended forever: stream: the connection closed" {
		t.Fatalf("got %q", got)
	}
}

// TestShutdown closes every connection with 1001 and ends the streams.
func TestShutdown(t *testing.T) {
	h := newHarness(t)
	s := h.dial("/v1/websocket")
	s.send(open("example", "forever", "{}", ""))
	s.next()
	s.next()
	h.srv.Streams().Shutdown()
	_, err := s.next()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("got %v, want close 1001", err)
	}
	if got := <-h.eps.Example.Events; got != "ended forever: stream: the connection closed" {
		t.Fatalf("got %q", got)
	}
	if _, resp, err := websocket.DefaultDialer.Dial(h.base+"/v1/websocket", nil); err == nil {
		resp.Body.Close()
		t.Fatal("a server that shut down still accepts connections")
	}
}

// TestLegacyClosed: endpoints hear StreamClosed when the connection goes.
func TestLegacyClosed(t *testing.T) {
	h := newHarness(t)
	s := h.dial("/websocket")
	if got := <-h.eps.Example.Events; got != "opened" {
		t.Fatalf("got %q", got)
	}
	s.next() // welcome
	s.ws.Close()
	if got := <-h.eps.Example.Events; got != "closed" {
		t.Fatalf("got %q", got)
	}
}

// TestStreamingMethodOverHTTP: a streaming method answers over the
// WebSocket only, with 2.4's 400 over HTTP.
func TestStreamingMethodOverHTTP(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Post(h.http+"/example", "application/json", strings.NewReader(`{"method":"countTo","n":3}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || string(body) != "Endpoint method countTo in example is not of the expected type.\n" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	// A plain GET of the socket path without an upgrade is refused.
	resp, err = http.Get(h.http + "/v1/websocket")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET without upgrade: %d", resp.StatusCode)
	}
}

// TestInputBytesBounded: the values waiting on a connection's input
// streams are bounded in bytes, not only in number. A client used to be
// able to park InputBuffer values of MaxFrameSize on each of MaxStreams
// streams whose method reads slowly or not at all; every value is held as
// a parsed tree many times its size (a 500 KB list of zeros takes about
// 8 MB), so one connection could make the server hold gigabytes. Once the
// budget is used up the read loop waits as for a full buffer, and then the
// input fails.
func TestInputBytesBounded(t *testing.T) {
	h := newHarness(t, pod.WithStreamOptions(stream.Options{SlowClientTimeout: 50 * time.Millisecond}))
	s := h.dial("/v1/websocket")
	s.send(open("example", "hold", "{}", `"values"`))
	s.expect(`{"type":"omsr","data":{"cid":"` + cid + `","res":"success","en":"example","m":"hold"}}`)
	data := "[" + strings.Repeat("0,", 250_000) + "0]"
	value := `{"type":"msm","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","o":{"className":"int","data":` + data + `}}}`
	// Far fewer values than InputBuffer (64), but 16 MB in all.
	for range 32 {
		s.send(value)
	}
	s.expect(`{"type":"cmsc","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","cr":"error"}}`)
	// The values sent after the input failed are answered with cmsc too.
	s.send(`{"type":"ping"}`)
	for got := ""; got != `{"type":"pong"}`; {
		var err error
		if got, err = s.next(); err != nil {
			t.Fatalf("waiting for the pong: %v", err)
		}
	}
	// The failed input's values are still held while its call runs, so
	// they still count: a second stream gets no fresh budget.
	const cid2 = "22222222-2222-4222-8222-222222222222"
	s.send(strings.ReplaceAll(open("example", "hold", "{}", `"values"`), cid, cid2))
	s.expect(`{"type":"omsr","data":{"cid":"` + cid2 + `","res":"success","en":"example","m":"hold"}}`)
	s.send(strings.ReplaceAll(value, cid, cid2))
	s.expect(`{"type":"cmsc","data":{"en":"example","m":"hold","cid":"` + cid2 + `","p":"values","cr":"error"}}`)
}

// TestBadRequestQuoteBounded: the brm answering a frame that cannot be
// read quotes at most a short prefix of it. It used to quote the whole
// frame, escaped: a frame of control characters grows sixfold, so a
// client that sent such frames and read nothing made the server hold
// SendBuffer answers of six times MaxFrameSize each (about 400 MB at the
// defaults) on one connection.
func TestBadRequestQuoteBounded(t *testing.T) {
	h := newHarness(t)
	s := h.dial("/v1/websocket")
	frame := strings.Repeat("\x01", 500_000)
	s.send(frame)
	select {
	case got := <-s.frames:
		if !strings.HasPrefix(got, `{"type":"brm","data":{"req":"\u0001`) {
			t.Fatalf("got %.60q, want a brm quoting the frame", got)
		}
		if len(got) > 8<<10 {
			t.Fatalf("the brm for a %d-byte frame is %d bytes long", len(frame), len(got))
		}
	case err := <-s.end:
		t.Fatalf("connection ended: %v", err)
	case <-time.After(guard):
		t.Fatal("no answer")
	}
}

// TestInputErrorOnFullBuffer: a client that closes an input with an
// error (or an exception) while the input's buffer is full does not hold
// up the connection. The read loop used to wait, without a limit, for the
// method to read the buffer, so a method that never read it left the
// connection deaf (no pongs, no cmsc for the call) until pings gave up.
func TestInputErrorOnFullBuffer(t *testing.T) {
	h := newHarness(t, pod.WithStreamOptions(stream.Options{InputBuffer: 1, SlowClientTimeout: 50 * time.Millisecond}))
	s := h.dial("/v1/websocket")
	s.send(open("example", "hold", "{}", `"values"`))
	s.expect(`{"type":"omsr","data":{"cid":"` + cid + `","res":"success","en":"example","m":"hold"}}`)
	s.send(`{"type":"msm","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","o":{"className":"int","data":1}}}`)
	s.send(`{"type":"cmsc","data":{"en":"example","m":"hold","cid":"` + cid + `","p":"values","cr":"error"}}`)
	s.send(`{"type":"ping"}`)
	for {
		got, err := s.next()
		if err != nil {
			t.Fatalf("waiting for the pong: %v", err)
		}
		if got == `{"type":"pong"}` {
			return
		}
	}
}

// TestAuthenticationRevoked: a revocation posted as 2.4's
// session.messages.authenticationRevoked does closes the matching streams
// at once (here with the periodic check turned off).
func TestAuthenticationRevoked(t *testing.T) {
	h := newHarness(t, pod.WithStreamAuthRecheck(-1))
	watch := func(endpoint, key, id string) *socket {
		s := h.dial("/v1/websocket")
		s.send(strings.Replace(open(endpoint, "watch", "{}", ""), `"is":[]`, `"is":[],"auth":"`+key+`"`, 1))
		s.expect(`{"type":"omsr","data":{"cid":"` + cid + `","res":"success","en":"` + endpoint + `","m":"watch"}}`)
		s.expect(`{"type":"msm","data":{"en":"` + endpoint + `","m":"watch","cid":"` + cid + `","o":{"className":"int","data":` + id + `}}}`)
		return s
	}
	closed := func(s *socket, endpoint string) {
		t.Helper()
		s.expect(`{"type":"cmsc","data":{"en":"` + endpoint + `","m":"watch","cid":"` + cid + `","cr":"error"}}`)
	}
	alive := func(s *socket) {
		t.Helper()
		s.send(`{"type":"ping"}`)
		s.expect(`{"type":"pong"}`)
	}
	revoke := func(userID int64, r pod.Revocation) {
		t.Helper()
		if err := h.srv.NewSession(t.Context()).AuthenticationRevoked(userID, r); err != nil {
			t.Fatal(err)
		}
	}
	h.keys.Add("user-7b", 7)
	user := watch("secure", "Basic dXNlci03", "7")      // user-7
	other := watch("secure", "Basic dXNlci03Yg==", "7") // user-7b, same user
	admin := watch("admin", "Basic YWRtaW4tMQ==", "1")  // admin-1

	revoke(7, pod.Revocation{AuthID: "user-7"})
	closed(user, "secure")
	alive(other)
	revoke(1, pod.Revocation{Scopes: []string{"someone.else"}})
	alive(admin)
	revoke(1, pod.Revocation{Scopes: []string{pod.ScopeAdmin}})
	closed(admin, "admin")
	revoke(7, pod.Revocation{})
	closed(other, "secure")
}

// TestLegacyPushAfterSignOut: what an endpoint that requires login pushes
// on the endpoint streaming connection (/websocket) reaches a signed-in
// client, and stops once its key is revoked or replaced by none: a
// signed-out device hears no more of the user's news. 2.4 kept sending.
func TestLegacyPushAfterSignOut(t *testing.T) {
	h := newHarness(t)
	h.keys.Add("user-7b", 7)
	note := func(text string) string {
		return `{"endpoint":"secure","object":{"className":"Note","data":{"text":"` + text + `"}}}`
	}
	push := func(text string, wantFailed int) {
		t.Helper()
		failed := 0
		for _, err := range h.eps.Secure.Push(text) {
			if errors.Is(err, pod.ErrAuthenticationRevoked) {
				failed++
			} else if err != nil {
				t.Fatalf("push %q: %v", text, err)
			}
		}
		if failed != wantFailed {
			t.Fatalf("push %q: %d sends refused, want %d", text, failed, wantFailed)
		}
	}
	// Pings order the frames: whatever was pushed before one arrives first.
	alive := func(s *socket) {
		t.Helper()
		s.send(`{"command":"ping","args":{}}`)
		s.expect(`{"command":"pong"}`)
	}

	// The pong also says the connection's endpoints were opened: the
	// server reads frames only after that.
	signedIn := h.dial("/websocket?auth=user-7")
	signedIn.next() // the example endpoint's welcome
	alive(signedIn)
	other := h.dial("/websocket?auth=user-7b")
	other.next()
	alive(other)

	push("news", 0)
	signedIn.expect(note("news"))
	other.expect(note("news"))

	h.keys.Revoke("user-7")
	push("after sign-out", 1)
	alive(signedIn)
	other.expect(note("after sign-out"))

	other.send(`{"command":"auth","args":{"key":null}}`)
	alive(other)
	push("after the key was dropped", 2)
	alive(other)
}

// TestAddListener: a session's listener hears the models posted on its
// channel until the session ends.
func TestAddListener(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan string, 4)
	pod.AddListener[streamtest.Note](h.srv.NewSession(ctx), "board", func(n *streamtest.Note, err error) {
		if err != nil {
			got <- err.Error()
			return
		}
		got <- n.Text
	})
	poster := h.srv.NewSession(t.Context())
	if err := poster.PostMessage("board", &streamtest.Note{Text: "pinned"}, false); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "pinned" {
		t.Fatalf("got %q", g)
	}
	cancel()
	waitUntil(t, "the listener goes with its session", func() bool { return h.srv.Messages().Listening("board") == 0 })
}
