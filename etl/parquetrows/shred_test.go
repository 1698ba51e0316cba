package parquetrows

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
)

// tnode is a hand-built Parquet schema node for tests: unlike parquet-go's
// own nodes it keeps its fields in the given order, takes any name, and
// carries any annotation, so that the legacy layouts of other writers can
// be reproduced.
type tnode struct {
	name   string
	rep    format.FieldRepetitionType
	leaf   parquet.Type // nil for a group
	lt     format.LogicalTypeValue
	ct     *deprecated.ConvertedType
	fields []*tnode
	col    int // leaf column index, set by number
}

func tleaf(name string, rep format.FieldRepetitionType, typ parquet.Type) *tnode {
	return &tnode{name: name, rep: rep, leaf: typ}
}

func tgroup(name string, rep format.FieldRepetitionType, fields ...*tnode) *tnode {
	return &tnode{name: name, rep: rep, fields: fields}
}

// annotated sets a group's logical type (LIST, MAP) or legacy converted type.
func (n *tnode) annotated(lt format.LogicalTypeValue, ct deprecated.ConvertedType) *tnode {
	n.lt, n.ct = lt, &ct
	return n
}

func (n *tnode) ID() int                             { return 0 }
func (n *tnode) String() string                      { return n.name }
func (n *tnode) Optional() bool                      { return n.rep == format.Optional }
func (n *tnode) Repeated() bool                      { return n.rep == format.Repeated }
func (n *tnode) Required() bool                      { return n.rep == format.Required }
func (n *tnode) Leaf() bool                          { return n.leaf != nil }
func (n *tnode) Encoding() encoding.Encoding         { return nil }
func (n *tnode) Compression() compress.Codec         { return nil }
func (n *tnode) GoType() reflect.Type                { return reflect.TypeFor[any]() }
func (n *tnode) Name() string                        { return n.name }
func (n *tnode) Value(v reflect.Value) reflect.Value { return v }

func (n *tnode) Fields() []parquet.Field {
	out := make([]parquet.Field, len(n.fields))
	for i, f := range n.fields {
		out[i] = f
	}
	return out
}

func (n *tnode) Type() parquet.Type {
	if n.leaf != nil {
		return n.leaf
	}
	t := groupAnnotation{Type: parquet.Group{}.Type()}
	if n.lt != nil {
		t.lt = &format.LogicalType{Value: n.lt}
	}
	t.ct = n.ct
	return t
}

type groupAnnotation struct {
	parquet.Type
	lt *format.LogicalType
	ct *deprecated.ConvertedType
}

func (g groupAnnotation) LogicalType() *format.LogicalType         { return g.lt }
func (g groupAnnotation) ConvertedType() *deprecated.ConvertedType { return g.ct }

// number assigns leaf column indexes in depth-first order.
func (n *tnode) number(next *int) {
	if n.leaf != nil {
		n.col = *next
		*next++
		return
	}
	for _, f := range n.fields {
		f.number(next)
	}
}

// shredder stripes values given in the physical shape of a schema into
// leaf columns, as in the Dremel paper: the value of a repeated field is a
// []any of occurrences, the value of a group a []any with one entry per
// field, nil is null (or, for a group, absent), and a leaf value is any Go
// value accepted by parquet.ValueOf (or a parquet.Value).
type shredder struct{ cols [][]parquet.Value }

func (s *shredder) field(n *tnode, v any, r, d, rl int) {
	switch n.rep {
	case format.Repeated:
		items, _ := v.([]any)
		if len(items) == 0 {
			s.nulls(n, r, d)
			return
		}
		for i, it := range items {
			rr := r
			if i > 0 {
				rr = rl + 1
			}
			s.content(n, it, rr, d+1, rl+1)
		}
	case format.Optional:
		if v == nil {
			s.nulls(n, r, d)
			return
		}
		s.content(n, v, r, d+1, rl)
	default:
		s.content(n, v, r, d, rl)
	}
}

func (s *shredder) content(n *tnode, v any, r, d, rl int) {
	if n.leaf != nil {
		pv, ok := v.(parquet.Value)
		if !ok {
			pv = parquet.ValueOf(v)
		}
		s.cols[n.col] = append(s.cols[n.col], pv.Level(r, d, n.col))
		return
	}
	fields := v.([]any)
	for i, f := range n.fields {
		s.field(f, fields[i], r, d, rl)
	}
}

func (s *shredder) nulls(n *tnode, r, d int) {
	if n.leaf != nil {
		s.cols[n.col] = append(s.cols[n.col], parquet.Value{}.Level(r, d, n.col))
		return
	}
	for _, f := range n.fields {
		s.nulls(f, r, d)
	}
}

// writeShredded writes a file of the given top-level fields whose rows are
// given in physical shape (one entry per top-level field).
func writeShredded(t testing.TB, fields []*tnode, rows [][]any, opts ...parquet.WriterOption) []byte {
	t.Helper()
	root := tgroup("schema", format.Required, fields...)
	ncols := 0
	root.number(&ncols)
	var buf bytes.Buffer
	opts = append([]parquet.WriterOption{parquet.NewSchema("schema", root)}, opts...)
	w := parquet.NewWriter(&buf, opts...)
	for _, row := range rows {
		s := shredder{cols: make([][]parquet.Value, ncols)}
		for i, f := range fields {
			s.field(f, row[i], 0, 0, 0)
		}
		var pr parquet.Row
		for _, c := range s.cols {
			pr = append(pr, c...)
		}
		if _, err := w.WriteRows([]parquet.Row{pr}); err != nil {
			t.Fatalf("writing row: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("closing writer: %v", err)
	}
	return buf.Bytes()
}
