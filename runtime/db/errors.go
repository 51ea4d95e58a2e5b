package db

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors for errors.Is; a database error matches the one of its
// class.
var (
	// ErrNotFound is returned when a row that must exist does not.
	ErrNotFound = errors.New("db: no such row")
	// ErrUniqueViolation: a unique index or constraint refused a value.
	ErrUniqueViolation = errors.New("db: unique violation")
	// ErrForeignKeyViolation: a row refers to a missing row, or is still
	// referred to.
	ErrForeignKeyViolation = errors.New("db: foreign key violation")
	// ErrNotNullViolation: a required column got null.
	ErrNotNullViolation = errors.New("db: not null violation")
	// ErrCheckViolation: a check constraint failed.
	ErrCheckViolation = errors.New("db: check violation")
	// ErrUndefinedTable: the table does not exist (migrations not applied).
	ErrUndefinedTable = errors.New("db: table not found")
)

// Error is a failed statement, with PostgreSQL's code and the constraint,
// table and column it concerns.
type Error struct {
	Code       string
	Message    string
	Detail     string
	Constraint string
	Table      string
	Column     string
	Err        error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Code == "42P01" {
		msg = "Table not found, have you applied the database migration? (" + e.Message + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", msg, e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel errors by SQLSTATE.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUniqueViolation:
		return e.Code == "23505"
	case ErrForeignKeyViolation:
		return e.Code == "23503"
	case ErrNotNullViolation:
		return e.Code == "23502"
	case ErrCheckViolation:
		return e.Code == "23514"
	case ErrUndefinedTable:
		return e.Code == "42P01"
	}
	return false
}

// Wrap types a pgx error: a PostgreSQL error becomes *Error, pgx.ErrNoRows
// becomes ErrNotFound; other errors pass through.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return &Error{Code: pg.Code, Message: pg.Message, Detail: pg.Detail, Constraint: pg.ConstraintName, Table: pg.TableName, Column: pg.ColumnName, Err: err}
	}
	return err
}
