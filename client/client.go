// Package client calls gopod (and Serverpod 2.4) servers from Go. Generated
// Go clients are thin typed layers over its Caller: they encode arguments
// with package wire, and Caller posts them as Serverpod's client does,
// attaches the authentication key, and turns failures into typed errors.
// Streaming methods are called over Serverpod's WebSocket protocol
// (Stream, StreamValue, StreamVoid), as iter.Seq2 values in both
// directions, the shape the server's methods have.
//
// It depends only on the standard library, package wire and
// github.com/gorilla/websocket (which has no dependencies), so a Go
// program can call a server without the server's dependencies.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gopod/gopod/wire"
)

// DefaultTimeout is the time a call may take, as in Serverpod's client.
const DefaultTimeout = 20 * time.Second

// maxResponseSize bounds how much of a response the client reads.
const maxResponseSize = 64 << 20

// Caller sends endpoint calls to one server.
type Caller struct {
	host     string
	http     *http.Client
	timeout  time.Duration
	keys     AuthKeyManager
	registry *wire.Registry

	streamTimeout time.Duration
	netDial       func(ctx context.Context, network, addr string) (net.Conn, error)
	streamsOnce   sync.Once
	streamMgr     *streamManager
}

// Option configures a Caller.
type Option func(*Caller)

// WithHTTPClient sets the HTTP client used for calls.
func WithHTTPClient(c *http.Client) Option { return func(x *Caller) { x.http = c } }

// WithTimeout bounds each call (default 20 s); the call's context can
// shorten it further.
func WithTimeout(d time.Duration) Option { return func(x *Caller) { x.timeout = d } }

// WithAuthKeyManager sets where the caller keeps the authentication key it
// sends with every call.
func WithAuthKeyManager(m AuthKeyManager) Option { return func(x *Caller) { x.keys = m } }

// NewCaller returns a caller for the server at host (for example
// http://localhost:8080/). registry decodes the serializable exceptions the
// server may answer with.
func NewCaller(host string, registry *wire.Registry, opts ...Option) *Caller {
	if !strings.HasSuffix(host, "/") {
		host += "/"
	}
	c := &Caller{host: host, http: http.DefaultClient, timeout: DefaultTimeout, registry: registry, keys: NewMemoryKeyManager()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Host returns the server's address.
func (c *Caller) Host() string { return c.host }

// AuthKeyManager returns where the caller keeps its authentication key.
func (c *Caller) AuthKeyManager() AuthKeyManager { return c.keys }

// StatusError is a call that the server answered with a status other than
// 200 and no serializable exception.
type StatusError struct {
	Endpoint, Method string
	StatusCode       int
	Body             string
}

func (e *StatusError) Error() string {
	msg := strings.TrimSpace(e.Body)
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("%s.%s: %d %s", e.Endpoint, e.Method, e.StatusCode, msg)
}

// Is lets errors.Is match the sentinel errors by status.
func (e *StatusError) Is(target error) bool {
	var s statusSentinel
	if errors.As(target, &s) {
		return int(s) == e.StatusCode
	}
	return false
}

type statusSentinel int

func (s statusSentinel) Error() string { return http.StatusText(int(s)) }

// Sentinels for errors.Is, named after serverpod_client's exceptions.
var (
	ErrBadRequest          error = statusSentinel(http.StatusBadRequest)
	ErrUnauthorized        error = statusSentinel(http.StatusUnauthorized)
	ErrForbidden           error = statusSentinel(http.StatusForbidden)
	ErrNotFound            error = statusSentinel(http.StatusNotFound)
	ErrInternalServerError error = statusSentinel(http.StatusInternalServerError)
)

// Call invokes endpoint.method with the arguments that args writes (each
// with e.Key then its value) and decodes the result with dec.
func Call[T any](ctx context.Context, c *Caller, endpoint, method string, args func(e *wire.Encoder), dec wire.DecodeFunc[T]) (T, error) {
	var zero T
	body, err := c.post(ctx, endpoint, method, args)
	if err != nil {
		return zero, err
	}
	v, err := wire.Parse(body)
	if err != nil {
		return zero, fmt.Errorf("%s.%s: decoding the result: %w", endpoint, method, err)
	}
	x, err := dec(v)
	if err != nil {
		return zero, fmt.Errorf("%s.%s: decoding the result: %w", endpoint, method, err)
	}
	return x, nil
}

// CallVoid invokes a method that returns nothing.
func CallVoid(ctx context.Context, c *Caller, endpoint, method string, args func(e *wire.Encoder)) error {
	_, err := c.post(ctx, endpoint, method, args)
	return err
}

// post sends the call as serverpod_client 2.4 does: POST <host><endpoint>
// with the arguments and "method" in a JSON body.
func (c *Caller) post(ctx context.Context, endpoint, method string, args func(e *wire.Encoder)) ([]byte, error) {
	e := wire.NewEncoder(true)
	e.ObjectStart()
	if args != nil {
		args(e)
	}
	e.Key("method")
	e.String(method)
	e.ObjectEnd()
	payload, err := e.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s.%s: encoding the arguments: %w", endpoint, method, err)
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.host+endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", endpoint, method, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if c.keys != nil {
		key, err := c.keys.Get()
		if err != nil {
			return nil, fmt.Errorf("%s.%s: reading the authentication key: %w", endpoint, method, err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key)))
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", endpoint, method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
	if err != nil {
		return nil, fmt.Errorf("%s.%s: reading the response: %w", endpoint, method, err)
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	if exc := c.decodeException(body); exc != nil {
		return nil, exc
	}
	return nil, &StatusError{Endpoint: endpoint, Method: method, StatusCode: resp.StatusCode, Body: string(body)}
}

// decodeException turns a {"className","data"} body into the generated
// exception type, as serverpod_client's getExceptionFrom does.
func (c *Caller) decodeException(body []byte) error {
	if c.registry == nil || len(body) == 0 || body[0] != '{' {
		return nil
	}
	v, err := wire.Parse(body)
	if err != nil {
		return nil
	}
	x, err := c.registry.DecodeTagged(v)
	if err != nil {
		return nil
	}
	if exc, ok := x.(error); ok {
		return exc
	}
	return nil
}
