#!/usr/bin/env bash
# Runs gopod's main job on an example: create a project (its server code,
# clients and first migration), start it as gopod create says (gopod run
# starts a PostgreSQL of its own, since no database is configured, and
# applies the migrations to it) and call it through the generated Go client:
# sign up, sign in. Everything happens in a temporary directory.
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

echo "== gopod create hello (the project, its generated code and its first migration)"
./gopod create hello | grep -v '^\(created\|generated\) '
cd hello

echo "== a Go program using the generated client"
mkdir -p cmd/hello
cp "$here/cmd/gopod/testdata/helloclient/main.go" cmd/hello/main.go
go build -mod=mod -o ../hello-client ./cmd/hello

port="${PORT:-8080}"
echo "== gopod run, as gopod create said (port $port)"
SERVERPOD_API_SERVER_PORT="$port" ../gopod run >../server.log 2>&1 &
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
