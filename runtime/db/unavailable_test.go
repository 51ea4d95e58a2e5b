package db_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopod/gopod/runtime/db"
)

func TestUnavailable(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	_, refused := db.Open(context.Background(), "postgres://postgres@"+closed+"/none?sslmode=disable&connect_timeout=2")
	if refused == nil {
		t.Fatal("connected to a closed port")
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"shutting down", db.Wrap(&pgconn.PgError{Code: "57P03", Message: "the database system is shutting down"}), true},
		{"terminated by the administrator", fmt.Errorf("reading: %w", db.Wrap(&pgconn.PgError{Code: "57P01"})), true},
		{"connection failure", db.Wrap(&pgconn.PgError{Code: "08006"}), true},
		{"unique violation", db.Wrap(&pgconn.PgError{Code: "23505"}), false},
		{"syntax error", db.Wrap(&pgconn.PgError{Code: "42601"}), false},
		{"other", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if got := db.Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable(%v) = %t, want %t", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestRejectedValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"NUL in text", fmt.Errorf("inserting: %w", db.Wrap(&pgconn.PgError{Code: "22021", Message: "invalid byte sequence for encoding \"UTF8\": 0x00"})), true},
		{"too long for varchar", &pgconn.PgError{Code: "22001"}, true},
		{"number out of range", db.Wrap(&pgconn.PgError{Code: "22003"}), true},
		{"date out of range", db.Wrap(&pgconn.PgError{Code: "22008"}), true},
		{"index row too large", db.Wrap(&pgconn.PgError{Code: "54000"}), true},
		{"division by zero in a query", db.Wrap(&pgconn.PgError{Code: "22012"}), false},
		{"unique violation", db.Wrap(&pgconn.PgError{Code: "23505"}), false},
		{"unavailable", db.Wrap(&pgconn.PgError{Code: "57P01"}), false},
		{"other", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if _, got := db.RejectedValue(tc.err); got != tc.want {
			t.Errorf("%s: RejectedValue(%v) = %t, want %t", tc.name, tc.err, got, tc.want)
		}
	}
}
