#!/usr/bin/env bash
# Runs gopod's main job on an example: create a project, generate its server
# code and clients, write its first migration, start the server (which runs
# its own PostgreSQL, since no database is configured) and call it through
# the generated Go client. Everything happens in a temporary directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
# PostgreSQL refuses to run as root; gopod then runs it as the postgres
# user, who must be able to reach the project.
chmod 0755 "$work"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -INT "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building gopod"
go build -o "$work/gopod" "$here/cmd/gopod"
cd "$work"

echo "== gopod create hello"
./gopod create hello >/dev/null
cd hello

echo "== gopod create-migration"
../gopod create-migration | tail -n 1

echo "== a Go program using the generated client"
mkdir -p cmd/hello
cat > cmd/hello/main.go <<'GO'
// Command hello calls the example server through the generated Go client:
// the example endpoint, then the auth module (sign up, validate the code
// the development server logs, sign in, and a call as the signed-in user).
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"time"

	"hello/client"
)

func main() {
	host, logFile := os.Args[1], os.Args[2]
	ctx := context.Background()
	c := client.New(host)
	greeting, err := c.Example.Hello(ctx, "World")
	check(err)
	fmt.Println("example.hello:", greeting)

	email, password := "alice@example.com", "correct horse battery staple"
	ok, err := c.Modules.Auth.Email.CreateAccountRequest(ctx, "Alice", email, password)
	check(err)
	fmt.Println("email.createAccountRequest:", ok)
	code := codeFromLog(logFile, email)
	user, err := c.Modules.Auth.Email.CreateAccount(ctx, email, code)
	check(err)
	fmt.Println("email.createAccount: user", *user.ID, *user.UserName)
	res, err := c.Modules.Auth.Email.Authenticate(ctx, email, password)
	check(err)
	fmt.Println("email.authenticate: success", res.Success)
	check(c.Caller.AuthKeyManager().Put(fmt.Sprintf("%d:%s", *res.KeyID, *res.Key)))
	signedIn, err := c.Modules.Auth.Status.IsSignedIn(ctx)
	check(err)
	fmt.Println("status.isSignedIn:", signedIn)
	me, err := c.Modules.Auth.Status.GetUserInfo(ctx)
	check(err)
	fmt.Println("status.getUserInfo:", *me.Email, "image", *me.ImageURL)
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
GO
go build -mod=mod -o ../hello-client ./cmd/hello

port="${PORT:-8080}"
echo "== gopod run --apply-migrations (port $port)"
SERVERPOD_API_SERVER_PORT="$port" ../gopod run --apply-migrations >../server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
  if curl -fs "http://localhost:$port/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat ../server.log; exit 1; fi
  sleep 0.5
done
echo "health check: $(curl -fs "http://localhost:$port/")"

echo "== the generated Go client: example.hello, then sign up and sign in"
../hello-client "http://localhost:$port/" ../server.log
echo "== the same call as a Serverpod 2.4 Flutter app sends it"
curl -fs -X POST "http://localhost:$port/example" -H 'Content-Type: application/json' -d '{"name":"World","method":"hello"}'
echo
echo "== server log"
cat ../server.log
