package parquetbench

import (
	"bytes"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestParquetGoGroupSortsColumns pins the parquet-go behaviour RESULTS.md
// warns about: a parquet.Group (a map) lays its columns out sorted by name,
// whatever order the table schema has, while a struct schema keeps the
// order of its fields.
func TestParquetGoGroupSortsColumns(t *testing.T) {
	group := parquet.Group{
		"id":                     parquet.Int(64),
		"order_id":               parquet.Int(64),
		"user_id":                parquet.Int(64),
		"days_since_prior_order": parquet.Optional(parquet.Int(32)),
		"product_id":             parquet.Int(64),
		"add_to_cart_order":      parquet.Int(32),
		"reordered":              parquet.Leaf(parquet.BooleanType),
		"order_timestamp":        parquet.Timestamp(parquet.Microsecond),
	}
	sorted := slices.Sorted(slices.Values(columnNames()))
	if got := leafNames(parquet.NewSchema("spark_schema", group)); !slices.Equal(got, sorted) {
		t.Errorf("Group columns %v; want them sorted: %v", got, sorted)
	}
	if got := leafNames(parquet.SchemaOf(orderItem{})); !slices.Equal(got, columnNames()) {
		t.Errorf("struct columns %v; want %v", got, columnNames())
	}
}

func leafNames(s *parquet.Schema) []string {
	var names []string
	for _, path := range s.Columns() {
		names = append(names, path[0])
	}
	return names
}

// TestParquetGoOptionalTagNullsZero pins the other trap RESULTS.md warns
// about: the optional tag on a non-pointer field writes the zero value as
// null, so a nullable column whose zero is a real value (0 days since the
// prior order) needs a pointer field (or definition levels on the column
// path), as orderItem has.
func TestParquetGoOptionalTagNullsZero(t *testing.T) {
	type tagged struct {
		Days int32 `parquet:"days_since_prior_order,optional"`
	}
	type pointer struct {
		Days *int32 `parquet:"days_since_prior_order"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[tagged](&buf)
	if _, err := w.Write([]tagged{{0}, {7}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.Read[pointer](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Days != nil || got[1].Days == nil || *got[1].Days != 7 {
		t.Errorf("read back %+v; want a null then 7", got)
	}
}

// orderedGroup is a parquet.Group whose columns keep the given order
// instead of being sorted by name: the workaround for schemas built at run
// time (as etl/delta builds them from a Delta schema), where no struct type
// is at hand. order must name every field of the group exactly once.
type orderedGroup struct {
	parquet.Group
	order []string
}

// Fields returns the group's fields in g.order.
func (g orderedGroup) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	fields := make([]parquet.Field, len(g.order))
	for i, name := range g.order {
		fields[i] = byName[name]
	}
	return fields
}

// TestParquetGoOrderedGroup checks the orderedGroup workaround: its columns
// keep schema order, and WriteRows writes by that order (a row's values are
// indexed by leaf column in that order).
func TestParquetGoOrderedGroup(t *testing.T) {
	schema := parquet.NewSchema("spark_schema", orderedGroup{
		Group: parquet.Group{
			"id":                     parquet.Int(64),
			"days_since_prior_order": parquet.Optional(parquet.Int(32)),
		},
		order: []string{"id", "days_since_prior_order"},
	})
	if got, want := leafNames(schema), []string{"id", "days_since_prior_order"}; !slices.Equal(got, want) {
		t.Fatalf("columns %v; want %v", got, want)
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	if _, err := w.WriteRows([]parquet.Row{{
		parquet.Int64Value(5).Level(0, 0, 0),
		parquet.Int32Value(7).Level(0, 1, 1),
	}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID   int64  `parquet:"id"`
		Days *int32 `parquet:"days_since_prior_order"`
	}
	got, err := parquet.Read[row](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != 5 || got[0].Days == nil || *got[0].Days != 7 {
		t.Errorf("read back %+v; want id 5, days 7", got)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if got := leafNames(f.Schema()); !slices.Equal(got, []string{"id", "days_since_prior_order"}) {
		t.Errorf("file columns %v", got)
	}
}
