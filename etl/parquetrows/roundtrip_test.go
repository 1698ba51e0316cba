package parquetrows

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// Rows written by parquet-go's own reflection-based writer: an independent
// implementation of the striping that this package inverts.

type rtInner struct {
	X *int32   `parquet:"x,optional"`
	S *string  `parquet:"s,optional"`
	L []*int64 `parquet:"l,list,optional"`
}

type rtRow struct {
	ID      int64             `parquet:"id"`
	Opt     *rtInner          `parquet:"opt,optional"`
	Ints    []*int32          `parquet:"ints,list,optional"`
	Structs []*rtInner        `parquet:"structs,list,optional"`
	M       map[string]*int64 `parquet:"m,optional"`
	Nested  [][]int32         `parquet:"nested,list"`
	Bare    []string          `parquet:"bare"`
}

// model is the row this package must decode from r.
func (r rtRow) model() []any {
	return []any{r.ID, r.Opt.model(), optList(r.Ints, ptrVal[int32]), optList(r.Structs, (*rtInner).model),
		mapModel(r.M), reqList(r.Nested, func(l []int32) any { return reqList(l, func(v int32) any { return v }) }),
		reqList(r.Bare, func(s string) any { return s })}
}

func (in *rtInner) model() any {
	if in == nil {
		return nil
	}
	return st("x", ptrVal(in.X), "s", ptrVal(in.S), "l", optList(in.L, ptrVal[int64]))
}

func ptrVal[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func optList[T any](l []T, f func(T) any) any {
	if l == nil {
		return nil
	}
	return reqList(l, f)
}

func reqList[T any](l []T, f func(T) any) List {
	out := List{}
	for _, e := range l {
		out = append(out, f(e))
	}
	return out
}

func mapModel(m map[string]*int64) any {
	if m == nil {
		return nil
	}
	out := Map{}
	for k, v := range m {
		out = append(out, MapEntry{k, ptrVal(v)})
	}
	return sortMap(out)
}

func sortMap(m Map) Map {
	slices.SortFunc(m, func(a, b MapEntry) int { return strings.Compare(canon(a.Key), canon(b.Key)) })
	return m
}

// randomRows makes rows with nulls, empty and non-empty lists at every level.
func randomRows(n int, seed uint64) []rtRow {
	rng := rand.New(rand.NewPCG(seed, 1))
	ptr32 := func() *int32 {
		if rng.IntN(4) == 0 {
			return nil
		}
		v := rng.Int32N(1000) - 500
		return &v
	}
	ptr64 := func() *int64 {
		if rng.IntN(4) == 0 {
			return nil
		}
		v := rng.Int64()
		return &v
	}
	size := func() int { return rng.IntN(5) }
	inner := func() *rtInner {
		if rng.IntN(4) == 0 {
			return nil
		}
		in := &rtInner{X: ptr32()}
		if rng.IntN(3) > 0 {
			s := strconv.Itoa(rng.IntN(100))
			in.S = &s
		}
		if rng.IntN(3) > 0 {
			in.L = make([]*int64, size())
			for i := range in.L {
				in.L[i] = ptr64()
			}
		}
		return in
	}
	rows := make([]rtRow, n)
	for i := range rows {
		r := rtRow{ID: int64(i), Opt: inner()}
		if rng.IntN(3) > 0 {
			r.Ints = make([]*int32, size())
			for j := range r.Ints {
				r.Ints[j] = ptr32()
			}
		}
		if rng.IntN(3) > 0 {
			r.Structs = make([]*rtInner, size())
			for j := range r.Structs {
				r.Structs[j] = inner()
			}
		}
		if rng.IntN(3) > 0 {
			r.M = map[string]*int64{}
			for range size() {
				r.M["k"+strconv.Itoa(rng.IntN(20))] = ptr64()
			}
		}
		r.Nested = make([][]int32, size())
		for j := range r.Nested {
			r.Nested[j] = make([]int32, size())
			for k := range r.Nested[j] {
				r.Nested[j][k] = rng.Int32()
			}
		}
		for range size() {
			r.Bare = append(r.Bare, strings.Repeat("b", rng.IntN(40)))
		}
		rows[i] = r
	}
	return rows
}

func writeRT(t testing.TB, rows []rtRow, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[rtRow](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip decodes random nested rows written by parquet-go, in small
// pages and several row groups, with both data page versions, and compares
// them with the rows written and with DuckDB's reading of the file.
func TestRoundTrip(t *testing.T) {
	rows := randomRows(3000, 7)
	db := openDuckDB(t)
	for _, tc := range []struct {
		name string
		opts []parquet.WriterOption
	}{
		{"v2", []parquet.WriterOption{parquet.PageBufferSize(256), parquet.MaxRowsPerRowGroup(700)}},
		{"v1-snappy", []parquet.WriterOption{parquet.PageBufferSize(300), parquet.MaxRowsPerRowGroup(1000),
			parquet.DataPageVersion(1), parquet.Compression(&parquet.Snappy)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := writeRT(t, rows, tc.opts...)
			f, err := Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if f.NumRowGroups() < 3 {
				t.Errorf("%d row groups; the test wants several", f.NumRowGroups())
			}
			got, err := f.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(rows) {
				t.Fatalf("%d rows, want %d", len(got), len(rows))
			}
			cols := f.Columns()
			for i, row := range got {
				if m, ok := row[4].(Map); ok {
					row[4] = sortMap(slices.Clone(m))
				}
				if want := rows[i].model(); !reflect.DeepEqual(row, want) {
					t.Fatalf("row %d:\n got %s\nwant %s", i, canon(row), canon(want))
				}
				for j, v := range row {
					if err := conforms(v, cols[j]); err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
				}
			}
			path := filepath.Join(t.TempDir(), "rt.parquet")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			crossCheck(t, db, path)
		})
	}
}

// TestProjection reads some columns, in another order than the file's, and
// checks that the other columns are not decoded.
func TestProjection(t *testing.T) {
	rows := randomRows(500, 3)
	data := writeRT(t, rows, parquet.MaxRowsPerRowGroup(200))
	f, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.NewReader("structs", "id")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if cols := r.Columns(); len(cols) != 2 || cols[0].Name != "structs" || cols[1].Name != "id" {
		t.Fatalf("columns %v", cols)
	}
	decoded := 0
	for _, c := range r.cols {
		if c != nil {
			decoded++
		}
	}
	if decoded != 1+3 { // id, and the x, s and l leaves of structs
		t.Errorf("%d leaf columns set up for decoding, want 4", decoded)
	}
	for i := 0; ; i++ {
		row, err := r.Next()
		if err != nil {
			if i != len(rows) || !errors.Is(err, io.EOF) {
				t.Fatalf("after %d rows: %v", i, err)
			}
			break
		}
		want := rows[i].model()
		if !reflect.DeepEqual(row, []any{want[3], want[0]}) {
			t.Fatalf("row %d: got %s", i, canon(row))
		}
	}
	if _, err := f.NewReader("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown column: err = %v", err)
	}
	none, err := f.ReadAll("id")
	if err != nil || len(none) != len(rows) {
		t.Errorf("ReadAll(id): %d rows, %v", len(none), err)
	}
}
