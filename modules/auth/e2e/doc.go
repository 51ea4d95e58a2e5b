// Package e2e tests the auth module's Go client end to end: the generated
// caller and the SessionManager against a real pod server with the module,
// backed by a fresh PostgreSQL database. It holds tests only.
package e2e
