package dblog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/wire"
)

// Level is the severity of a log entry, stored in serverpod_log.logLevel
// as Serverpod 2.4's LogLevel enum index.
type Level int

// Serverpod's log levels.
const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarning
	LevelError
	LevelFatal
)

// SlogFatal is the slog level that maps to LevelFatal; slog has no level
// above Error.
const SlogFatal = slog.LevelError + 4

// LevelOf maps a slog level to Serverpod's: Debug, Info, Warn, Error and
// SlogFatal, each level counting up to the next.
func LevelOf(l slog.Level) Level {
	switch {
	case l >= SlogFatal:
		return LevelFatal
	case l >= slog.LevelError:
		return LevelError
	case l >= slog.LevelWarn:
		return LevelWarning
	case l >= slog.LevelInfo:
		return LevelInfo
	}
	return LevelDebug
}

// Slog is the slog level of l, the inverse of LevelOf.
func (l Level) Slog() slog.Level {
	switch l {
	case LevelDebug:
		return slog.LevelDebug
	case LevelInfo:
		return slog.LevelInfo
	case LevelWarning:
		return slog.LevelWarn
	case LevelError:
		return slog.LevelError
	}
	return SlogFatal
}

// LogSettings says what is written to the log tables, as Serverpod 2.4's
// LogSettings model does. Durations are in seconds.
type LogSettings struct {
	LogLevel                         Level
	LogAllSessions                   bool
	LogAllQueries                    bool
	LogSlowSessions                  bool
	LogStreamingSessionsContinuously bool
	LogSlowQueries                   bool
	LogFailedSessions                bool
	LogFailedQueries                 bool
	SlowSessionDuration              float64
	SlowQueryDuration                float64
}

// LogSettingsOverride applies settings to one endpoint, or to one method
// of an endpoint.
type LogSettingsOverride struct {
	Module      *string
	Endpoint    *string
	Method      *string
	LogSettings LogSettings
}

// RuntimeSettings is the single row of serverpod_runtime_settings.
type RuntimeSettings struct {
	ID                   int64
	LogSettings          LogSettings
	LogSettingsOverrides []LogSettingsOverride
	LogServiceCalls      bool
	LogMalformedCalls    bool
}

// DefaultRuntimeSettings are the settings Serverpod 2.4 writes when the
// table is empty: slow and failed sessions and queries are logged, with a
// second as the slow threshold.
func DefaultRuntimeSettings() RuntimeSettings {
	return RuntimeSettings{
		LogSettings: LogSettings{
			LogLevel:                         LevelInfo,
			LogSlowSessions:                  true,
			LogStreamingSessionsContinuously: true,
			LogSlowQueries:                   true,
			LogFailedSessions:                true,
			LogFailedQueries:                 true,
			SlowSessionDuration:              1,
			SlowQueryDuration:                1,
		},
		LogSettingsOverrides: []LogSettingsOverride{},
	}
}

// For returns the settings that apply to a session of endpoint and method:
// a method override, else an endpoint override, else the defaults.
// Serverpod 2.4 picks the last override given for the same target.
func (r *RuntimeSettings) For(endpoint, method string) *LogSettings {
	var byEndpoint *LogSettings
	for i := len(r.LogSettingsOverrides) - 1; i >= 0; i-- {
		o := &r.LogSettingsOverrides[i]
		if o.Endpoint == nil || *o.Endpoint != endpoint {
			continue
		}
		if o.Method != nil {
			if *o.Method == method {
				return &o.LogSettings
			}
		} else if byEndpoint == nil {
			byEndpoint = &o.LogSettings
		}
	}
	if byEndpoint != nil {
		return byEndpoint
	}
	return &r.LogSettings
}

// encode writes settings as Serverpod 2.4's toJson does, keys in its order.
func (s *LogSettings) encode(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("logLevel")
	e.Int(int64(s.LogLevel))
	for _, f := range []struct {
		key string
		v   bool
	}{
		{"logAllSessions", s.LogAllSessions},
		{"logAllQueries", s.LogAllQueries},
		{"logSlowSessions", s.LogSlowSessions},
		{"logStreamingSessionsContinuously", s.LogStreamingSessionsContinuously},
		{"logSlowQueries", s.LogSlowQueries},
		{"logFailedSessions", s.LogFailedSessions},
		{"logFailedQueries", s.LogFailedQueries},
	} {
		e.Key(f.key)
		e.Bool(f.v)
	}
	e.Key("slowSessionDuration")
	e.Double(s.SlowSessionDuration)
	e.Key("slowQueryDuration")
	e.Double(s.SlowQueryDuration)
	e.ObjectEnd()
}

// decodeLogSettings reads settings; a member that is missing keeps its
// default, so rows written by other Serverpod versions still load.
func decodeLogSettings(v any) (LogSettings, error) {
	s := DefaultRuntimeSettings().LogSettings
	o, err := wire.Object(v)
	if err != nil {
		return s, err
	}
	if x, err := wire.FieldPtr(o, "logLevel", wire.DecodeInt); err != nil {
		return s, err
	} else if x != nil {
		if *x < int64(LevelDebug) || *x > int64(LevelFatal) {
			return s, fmt.Errorf("logLevel: %d is not a log level (0 to 4)", *x)
		}
		s.LogLevel = Level(*x)
	}
	for _, f := range []struct {
		key string
		dst *bool
	}{
		{"logAllSessions", &s.LogAllSessions},
		{"logAllQueries", &s.LogAllQueries},
		{"logSlowSessions", &s.LogSlowSessions},
		{"logStreamingSessionsContinuously", &s.LogStreamingSessionsContinuously},
		{"logSlowQueries", &s.LogSlowQueries},
		{"logFailedSessions", &s.LogFailedSessions},
		{"logFailedQueries", &s.LogFailedQueries},
	} {
		if x, err := wire.FieldPtr(o, f.key, wire.DecodeBool); err != nil {
			return s, err
		} else if x != nil {
			*f.dst = *x
		}
	}
	for _, f := range []struct {
		key string
		dst *float64
	}{
		{"slowSessionDuration", &s.SlowSessionDuration},
		{"slowQueryDuration", &s.SlowQueryDuration},
	} {
		if x, err := wire.FieldPtr(o, f.key, wire.DecodeDouble); err != nil {
			return s, err
		} else if x != nil {
			*f.dst = *x
		}
	}
	return s, nil
}

func encodeOverrides(e *wire.Encoder, list []LogSettingsOverride) {
	e.ArrayStart()
	for i := range list {
		o := &list[i]
		e.Elem()
		e.ObjectStart()
		for _, f := range []struct {
			key string
			v   *string
		}{{"module", o.Module}, {"endpoint", o.Endpoint}, {"method", o.Method}} {
			if f.v != nil {
				e.Key(f.key)
				e.String(*f.v)
			}
		}
		e.Key("logSettings")
		o.LogSettings.encode(e)
		e.ObjectEnd()
	}
	e.ArrayEnd()
}

func decodeOverrides(v any) ([]LogSettingsOverride, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("logSettingsOverrides is not a list")
	}
	out := make([]LogSettingsOverride, 0, len(list))
	for i, item := range list {
		o, err := wire.Object(item)
		if err != nil {
			return nil, wire.AtIndex(err, i)
		}
		var ov LogSettingsOverride
		if ov.Module, err = wire.FieldPtr(o, "module", wire.DecodeString); err != nil {
			return nil, wire.AtIndex(err, i)
		}
		if ov.Endpoint, err = wire.FieldPtr(o, "endpoint", wire.DecodeString); err != nil {
			return nil, wire.AtIndex(err, i)
		}
		if ov.Method, err = wire.FieldPtr(o, "method", wire.DecodeString); err != nil {
			return nil, wire.AtIndex(err, i)
		}
		if ov.LogSettings, err = decodeLogSettings(o["logSettings"]); err != nil {
			return nil, wire.AtIndex(wire.AtKey(err, "logSettings"), i)
		}
		out = append(out, ov)
	}
	return out, nil
}

// columns renders the two json columns as Serverpod 2.4 writes them.
func (r *RuntimeSettings) columns() (logSettings, overrides string, err error) {
	e := wire.NewEncoder(false)
	r.LogSettings.encode(e)
	b, err := e.Bytes()
	if err != nil {
		return "", "", fmt.Errorf("encoding the log settings: %w", err)
	}
	e = wire.NewEncoder(false)
	encodeOverrides(e, r.LogSettingsOverrides)
	o, err := e.Bytes()
	if err != nil {
		return "", "", fmt.Errorf("encoding the log settings overrides: %w", err)
	}
	return string(b), string(o), nil
}

// LoadSettings reads the first row of serverpod_runtime_settings, as
// Serverpod 2.4 does at start; when there is none it writes the defaults
// and returns them.
func LoadSettings(ctx context.Context, d *db.DB) (RuntimeSettings, error) {
	var (
		rs                  RuntimeSettings
		settings, overrides string
	)
	err := d.QueryRow(ctx, `SELECT "id", "logSettings"::text, "logSettingsOverrides"::text, "logServiceCalls", "logMalformedCalls"
    FROM "serverpod_runtime_settings" ORDER BY "id" LIMIT 1`).
		Scan(&rs.ID, &settings, &overrides, &rs.LogServiceCalls, &rs.LogMalformedCalls)
	if errors.Is(err, db.ErrNotFound) {
		rs = DefaultRuntimeSettings()
		if err := StoreSettings(ctx, d, &rs); err != nil {
			return rs, err
		}
		return rs, nil
	}
	if err != nil {
		return rs, fmt.Errorf("loading the runtime settings: %w", err)
	}
	v, err := wire.Parse([]byte(settings))
	if err == nil {
		rs.LogSettings, err = decodeLogSettings(v)
	}
	if err != nil {
		return rs, fmt.Errorf("serverpod_runtime_settings row %d, logSettings: %w", rs.ID, err)
	}
	v, err = wire.Parse([]byte(overrides))
	if err == nil {
		rs.LogSettingsOverrides, err = decodeOverrides(v)
	}
	if err != nil {
		return rs, fmt.Errorf("serverpod_runtime_settings row %d, logSettingsOverrides: %w", rs.ID, err)
	}
	return rs, nil
}

// StoreSettings writes rs over the settings row (rs.ID), or inserts it
// when rs.ID is 0 and sets rs.ID.
func StoreSettings(ctx context.Context, d *db.DB, rs *RuntimeSettings) error {
	settings, overrides, err := rs.columns()
	if err != nil {
		return err
	}
	if rs.ID == 0 {
		err = d.QueryRow(ctx, `INSERT INTO "serverpod_runtime_settings"
    ("logSettings", "logSettingsOverrides", "logServiceCalls", "logMalformedCalls")
    VALUES ($1, $2, $3, $4) RETURNING "id"`, settings, overrides, rs.LogServiceCalls, rs.LogMalformedCalls).Scan(&rs.ID)
	} else {
		tag, uerr := d.Exec(ctx, `UPDATE "serverpod_runtime_settings" SET "logSettings" = $2, "logSettingsOverrides" = $3,
    "logServiceCalls" = $4, "logMalformedCalls" = $5 WHERE "id" = $1`, rs.ID, settings, overrides, rs.LogServiceCalls, rs.LogMalformedCalls)
		err = uerr
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("row %d is gone", rs.ID)
		}
	}
	if err != nil {
		return fmt.Errorf("storing the runtime settings: %w", err)
	}
	return nil
}
