package parquetrows

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestInt64sMatchesRows writes INT64 columns every way a writer may store
// them (required, optional with nulls, dictionary, delta, several pages
// and row groups) and checks that Int64s yields what Rows decodes.
func TestInt64sMatchesRows(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	cases := []struct {
		name string
		node parquet.Node
		opts []parquet.WriterOption
	}{
		{"required", parquet.Int(64), nil},
		{"optional", parquet.Optional(parquet.Int(64)), nil},
		{"dictionary", parquet.Optional(parquet.Encoded(parquet.Int(64), &parquet.RLEDictionary)), nil},
		{"delta", parquet.Encoded(parquet.Int(64), &parquet.DeltaBinaryPacked), nil},
		{"pages and groups", parquet.Optional(parquet.Int(64)), []parquet.WriterOption{parquet.PageBufferSize(256), parquet.MaxRowsPerRowGroup(700)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			schema := parquet.NewSchema("t", parquet.Group{"k": c.node, "s": parquet.String()})
			var buf bytes.Buffer
			w := parquet.NewWriter(&buf, append([]parquet.WriterOption{schema}, c.opts...)...)
			for i := 0; i < 3000; i++ {
				k := parquet.Int64Value(r.Int64N(500) - 250)
				if c.node.Optional() && i%7 == 0 {
					k = parquet.NullValue()
				}
				def := 0
				if c.node.Optional() && !k.IsNull() {
					def = 1
				}
				row := parquet.Row{k.Level(0, def, 0), parquet.ByteArrayValue([]byte("x")).Level(0, 0, 1)}
				if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			var want, got []int64
			for row, err := range f.Rows("k") {
				if err != nil {
					t.Fatal(err)
				}
				if row[0] != nil {
					want = append(want, row[0].(int64))
				}
			}
			if err := f.Int64s("k", func(v []int64) error { got = append(got, v...); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("Int64s gave %d values, Rows %d (first %v vs %v)", len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
			}
			if err := f.Int64s("s", func([]int64) error { return nil }); !errors.Is(err, ErrNotInt64) {
				t.Fatalf("string column: %v", err)
			}
			stop := errors.New("stop")
			if err := f.Int64s("k", func([]int64) error { return stop }); !errors.Is(err, stop) {
				t.Fatalf("fn's error: %v", err)
			}
		})
	}
}
