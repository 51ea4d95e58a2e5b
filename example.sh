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
./gopod create hello --no-auth >/dev/null
cd hello

echo "== gopod create-migration"
../gopod create-migration | tail -n 1

echo "== a Go program using the generated client"
mkdir -p cmd/hello
cat > cmd/hello/main.go <<'GO'
package main

import (
	"context"
	"fmt"
	"os"

	"hello/client"
)

func main() {
	c := client.New(os.Args[1])
	greeting, err := c.Example.Hello(context.Background(), "World")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(greeting)
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

echo "== example.hello(\"World\") through the Go client"
../hello-client "http://localhost:$port/"
echo "== the same call as a Serverpod 2.4 Flutter app sends it"
curl -fs -X POST "http://localhost:$port/example" -H 'Content-Type: application/json' -d '{"name":"World","method":"hello"}'
echo
echo "== server log"
cat ../server.log
