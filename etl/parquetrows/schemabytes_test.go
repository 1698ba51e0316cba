package parquetrows

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestSchemaBytes: equal schemas give equal bytes whatever the data; a
// column more, another order, another type or annotation gives other
// bytes; damaged footers fail.
func TestSchemaBytes(t *testing.T) {
	write := func(g parquet.Group, rows int) []byte {
		t.Helper()
		var buf bytes.Buffer
		schema := parquet.NewSchema("t", g)
		w := parquet.NewWriter(&buf, schema)
		for i := range rows {
			row := make(parquet.Row, len(schema.Fields()))
			for k, f := range schema.Fields() {
				v := parquet.Int64Value(int64(i))
				if f.Type().Kind() == parquet.ByteArray {
					v = parquet.ByteArrayValue([]byte("x"))
				}
				row[k] = v.Level(0, 0, k)
			}
			if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	schemaOf := func(b []byte) []byte {
		t.Helper()
		s, err := SchemaBytes(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := parquet.Group{"a": parquet.Int(64), "b": parquet.String()}
	one, other := schemaOf(write(base, 3)), schemaOf(write(base, 3000))
	if !bytes.Equal(one, other) {
		t.Fatal("the same schema gives different bytes")
	}
	for name, g := range map[string]parquet.Group{
		"a column more": {"a": parquet.Int(64), "b": parquet.String(), "c": parquet.Int(64)},
		"another type":  {"a": parquet.Int(32), "b": parquet.String()},
		"an annotation": {"a": parquet.Int(64), "b": parquet.Leaf(parquet.ByteArrayType)},
		"another name":  {"a": parquet.Int(64), "bb": parquet.String()},
		"optional":      {"a": parquet.Optional(parquet.Int(64)), "b": parquet.String()},
	} {
		if bytes.Equal(schemaOf(write(g, 3)), one) {
			t.Errorf("%s: same schema bytes", name)
		}
	}
	// The corpus: every file's schema bytes decode where Open does.
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.parquet"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Open(bytes.NewReader(b), int64(len(b))); err != nil {
			continue
		}
		if s, err := SchemaBytes(bytes.NewReader(b), int64(len(b))); err != nil || len(s) == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	data := write(base, 10)
	for _, n := range []int{0, 12, len(data) - 9, len(data) - 1} {
		if _, err := SchemaBytes(bytes.NewReader(data[:n]), int64(n)); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
}
