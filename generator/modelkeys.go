package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/gocode"
	"github.com/gopod/gopod/generator/model"
)

// Rendering the Go models is most of what a model change costs, yet a
// change to one model changes the code of few others: a model's code
// depends on the model, on the classes of its inheritance hierarchy and on
// the models it refers to (field types, relations). modelKeys gives each
// model a key that covers all of that, so a run renders only the models
// whose key differs from the last run's and takes the others' files from
// disk.
//
// A key hashes, besides the gopod binary and the Go options:
//   - the unit of the model: every class of its inheritance hierarchy, in
//     full (every field, relation, index, default, doc and position);
//   - the units of the models the unit refers to, in full;
//   - the units those refer to, in full again;
//   - and the identity (name, kind, table, module, …) of the models one
//     step further.
//
// Rendering reads a related model's fields (a relation's foreign key, an
// include's columns) but not, as far as the emitters go today, those of a
// model two relations away; the second full step is a margin. A test
// compares keyed runs with rendering everything after edits of every kind.
type modelKeys struct {
	global string
	units  map[*model.Model]*unitDigest
	keys   map[*model.Model]string
}

// unitDigest is the hash of one inheritance hierarchy, and the models
// outside it that the hierarchy refers to.
type unitDigest struct {
	sum  string
	refs []*model.Model
	d1   string // sum with the sums of refs: one step
}

func newModelKeys(o gocode.Options) *modelKeys {
	h := sha256.New()
	fmt.Fprintf(h, "model keys v1\ngopod %s\n%s", gopod.Version, binaryLine())
	fmt.Fprintf(h, "%q %v %q %q %q\n", o.Name, o.Module, o.ProtocolPkg, o.DispatchPkg, o.ClientPkg)
	for _, m := range o.Modules {
		fmt.Fprintf(h, "module %q %q %q %q %q\n", m.Name, m.Nickname, m.ProtocolPkg, m.DispatchPkg, m.ClientPkg)
	}
	for _, c := range o.Custom {
		d := newDigester()
		d.unit[c] = 0
		d.value(reflect.ValueOf(c))
		fmt.Fprintf(h, "custom %s\n", d.sum())
	}
	return &modelKeys{global: hex.EncodeToString(h.Sum(nil)), units: map[*model.Model]*unitDigest{}, keys: map[*model.Model]string{}}
}

// compute keys every model of models. It is not safe for concurrent use;
// key is, afterwards.
func (k *modelKeys) compute(models []*model.Model) {
	for _, m := range models {
		k.keys[m] = k.key(m)
	}
}

func (k *modelKeys) key(m *model.Model) string {
	u := k.unit(m)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", k.global, k.d1(u))
	for _, r := range u.refs {
		fmt.Fprintf(h, "%s\n", k.d1(k.unit(r)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (k *modelKeys) d1(u *unitDigest) string {
	if u.d1 == "" {
		h := sha256.New()
		fmt.Fprintf(h, "%s\n", u.sum)
		for _, r := range u.refs {
			fmt.Fprintf(h, "%s\n", k.unit(r).sum)
		}
		u.d1 = hex.EncodeToString(h.Sum(nil))
	}
	return u.d1
}

// hierarchy returns the classes of m's inheritance hierarchy: its root
// and every descendant of the root.
func hierarchy(m *model.Model) []*model.Model {
	root := m
	for root.Parent != nil {
		root = root.Parent
	}
	return append([]*model.Model{root}, root.Descendants()...)
}

func (k *modelKeys) unit(m *model.Model) *unitDigest {
	if u, ok := k.units[m]; ok {
		return u
	}
	members := hierarchy(m)
	d := newDigester()
	for i, x := range members {
		d.unit[x] = i
	}
	for _, x := range members {
		d.value(reflect.ValueOf(x))
	}
	u := &unitDigest{sum: d.sum()}
	for r := range d.refs {
		u.refs = append(u.refs, r)
	}
	sort.Slice(u.refs, func(i, j int) bool { return modelID(u.refs[i]) < modelID(u.refs[j]) })
	u.refs = slices.CompactFunc(u.refs, func(a, b *model.Model) bool { return a == b })
	for _, x := range members {
		k.units[x] = u
	}
	return u
}

// modelID names a model among all the project's and its modules' models.
func modelID(m *model.Model) string {
	return fmt.Sprintf("%d/%s/%s/%s", m.Kind, m.Module, m.ClassName, m.GoPkg)
}

// digester writes a canonical form of a model graph into buf: every
// value reachable from the unit's models, except other models, which it
// writes by identity and collects in refs.
type digester struct {
	buf  []byte
	unit map[*model.Model]int
	seen map[uintptr]int
	refs map[*model.Model]bool
}

func newDigester() *digester {
	return &digester{unit: map[*model.Model]int{}, seen: map[uintptr]int{}, refs: map[*model.Model]bool{}}
}

// sum returns the hash of what was written.
func (d *digester) sum() string {
	s := sha256.Sum256(d.buf)
	return hex.EncodeToString(s[:])
}

var modelPtrType = reflect.TypeOf((*model.Model)(nil))

func (d *digester) str(s string) {
	d.buf = strconv.AppendInt(d.buf, int64(len(s)), 10)
	d.buf = append(d.buf, ':')
	d.buf = append(d.buf, s...)
}

func (d *digester) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			d.buf = append(d.buf, "nil;"...)
			return
		}
		if v.Type() == modelPtrType {
			m := v.Interface().(*model.Model)
			if i, ok := d.unit[m]; ok {
				if _, done := d.seen[v.Pointer()]; done {
					d.buf = append(d.buf, "unit "...)
					d.buf = strconv.AppendInt(d.buf, int64(i), 10)
					return
				}
			} else {
				d.refs[m] = true
				d.buf = fmt.Appendf(d.buf, "model %q %q %q %d %q %q %v %v %d %q %q %q %q %q %d %v;",
					m.Module, m.ModuleName, m.ClassName, m.Kind, m.FileName, m.SubDir, m.ServerOnly, m.Sealed,
					m.Serialized, m.Table, m.GoPkg, m.GoName, m.DartURL, m.Extends, len(m.Children), m.Parent != nil)
				return
			}
		}
		if i, ok := d.seen[v.Pointer()]; ok {
			d.buf = append(d.buf, "seen "...)
			d.buf = strconv.AppendInt(d.buf, int64(i), 10)
			return
		}
		d.seen[v.Pointer()] = len(d.seen)
		d.value(v.Elem())
	case reflect.Struct:
		t := v.Type()
		d.buf = append(d.buf, '{')
		for i := range t.NumField() {
			d.buf = append(d.buf, t.Field(i).Name...)
			d.buf = append(d.buf, ':')
			d.value(v.Field(i))
		}
		d.buf = append(d.buf, '}')
	case reflect.Slice, reflect.Array:
		d.buf = append(d.buf, '[')
		d.buf = strconv.AppendInt(d.buf, int64(v.Len()), 10)
		d.buf = append(d.buf, ':')
		for i := range v.Len() {
			d.value(v.Index(i))
		}
		d.buf = append(d.buf, ']')
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		d.buf = fmt.Appendf(d.buf, "map%d{", len(keys))
		for _, key := range keys {
			d.value(key)
			d.value(v.MapIndex(key))
		}
		d.buf = append(d.buf, '}')
	case reflect.Interface:
		if v.IsNil() {
			d.buf = append(d.buf, "nil;"...)
			return
		}
		d.str(v.Elem().Type().String())
		d.value(v.Elem())
	case reflect.String:
		d.str(v.String())
		d.buf = append(d.buf, ';')
	case reflect.Bool:
		d.buf = strconv.AppendBool(d.buf, v.Bool())
		d.buf = append(d.buf, ';')
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.buf = strconv.AppendInt(d.buf, v.Int(), 10)
		d.buf = append(d.buf, ';')
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.buf = strconv.AppendUint(d.buf, v.Uint(), 10)
		d.buf = append(d.buf, ';')
	case reflect.Float32, reflect.Float64:
		d.buf = strconv.AppendFloat(d.buf, v.Float(), 'g', -1, 64)
		d.buf = append(d.buf, ';')
	default:
		// Functions and channels are not part of a model's meaning.
		d.buf = append(d.buf, v.Kind().String()...)
		d.buf = append(d.buf, ';')
	}
}

// derive returns keys for another emitter's output: each model's key
// with the emitter's options.
func (k *modelKeys) derive(options any) map[*model.Model]string {
	d := newDigester()
	d.value(reflect.ValueOf(options))
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", d.sum())
	refs := slices.SortedFunc(maps.Keys(d.refs), func(a, b *model.Model) int { return strings.Compare(modelID(a), modelID(b)) })
	for _, r := range refs {
		fmt.Fprintf(h, "%s\n", k.unit(r).sum) // custom classes, in full
	}
	opts := hex.EncodeToString(h.Sum(nil))
	out := make(map[*model.Model]string, len(k.keys))
	for m, key := range k.keys {
		sum := sha256.Sum256([]byte(key + " " + opts))
		out[m] = hex.EncodeToString(sum[:])
	}
	return out
}

// bySource maps keys by model file, for the manifest.
func (k *modelKeys) bySource(keys map[*model.Model]string) map[string]string {
	out := make(map[string]string, len(keys))
	for m, key := range keys {
		out[m.SourcePath] = key
	}
	return out
}

// unchanged returns the file at path when the last run gave model m the
// same key and the file is as that run wrote it.
func (last *manifest) unchanged(m *model.Model, key, path string, rel func(string) string) ([]byte, bool) {
	if last == nil || key == "" || last.ModelKeys[m.SourcePath] != key {
		return nil, false
	}
	return last.file(path, rel)
}

// unchangedDart is unchanged for a model's Dart file.
func (last *manifest) unchangedDart(m *model.Model, key, path string, rel func(string) string) ([]byte, bool) {
	if last == nil || key == "" || last.DartKeys[m.SourcePath] != key {
		return nil, false
	}
	return last.file(path, rel)
}

func (last *manifest) file(path string, rel func(string) string) ([]byte, bool) {
	want, ok := last.Outputs[rel(path)]
	if !ok {
		return nil, false
	}
	data, sum, ok := sumFile(path)
	return data, ok && sum == want
}

// sumFile reads a file and its SHA-256 in hex.
func sumFile(path string) ([]byte, string, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", false
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), true
}
