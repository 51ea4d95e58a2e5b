package endpoint

import (
	"fmt"
	"go/types"
)

// This file recognises the Go shape of a stream, iter.Seq2[T, error] (see
// the package doc of runtime/stream for why), and refuses the shapes that
// look like one but cannot be served, saying what to write instead.

// hooks are the endpoint streaming hooks of pod.Endpoint: methods with
// the session first that are not callable, as 2.4's streamOpened,
// streamClosed and handleStreamMessage are not.
var hooks = map[string]bool{"StreamOpened": true, "HandleStreamMessage": true, "StreamClosed": true}

// streamForm reports whether t is written as a stream, and for
// iter.Seq2[T, error] returns T. Shapes of a stream gopod cannot serve
// (iter.Seq, channels, a second type other than error, a pointer to a
// stream, a stream of streams or of records) are errors.
func (d *discoverer) streamForm(t types.Type) (elem types.Type, isStream bool, err error) {
	short := func(t types.Type) string { return types.TypeString(t, shortQualifier) }
	switch u := types.Unalias(t).(type) {
	case *types.Pointer:
		if _, inner, _ := d.streamForm(u.Elem()); inner {
			return nil, true, fmt.Errorf("a pointer to a stream is not supported (2.4: nullable parameters of the type Stream are not supported); take %s", short(u.Elem()))
		}
	case *types.Chan:
		return nil, true, fmt.Errorf("type %s: a channel is not a stream; use iter.Seq2[%s, error]", short(t), short(u.Elem()))
	case *types.Named:
		o := u.Obj()
		if o.Pkg() == nil || o.Pkg().Path() != "iter" {
			return nil, false, nil
		}
		args := u.TypeArgs()
		switch {
		case o.Name() == "Seq" && args.Len() == 1:
			return nil, true, fmt.Errorf("type %s cannot end with an error; use iter.Seq2[%s, error]", short(t), short(args.At(0)))
		case o.Name() != "Seq2" || args.Len() != 2:
			return nil, false, nil
		}
		if !types.Identical(args.At(1), types.Universe.Lookup("error").Type()) {
			return nil, true, fmt.Errorf("type %s is not a stream: its second type must be error, which ends the stream (iter.Seq2[%s, error])", short(t), short(args.At(0)))
		}
		if _, inner, _ := d.streamForm(args.At(0)); inner {
			return nil, true, fmt.Errorf("type %s is a stream of streams, which 2.4 cannot send; stream the values, or models holding them", short(t))
		}
		return args.At(0), true, nil
	}
	return nil, false, nil
}

// streamType is the Type of the values of a stream of elem.
func (d *discoverer) streamType(elem types.Type) (*Type, error) {
	t, err := d.goForm(elem)
	if err != nil {
		return nil, err
	}
	if t.HasRecord() {
		return nil, fmt.Errorf("a stream of %s is not supported: a record has no class name to travel under on a WebSocket; stream a model class instead", t)
	}
	return t, nil
}

// isStreamLike reports whether t is a stream form, for the error that
// streams cannot be nested in other types.
func isStreamLike(t types.Type) bool {
	switch u := types.Unalias(t).(type) {
	case *types.Chan:
		return true
	case *types.Named:
		o := u.Obj()
		return o.Pkg() != nil && o.Pkg().Path() == "iter" && (o.Name() == "Seq" || o.Name() == "Seq2")
	}
	return false
}
