package parquetrows

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

// fakePages serves given values as pages, the way legacy writers may cut
// them: a record may start in one page and end in the next, and a page may
// be empty. Only the methods the column reader uses are implemented.
type fakePages struct {
	parquet.Pages
	pages [][]parquet.Value
}

func (p *fakePages) ReadPage() (parquet.Page, error) {
	if len(p.pages) == 0 {
		return nil, io.EOF
	}
	pg := &fakePage{values: p.pages[0]}
	p.pages = p.pages[1:]
	return pg, nil
}

func (p *fakePages) Close() error { return nil }

type fakePage struct {
	parquet.Page
	values []parquet.Value
}

func (p *fakePage) Values() parquet.ValueReader { return &fakeValues{values: p.values} }

// fakeValues returns at most two values per call, and io.EOF together with
// the last ones.
type fakeValues struct{ values []parquet.Value }

func (r *fakeValues) ReadValues(buf []parquet.Value) (int, error) {
	n := copy(buf[:min(len(buf), 2)], r.values)
	r.values = r.values[n:]
	if len(r.values) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// TestRecordsAcrossPages cuts the values of a nested column at every
// position, so that records straddle pages, and checks the values
// assembled.
func TestRecordsAcrossPages(t *testing.T) {
	field := tgroup("outer", opt, tgroup("list", rpt,
		tgroup("element", opt, tgroup("list", rpt, tleaf("element", opt, i32))).annotated(listLT, deprecated.List),
	)).annotated(listLT, deprecated.List)
	physical := []any{plist(plist(int32(1), nil), plist(), nil, plist(int32(2))), nil, plist(),
		plist(plist(int32(3), int32(4), int32(5))), plist(nil)}
	want := []any{List{List{int32(1), nil}, List{}, nil, List{int32(2)}}, nil, List{},
		List{List{int32(3), int32(4), int32(5)}}, List{nil}}
	var rows [][]any
	for _, p := range physical {
		rows = append(rows, []any{p})
	}
	data := writeShredded(t, []*tnode{field}, rows)
	f, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var values []parquet.Value
	s := shredder{cols: make([][]parquet.Value, 1)}
	for _, p := range physical {
		s.field(field, p, 0, 0, 0)
	}
	values = s.cols[0]

	for cut1 := 0; cut1 <= len(values); cut1++ {
		for cut2 := cut1; cut2 <= len(values); cut2++ {
			pages := &fakePages{pages: [][]parquet.Value{values[:cut1], values[cut1:cut2], {}, values[cut2:]}}
			c := newColumnReader(f.leaves[0])
			if err := c.reset(pages); err != nil {
				t.Fatal(err)
			}
			asm := newAssembler([]*columnReader{c}, 2)
			top := make([]span, 1)
			for i, w := range want {
				sp, err := c.nextRecord()
				if err != nil {
					t.Fatalf("cuts %d,%d: record %d: %v", cut1, cut2, i, err)
				}
				top[0] = sp
				got, err := asm.value(f.fields[0], top)
				if err != nil {
					t.Fatalf("cuts %d,%d: record %d: %v", cut1, cut2, i, err)
				}
				if !reflect.DeepEqual(got, w) {
					t.Fatalf("cuts %d,%d: record %d = %s, want %s", cut1, cut2, i, canon(got), canon(w))
				}
			}
			if err := c.finish(int64(len(want))); err != nil {
				t.Fatalf("cuts %d,%d: %v", cut1, cut2, err)
			}
		}
	}

	// A column that runs out of records, or that holds too many, is an
	// error, not a panic.
	c := newColumnReader(f.leaves[0])
	c.reset(&fakePages{pages: [][]parquet.Value{values[:3]}})
	if _, err := c.nextRecord(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.nextRecord(); err == nil || !strings.Contains(err.Error(), "ends before") {
		t.Errorf("short column: err = %v", err)
	}
	c.reset(&fakePages{pages: [][]parquet.Value{values}})
	if _, err := c.nextRecord(); err != nil {
		t.Fatal(err)
	}
	if err := c.finish(1); err == nil || !strings.Contains(err.Error(), "beyond") {
		t.Errorf("long column: err = %v", err)
	}
	// Levels beyond the column's maximum, or a record that does not start
	// at repetition level 0, are errors too.
	c.reset(&fakePages{pages: [][]parquet.Value{{parquet.ValueOf(int32(1)).Level(0, 9, 0)}}})
	if _, err := c.nextRecord(); err == nil || !strings.Contains(err.Error(), "exceed") {
		t.Errorf("bad level: err = %v", err)
	}
	c.reset(&fakePages{pages: [][]parquet.Value{{parquet.ValueOf(int32(1)).Level(1, 3, 0)}}})
	if _, err := c.nextRecord(); err == nil || !strings.Contains(err.Error(), "repetition level 1") {
		t.Errorf("bad first level: err = %v", err)
	}
}
