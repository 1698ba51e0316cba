package parquetrows

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

const (
	req = format.Required
	opt = format.Optional
	rpt = format.Repeated
)

var (
	listLT = new(format.ListType)
	mapLT  = new(format.MapType)
	i32    = parquet.Int32Type
	i64    = parquet.Int64Type
	str    = parquet.String().Type()
)

// Physical-shape helpers (see shredder). plist is the value of a standard
// LIST group (or of a legacy group whose repeated group has one field):
// one occurrence of the repeated group per element. pmap is the value of a
// MAP group: one occurrence of the key/value group per entry. reps is the
// value of a repeated field, or of a two-level LIST group.
func plist(elems ...any) any {
	items := make([]any, len(elems))
	for i, e := range elems {
		items[i] = []any{e}
	}
	return []any{items}
}

func pmap(kvs ...any) any {
	items := make([]any, 0, len(kvs)/2)
	for i := 0; i+1 < len(kvs); i += 2 {
		items = append(items, []any{kvs[i], kvs[i+1]})
	}
	return []any{items}
}

func reps(items ...any) []any { return append([]any{}, items...) }

func st(kv ...any) Struct {
	var s Struct
	for i := 0; i+1 < len(kv); i += 2 {
		s = append(s, Field{Name: kv[i].(string), Value: kv[i+1]})
	}
	return s
}

type levelCase struct {
	name  string
	field *tnode
	rows  []any // physical values of the single column
	want  []any // decoded values
	// notDuckDB, when set, says why DuckDB cannot serve as a cross-check.
	notDuckDB string
}

// DuckDB departs from the backward-compatibility rules of the Parquet
// specification (which parquet-mr/Spark follow) in a few legacy layouts: it
// unwraps any single-field repeated group into its field, and rejects a
// MAP_KEY_VALUE group that is not itself the key/value group or lacks a value.
const (
	duckUnwraps = "DuckDB unwraps single-field repeated groups"
	duckNoMap   = "DuckDB rejects this legacy map layout"
)

func levelCases() []levelCase {
	return []levelCase{{
		name: "three-level lists with nulls at every level",
		field: tgroup("outer", opt, tgroup("list", rpt,
			tgroup("element", opt, tgroup("list", rpt, tleaf("element", opt, i32))).annotated(listLT, deprecated.List),
		)).annotated(listLT, deprecated.List),
		rows: []any{nil, plist(), plist(nil), plist(plist()), plist(plist(nil)),
			plist(plist(int32(1), nil), plist(), nil, plist(int32(2)))},
		want: []any{nil, List{}, List{nil}, List{List{}}, List{List{nil}},
			List{List{int32(1), nil}, List{}, nil, List{int32(2)}}},
	}, {
		name: "structs with null fields at every level",
		field: tgroup("a", opt,
			tgroup("b", opt, tleaf("c", opt, i32), tleaf("d", req, i32)),
			tleaf("e", opt, str)),
		rows: []any{nil, []any{nil, nil}, []any{[]any{nil, int32(5)}, "x"}},
		want: []any{nil, st("b", nil, "e", nil), st("b", st("c", nil, "d", int32(5)), "e", "x")},
	}, {
		name: "list of structs holding two lists",
		field: tgroup("l", opt, tgroup("list", rpt, tgroup("element", opt,
			tgroup("xs", opt, tgroup("list", rpt, tleaf("element", opt, i32))).annotated(listLT, deprecated.List),
			tgroup("ys", opt, tgroup("list", rpt, tleaf("element", opt, str))).annotated(listLT, deprecated.List),
		))).annotated(listLT, deprecated.List),
		rows: []any{plist(nil, []any{plist(int32(1), int32(2)), nil}, []any{plist(), plist("a", nil)})},
		want: []any{List{nil, st("xs", List{int32(1), int32(2)}, "ys", nil), st("xs", List{}, "ys", List{"a", nil})}},
	}, {
		name: "map with null values and list values",
		field: tgroup("m", opt, tgroup("key_value", rpt,
			tleaf("key", req, str),
			tgroup("value", opt, tgroup("list", rpt, tleaf("element", opt, i64))).annotated(listLT, deprecated.List),
		)).annotated(mapLT, deprecated.Map),
		rows: []any{nil, pmap(), pmap("z", plist(int64(1), nil), "b", nil, "a", plist())},
		want: []any{nil, Map{}, Map{{"z", List{int64(1), nil}}, {"b", nil}, {"a", List{}}}},
	}, {
		name:  "two-level list of a repeated primitive",
		field: tgroup("a", opt, tleaf("element", rpt, i32)).annotated(listLT, deprecated.List),
		rows:  []any{nil, []any{reps()}, []any{reps(int32(1), int32(2))}},
		want:  []any{nil, List{}, List{int32(1), int32(2)}},
	}, {
		name: "two-level list of a repeated group of two fields",
		field: tgroup("a", opt, tgroup("element", rpt, tleaf("str", req, str), tleaf("num", req, i32))).
			annotated(listLT, deprecated.List),
		rows: []any{[]any{reps([]any{"x", int32(1)}, []any{"y", int32(2)})}},
		want: []any{List{st("str", "x", "num", int32(1)), st("str", "y", "num", int32(2))}},
	}, {
		name:  "two-level list of a repeated group named array",
		field: tgroup("a", opt, tgroup("array", rpt, tleaf("str", req, str))).annotated(nil, deprecated.List),
		rows:  []any{plist("x", "y")},
		want:  []any{List{st("str", "x"), st("str", "y")}},

		notDuckDB: duckUnwraps,
	}, {
		name:  "two-level list of a repeated group named <list>_tuple",
		field: tgroup("my_list", opt, tgroup("my_list_tuple", rpt, tleaf("str", req, str))).annotated(nil, deprecated.List),
		rows:  []any{plist("x")},
		want:  []any{List{st("str", "x")}},

		notDuckDB: duckUnwraps,
	}, {
		name:  "Spark legacy three-level list (bag/array)",
		field: tgroup("a", opt, tgroup("bag", rpt, tleaf("array", opt, i32))).annotated(nil, deprecated.List),
		rows:  []any{nil, plist(), plist(int32(1), nil, int32(3))},
		want:  []any{nil, List{}, List{int32(1), nil, int32(3)}},
	}, {
		name:  "bare repeated primitive",
		field: tleaf("r", rpt, i32),
		rows:  []any{reps(), reps(int32(1), int32(2))},
		want:  []any{List{}, List{int32(1), int32(2)}},
	}, {
		name:  "bare repeated group",
		field: tgroup("items", rpt, tleaf("x", req, i32), tleaf("s", opt, str)),
		rows:  []any{reps(), reps([]any{int32(1), nil}, []any{int32(2), "b"})},
		want:  []any{List{}, List{st("x", int32(1), "s", nil), st("x", int32(2), "s", "b")}},
	}, {
		name:  "bare repeated group of a bare repeated field",
		field: tgroup("a", rpt, tleaf("b", rpt, i32)),
		rows:  []any{reps([]any{reps()}, []any{reps(int32(1), int32(2))})},
		want:  []any{List{st("b", List{}), st("b", List{int32(1), int32(2)})}},

		notDuckDB: duckUnwraps,
	}, {
		name: "legacy MAP_KEY_VALUE map, file order kept",
		field: tgroup("m", opt, tgroup("map", rpt, tleaf("key", req, str), tleaf("value", opt, i32))).
			annotated(nil, deprecated.MapKeyValue),
		rows: []any{nil, pmap(), pmap("z", int32(1), "a", nil)},
		want: []any{nil, Map{}, Map{{"z", int32(1)}, {"a", nil}}},

		notDuckDB: duckNoMap,
	}, {
		name: "MAP whose key/value group is annotated MAP_KEY_VALUE",
		field: tgroup("m", opt, tgroup("key_value", rpt, tleaf("key", req, i32),
			tgroup("value", opt, tleaf("x", opt, i32))).annotated(nil, deprecated.MapKeyValue)).
			annotated(mapLT, deprecated.Map),
		rows: []any{pmap(int32(2), nil, int32(1), []any{nil}, int32(0), []any{int32(7)})},
		want: []any{Map{{int32(2), nil}, {int32(1), st("x", nil)}, {int32(0), st("x", int32(7))}}},
	}, {
		name:  "map without values",
		field: tgroup("s", opt, tgroup("key_value", rpt, tleaf("key", req, i32))).annotated(mapLT, deprecated.Map),
		rows:  []any{plist(int32(1), int32(2))}, // key-only occurrences
		want:  []any{Map{{int32(1), nil}, {int32(2), nil}}},

		notDuckDB: duckNoMap,
	}, {
		name:  "repeated MAP_KEY_VALUE group outside a MAP",
		field: tgroup("m", rpt, tleaf("key", req, str), tleaf("value", req, i32)).annotated(nil, deprecated.MapKeyValue),
		rows:  []any{reps(), reps([]any{"k", int32(1)})},
		want:  []any{Map{}, Map{{"k", int32(1)}}},
	}}
}

func TestLevels(t *testing.T) {
	db := openDuckDB(t)
	for _, tc := range levelCases() {
		t.Run(tc.name, func(t *testing.T) {
			id := tleaf("id", req, i32)
			var physical [][]any
			for i, r := range tc.rows {
				physical = append(physical, []any{int32(i), r})
			}
			data := writeShredded(t, []*tnode{id, tc.field}, physical)
			f, err := Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.ReadAll(tc.field.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d rows, want %d", len(got), len(tc.want))
			}
			for i, row := range got {
				if !reflect.DeepEqual(row[0], tc.want[i]) {
					t.Errorf("row %d:\n got %#v\nwant %#v", i, row[0], tc.want[i])
				}
				if err := conforms(row[0], f.Columns()[1]); err != nil {
					t.Errorf("row %d: %v", i, err)
				}
			}
			if tc.notDuckDB != "" {
				t.Logf("no DuckDB cross-check: %s", tc.notDuckDB)
				return
			}
			path := filepath.Join(t.TempDir(), "levels.parquet")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			crossCheck(t, db, path)
		})
	}
}
