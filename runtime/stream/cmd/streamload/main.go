//go:build linux

// Command streamload measures gopod's WebSocket streaming on loopback:
//
//   - idle sockets held, and the server's memory (RSS) per socket, without
//     and then with one open stream each;
//   - one message fanned out to many subscribers (session messages
//     streamed to clients), latency from the post to each delivery;
//   - stream throughput (an echo method, pipelined) against a bare echo
//     server on the same WebSocket library, in alternating rounds.
//
// The server runs as a child process serving the streamtest project, so
// that its memory is measured alone; the bare echo server runs in the same
// child. Clients bind to 127.0.0.2 through 127.0.0.9 so that ten thousand
// sockets do not exhaust one address's ports, and both processes raise
// their file limit as far as the hard limit allows. Nothing leaves the
// loopback interface.
//
//	go run ./runtime/stream/cmd/streamload [-sockets 10000] [-subscribers 1000] [-messages 50] [-rounds 20] [-echo 20000] [-heapprofile file]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/stream/streamtest"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		serve()
		return
	}
	sockets := flag.Int("sockets", 10000, "idle sockets to hold")
	subscribers := flag.Int("subscribers", 1000, "subscribers of the fanned-out message")
	messages := flag.Int("messages", 50, "messages to fan out, one at a time")
	rounds := flag.Int("rounds", 20, "pairs of throughput rounds (gopod, bare echo)")
	echo := flag.Int("echo", 20000, "messages per throughput round")
	heapProfile = flag.String("heapprofile", "", "write the server's heap profile with the idle sockets to this file")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*sockets, *subscribers, *messages, *rounds, *echo); err != nil {
		log.Fatal(err)
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard one.
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	l.Cur = l.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	return l.Cur
}

// serve is the child: the streamtest project and a bare echo server, on
// loopback, until its stdin closes.
func serve() {
	if os.Getenv(exactHeapEnv) != "" {
		runtime.MemProfileRate = 1
	}
	raiseFileLimit()
	d, _ := streamtest.New()
	var srv *pod.Server
	srv = pod.NewServer(d,
		pod.WithLogger(slog.New(slog.DiscardHandler)),
		pod.WithRoute("/debug/gc", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			runtime.GC()
			fmt.Fprintln(w, "ok")
		})),
		pod.WithRoute("/debug/heap", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			runtime.GC()
			_ = pprof.WriteHeapProfile(w)
		})),
		pod.WithRoute("/debug/mem", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			fmt.Fprintf(w, "heap in use %.1f MiB, stacks %.1f MiB, goroutines %d", mib(int64(m.HeapInuse)), mib(int64(m.StackInuse)), runtime.NumGoroutine())
		})),
		pod.WithRoute("/debug/listening", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, srv.Messages().Listening(r.URL.Query().Get("channel")))
		})),
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	bare, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = http.Serve(ln, srv) }()
	go func() { _ = http.Serve(bare, http.HandlerFunc(bareEcho)) }()
	fmt.Println(ln.Addr(), bare.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
}

var heapProfile *string

// exactHeapEnv asks the child to record every allocation, so that the
// heap profile of -heapprofile is exact.
const exactHeapEnv = "STREAMLOAD_EXACT_HEAP"

// bareEcho is gorilla/websocket's echo example: read a message, write it
// back.
func bareEcho(w http.ResponseWriter, r *http.Request) {
	c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	for {
		mt, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(mt, msg); err != nil {
			return
		}
	}
}

// child is the server process.
type child struct {
	cmd        *exec.Cmd
	stdin      io.Closer
	addr, bare string
}

func startChild() (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "serve")
	cmd.Stderr = os.Stderr
	if *heapProfile != "" {
		cmd.Env = append(os.Environ(), exactHeapEnv+"=1")
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("the server did not start: %w", err)
	}
	addrs := strings.Fields(line)
	return &child{cmd: cmd, stdin: in, addr: addrs[0], bare: addrs[1]}, nil
}

func (c *child) stop() {
	c.stdin.Close()
	_ = c.cmd.Wait()
}

// rss returns the child's resident memory in bytes.
func (c *child) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// save writes what path answers to file.
func (c *child) save(path, file string) error {
	resp, err := http.Get("http://" + c.addr + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

func (c *child) get(path string) (string, error) {
	resp, err := http.Get("http://" + c.addr + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b)), err
}

// settledRSS lets the server collect garbage, then reads its RSS; without
// the collection the figure would not be comparable, so its failure is
// reported.
func (c *child) settledRSS() (int64, error) {
	time.Sleep(time.Second)
	if _, err := c.get("/debug/gc"); err != nil {
		return 0, fmt.Errorf("collecting the server's garbage: %w", err)
	}
	time.Sleep(time.Second)
	return c.rss(), nil
}

// dialer binds the n-th connection to 127.0.0.(2 + n%8).
func dialer(n int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+n%8))}}
	return d.DialContext
}

func run(sockets, subscribers, messages, rounds, echo int) error {
	limit := raiseFileLimit()
	if need := uint64(sockets + 256); limit < need {
		return fmt.Errorf("the open-file limit is %d; %d sockets need %d (raise the hard limit)", limit, sockets, need)
	}
	c, err := startChild()
	if err != nil {
		return err
	}
	defer c.stop()
	fmt.Printf("streamload: %d CPUs, GOMAXPROCS %d, %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	if err := idleSockets(c, sockets); err != nil {
		return fmt.Errorf("idle sockets: %w", err)
	}
	if err := fanOut(c, subscribers, messages); err != nil {
		return fmt.Errorf("fan-out: %w", err)
	}
	if err := throughput(c, rounds, echo); err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	return nil
}

const cid = "11111111-1111-4111-8111-111111111111"

// idleSockets connects n sockets that complete serverpod_client's
// handshake and then sit idle; then opens one stream on each.
func idleSockets(c *child, n int) error {
	base, err := c.settledRSS()
	if err != nil {
		return err
	}
	conns := make([]*websocket.Conn, n)
	frames := make([]chan []byte, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	start := time.Now()
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				d := websocket.Dialer{NetDialContext: dialer(i), HandshakeTimeout: 30 * time.Second}
				ws, resp, err := d.Dial("ws://"+c.addr+"/v1/websocket", nil)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				conns[i] = ws
				frames[i] = make(chan []byte, 4)
				go func() {
					for {
						_, b, err := ws.ReadMessage()
						if err != nil {
							close(frames[i])
							return
						}
						frames[i] <- b
					}
				}()
				if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
					errs <- err
					return
				}
				if b := <-frames[i]; string(b) != `{"type":"pong"}` {
					errs <- fmt.Errorf("handshake answered %s", b)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	defer func() {
		for _, ws := range conns {
			ws.Close()
		}
	}()
	connected := time.Since(start)
	idle, err := c.settledRSS()
	if err != nil {
		return err
	}
	mem, _ := c.get("/debug/mem")
	fmt.Printf("idle sockets: %d connected and handshaken in %.1f s\n", n, connected.Seconds())
	fmt.Printf("  server RSS %.1f MiB before, %.1f MiB with the sockets: %.2f KiB per socket (%s)\n",
		mib(base), mib(idle), float64(idle-base)/float64(n)/1024, mem)
	if *heapProfile != "" {
		if err := c.save("/debug/heap", *heapProfile); err != nil {
			return err
		}
	}

	// One open stream per socket (example.whoami, which waits).
	for i, ws := range conns {
		open := `{"type":"omsc","data":{"en":"example","m":"whoami","cid":"` + cid + `","args":"{}","is":[]}}`
		if err := ws.WriteMessage(websocket.TextMessage, []byte(open)); err != nil {
			return err
		}
		if i%256 == 255 {
			for j := i - 255; j <= i; j++ {
				<-frames[j] // omsr
				<-frames[j] // the value
			}
		}
	}
	for j := n - n%256; j < n; j++ {
		<-frames[j]
		<-frames[j]
	}
	streams, err := c.settledRSS()
	if err != nil {
		return err
	}
	mem, _ = c.get("/debug/mem")
	fmt.Printf("  with one open stream each: %.1f MiB, %.2f KiB per socket and stream (%s)\n\n",
		mib(streams), float64(streams-base)/float64(n)/1024, mem)
	return nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// fanOut subscribes n sockets to a room (example.listen, as
// serverpod_client opens it), then posts messages one at a time through
// the Go client and records, for each delivery, the time since the post
// began. The subscribers are raw sockets that only find the message's
// number, so that the client process does little besides reading.
func fanOut(c *child, n, messages int) error {
	latencies := make([][]time.Duration, messages)
	for i := range latencies {
		latencies[i] = make([]time.Duration, n)
	}
	posted := make([]atomic.Int64, messages) // post start per message, unix ns
	var delivered sync.WaitGroup
	open := `{"type":"omsc","data":{"en":"example","m":"listen","cid":"` + cid + `","args":"{\"room\":\"lobby\"}","is":[]}}`
	for s := range n {
		d := websocket.Dialer{NetDialContext: dialer(s), HandshakeTimeout: 30 * time.Second}
		ws, resp, err := d.Dial("ws://"+c.addr+"/v1/websocket", nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
		defer ws.Close()
		if err := ws.WriteMessage(websocket.TextMessage, []byte(open)); err != nil {
			return err
		}
		if _, b, err := ws.ReadMessage(); err != nil || !strings.Contains(string(b), `"success"`) {
			return fmt.Errorf("opening a subscription: %s, %v", b, err)
		}
		go func() {
			const marker = `"text":"`
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				k := strings.Index(string(b), marker)
				if k < 0 {
					continue
				}
				rest := string(b[k+len(marker):])
				i, err := strconv.Atoi(rest[:strings.IndexByte(rest, '"')])
				if err != nil || i >= messages {
					continue
				}
				latencies[i][s] = time.Duration(now - posted[i].Load())
				delivered.Done()
			}
		}()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		v, err := c.get("/debug/listening?channel=room:lobby")
		if err != nil {
			return err
		}
		if k, _ := strconv.Atoi(v); k == n {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %s of %d subscribed", v, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	poster := streamtest.NewClient("http://" + c.addr + "/")
	var all, last []time.Duration
	for i := range messages {
		delivered.Add(n)
		posted[i].Store(time.Now().UnixNano())
		if err := poster.Example.Say(context.Background(), "lobby", strconv.Itoa(i)); err != nil {
			return err
		}
		delivered.Wait()
		all = append(all, latencies[i]...)
		last = append(last, slices.Max(latencies[i]))
	}
	slices.Sort(all)
	slices.Sort(last)
	fmt.Printf("fan-out: %d messages, each to %d subscribers (one socket each)\n", messages, n)
	fmt.Printf("  latency per delivery: p50 %s, p99 %s, max %s\n", pct(all, 50), pct(all, 99), all[len(all)-1].Round(time.Microsecond))
	fmt.Printf("  until the last subscriber has it: p50 %s, p99 %s\n\n", pct(last, 50), pct(last, 99))
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)].Round(time.Microsecond)
}

// throughput alternates rounds of the echo method and of the bare echo
// server, each over a fresh socket, the client sending n values as fast
// as it can while reading the echoes.
func throughput(c *child, rounds, n int) error {
	var ours, bare, ratios []float64
	for r := range rounds {
		sides := []func() (float64, error){
			func() (float64, error) { return echoRound("ws://"+c.addr+"/v1/websocket", true, n) },
			func() (float64, error) { return echoRound("ws://"+c.bare+"/", false, n) },
		}
		if r%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		a, err := sides[0]()
		if err != nil {
			return err
		}
		b, err := sides[1]()
		if err != nil {
			return err
		}
		if r%2 == 1 {
			a, b = b, a
		}
		ours, bare, ratios = append(ours, a), append(bare, b), append(ratios, a/b)
	}
	fmt.Printf("throughput: %d pairs of rounds, %d echoed messages each, one socket\n", rounds, n)
	fmt.Printf("  gopod echo stream %.0f msg/s, bare gorilla echo %.0f msg/s (medians)\n", median(ours), median(bare))
	fmt.Printf("  ratio %.2f (min %.2f, max %.2f)\n", median(ratios), slices.Min(ratios), slices.Max(ratios))
	return nil
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// echoRound sends n values and reads n echoes. For gopod it first opens
// example.echo as serverpod_client would; the values are the same
// method-stream messages on both sides.
func echoRound(url string, method bool, n int) (float64, error) {
	ws, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	defer ws.Close()
	if method {
		open := `{"type":"omsc","data":{"en":"example","m":"echo","cid":"` + cid + `","args":"{}","is":["input"]}}`
		if err := ws.WriteMessage(websocket.TextMessage, []byte(open)); err != nil {
			return 0, err
		}
		if _, b, err := ws.ReadMessage(); err != nil || !strings.Contains(string(b), `"success"`) {
			return 0, fmt.Errorf("opening the echo stream: %s, %v", b, err)
		}
	}
	value := []byte(`{"type":"msm","data":{"en":"example","m":"echo","cid":"` + cid + `","p":"input","o":{"className":"String","data":"the quick brown fox jumps over the lazy dog"}}}`)
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if _, _, err := ws.ReadMessage(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < n; i++ {
		if err := ws.WriteMessage(websocket.TextMessage, value); err != nil {
			return 0, err
		}
	}
	select {
	case err := <-done:
		if err != nil {
			return 0, err
		}
	case <-time.After(time.Minute):
		return 0, errors.New("the echoes stopped")
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
