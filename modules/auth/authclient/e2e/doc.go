// Package e2e tests streaming with the auth module end to end: the
// SessionManager moving open streams to the new key on sign-in and
// sign-out, a signed-in stream closed when its key is revoked, and two
// servers sharing PostgreSQL and Redis, where a message posted on one
// reaches a stream on the other and a sign-out on one closes a stream on
// the other. It holds tests only.
package e2e
