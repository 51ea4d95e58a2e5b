package db

import (
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gopod/gopod/wire"
)

// This file reads the columns of generated models as Serverpod 2.4 stores
// them: the scanners implement pgx's typed scanner interfaces, so reading
// takes pgx's direct path without reflection. destList (in row.go) hands
// them to pgx.

// Key returns the id or foreign key *p, and whether there is one.
func Key(p *int64) (int64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// The nullable scalars have their own scanners: pgx reads a pointer to a
// pointer through reflection, once per value.

type nullIntScanner struct{ p **int64 }

func (s nullIntScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.Int64
	*s.p = &x
	return nil
}

type nullDoubleScanner struct{ p **float64 }

func (s nullDoubleScanner) ScanFloat64(v pgtype.Float8) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.Float64
	*s.p = &x
	return nil
}

type nullBoolScanner struct{ p **bool }

func (s nullBoolScanner) ScanBool(v pgtype.Bool) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.Bool
	*s.p = &x
	return nil
}

type nullStringScanner struct{ p **string }

func (s nullStringScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.String
	*s.p = &x
	return nil
}

type nullTimeScanner struct{ p **time.Time }

func (s nullTimeScanner) ScanTimestamp(v pgtype.Timestamp) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	if v.InfinityModifier != pgtype.Finite {
		return fmt.Errorf("reading a DateTime: %v cannot be a DateTime", v.InfinityModifier)
	}
	x := v.Time.UTC()
	*s.p = &x
	return nil
}

type durationScanner struct{ p *time.Duration }

func (s durationScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return fmt.Errorf("null in a Duration column that is not nullable")
	}
	*s.p = time.Duration(v.Int64) * time.Millisecond
	return nil
}

type nullDurationScanner struct{ p **time.Duration }

func (s nullDurationScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	d := time.Duration(v.Int64) * time.Millisecond
	*s.p = &d
	return nil
}

type uuidScanner struct{ p *wire.UUID }

func (s uuidScanner) ScanUUID(v pgtype.UUID) error {
	if !v.Valid {
		return fmt.Errorf("null in a UuidValue column that is not nullable")
	}
	*s.p = v.Bytes
	return nil
}

type nullUUIDScanner struct{ p **wire.UUID }

func (s nullUUIDScanner) ScanUUID(v pgtype.UUID) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	u := wire.UUID(v.Bytes)
	*s.p = &u
	return nil
}

type uriScanner struct{ p **url.URL }

func (s uriScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	u, err := url.Parse(v.String)
	if err != nil {
		return fmt.Errorf("reading a Uri: %w", err)
	}
	*s.p = u
	return nil
}

type bigIntScanner struct{ p **big.Int }

func (s bigIntScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	b, ok := new(big.Int).SetString(v.String, 10)
	if !ok {
		return fmt.Errorf("reading a BigInt: %q is not a decimal integer", v.String)
	}
	*s.p = b
	return nil
}
