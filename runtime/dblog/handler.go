package dblog

import (
	"context"
	"log/slog"
	"slices"
	"strings"
)

// Handler is the slog handler behind a session's logger: every record goes
// to the console handler as before, and records at or above the runtime
// settings' log level become rows of serverpod_log for the session.
//
// The record's message is the entry's message, followed by its attributes
// as key=value; an attribute named "error" or "err" fills the error column
// and one named "stack" or "stackTrace" the stack trace column, as
// Serverpod's session.log(message, exception:, stackTrace:) does.
type Handler struct {
	next    slog.Handler
	session *Session
	// attrs holds WithAttrs' attributes, already prefixed with the groups
	// open when they were added; group is the prefix for the record's own.
	attrs []slog.Attr
	group string
}

// NewHandler returns a handler that logs to console (which may be nil)
// and to the session.
func NewHandler(console slog.Handler, s *Session) *Handler {
	return &Handler{next: console, session: s}
}

// Enabled reports whether either destination takes records of level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.session.Wants(LevelOf(level)) || (h.next != nil && h.next.Enabled(ctx, level))
}

// Handle writes the record to the console and to the session's log.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.next != nil && h.next.Enabled(ctx, r.Level) {
		err = h.next.Handle(ctx, r)
	}
	level := LevelOf(r.Level)
	if !h.session.Wants(level) {
		return err
	}
	var (
		msg                strings.Builder
		errText, stackText string
	)
	msg.WriteString(r.Message)
	add := func(prefix string, a slog.Attr) bool {
		h.format(&msg, &errText, &stackText, prefix, a)
		return true
	}
	for _, a := range h.attrs {
		add("", a)
	}
	r.Attrs(func(a slog.Attr) bool { return add(h.group, a) })
	h.session.Entry(level, msg.String(), errText, stackText)
	return err
}

// format appends one attribute (a group's members one by one) to the
// message, or takes it as the error or stack trace.
func (h *Handler) format(msg *strings.Builder, errText, stackText *string, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, m := range a.Value.Group() {
			h.format(msg, errText, stackText, p, m)
		}
		return
	}
	if prefix == "" {
		switch a.Key {
		case "error", "err":
			if *errText == "" {
				*errText = a.Value.String()
				return
			}
		case "stack", "stackTrace":
			if *stackText == "" {
				*stackText = a.Value.String()
				return
			}
		}
	}
	msg.WriteByte(' ')
	msg.WriteString(prefix)
	msg.WriteString(a.Key)
	msg.WriteByte('=')
	msg.WriteString(a.Value.String())
}

// WithAttrs returns a handler whose records carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	if h.next != nil {
		c.next = h.next.WithAttrs(attrs)
	}
	c.attrs = slices.Clip(h.attrs)
	if h.group == "" {
		c.attrs = append(c.attrs, attrs...)
	} else {
		c.attrs = append(c.attrs, slog.Attr{Key: strings.TrimSuffix(h.group, "."), Value: slog.GroupValue(attrs...)})
	}
	return &c
}

// WithGroup returns a handler that nests later attributes under name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	if h.next != nil {
		c.next = h.next.WithGroup(name)
	}
	c.group = h.group + name + "."
	return &c
}
