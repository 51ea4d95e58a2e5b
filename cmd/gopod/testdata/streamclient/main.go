// Command chat streams with the server of a project named chat through
// its generated Go client: the example endpoint's countTo and echo over
// /v1/websocket, an Example message echoed on the legacy /websocket, and
// a signed-in stream (secure.watch) that the server closes when its key
// is signed out from another client. Copy it to cmd/chat/main.go in the
// project and run it with the server's address and the file the server
// logs to.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	podclient "github.com/gopod/gopod/client"

	"chat/client"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: chat http://localhost:8080/ server.log")
		os.Exit(2)
	}
	host, logFile := os.Args[1], os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := client.New(host)

	var counted []string
	for n, err := range c.Example.CountTo(ctx, 5) {
		check(err)
		counted = append(counted, fmt.Sprint(n))
	}
	fmt.Println("example.countTo:", strings.Join(counted, " "))

	input := func(yield func(string, error) bool) {
		for _, s := range []string{"a", "b", "c"} {
			if !yield(s, nil) {
				return
			}
		}
	}
	var echoed []string
	for s, err := range c.Example.Echo(ctx, input) {
		check(err)
		echoed = append(echoed, s)
	}
	fmt.Println("example.echo:", strings.Join(echoed, " "))

	fmt.Println("legacy echo:", legacyEcho(host))

	userID := signIn(ctx, c, logFile)
	next, stop := iter.Pull2(c.Secure.Watch(ctx))
	defer stop()
	id, err, _ := next()
	check(err)
	fmt.Println("secure.watch: user", id, "signed in", id == userID)

	// Another client with the same key signs it out: the server closes
	// the stream it revoked.
	other := client.New(host)
	key, err := c.Caller.AuthKeyManager().Get()
	check(err)
	check(other.Caller.AuthKeyManager().Put(key))
	start := time.Now()
	check(other.Modules.Auth.Status.SignOutDevice(ctx))
	_, err, _ = next()
	if !errors.Is(err, podclient.ErrStreamFailed) {
		check(fmt.Errorf("secure.watch after sign-out: got %v, want the stream closed with an error", err))
	}
	fmt.Printf("secure.watch: closed after sign-out in %s: %v\n", time.Since(start).Round(time.Millisecond), err)
}

// legacyEcho sends an Example to the example endpoint on the streaming
// connection that 2.4's client.openStreamingConnection() opens, and
// returns the name of the Example that comes back.
func legacyEcho(host string) string {
	url := "ws" + strings.TrimPrefix(strings.TrimSuffix(host, "/"), "http") + "/websocket"
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	check(err)
	defer conn.Close()
	msg := `{"endpoint":"example","object":{"className":"Example","data":{"name":"legacy","data":7}}}`
	check(conn.WriteMessage(websocket.TextMessage, []byte(msg)))
	check(conn.SetReadDeadline(time.Now().Add(10 * time.Second)))
	for {
		_, data, err := conn.ReadMessage()
		check(err)
		var m struct {
			Endpoint string `json:"endpoint"`
			Object   struct {
				ClassName string `json:"className"`
				Data      struct {
					Name string `json:"name"`
					Data int64  `json:"data"`
				} `json:"data"`
			} `json:"object"`
		}
		if json.Unmarshal(data, &m) == nil && m.Endpoint == "example" {
			return fmt.Sprintf("%s %s %d", m.Object.ClassName, m.Object.Data.Name, m.Object.Data.Data)
		}
	}
}

// signIn signs up and in through the auth module, and returns the user's id.
func signIn(ctx context.Context, c *client.Client, logFile string) int64 {
	email, password := "bob@example.com", "correct horse battery staple"
	_, err := c.Modules.Auth.Email.CreateAccountRequest(ctx, "Bob", email, password)
	check(err)
	user, err := c.Modules.Auth.Email.CreateAccount(ctx, email, codeFromLog(logFile, email))
	check(err)
	if user == nil {
		check(errors.New("email.createAccount refused the code the server logged"))
	}
	res, err := c.Modules.Auth.Email.Authenticate(ctx, email, password)
	check(err)
	if !res.Success {
		check(errors.New("email.authenticate failed"))
	}
	check(c.Caller.AuthKeyManager().Put(fmt.Sprintf("%d:%s", *res.KeyID, *res.Key)))
	return *user.ID
}

// codeFromLog waits for the validation code the development server logs.
func codeFromLog(path, email string) string {
	re := regexp.MustCompile(`validation code.*email=` + regexp.QuoteMeta(email) + ` code=(\S+)`)
	for range 100 {
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					f.Close()
					return m[1]
				}
			}
			f.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	check(fmt.Errorf("no validation code for %s in %s", email, path))
	return ""
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
