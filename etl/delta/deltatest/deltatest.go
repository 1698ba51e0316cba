// Package deltatest builds Delta tables for tests that compare readers: a
// table with every primitive type stored in every way a reader must handle.
package deltatest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"

	"github.com/lakeops/lakeops/etl/delta"
)

// WideTable writes at dir a table of seven files with every primitive type
// stored in several ways (INT96, millisecond and nanosecond timestamps,
// timestamp_ntz, decimals in INT32, INT64 and 16 bytes, a decimal at
// another scale than the table's, integers wider or narrower than the
// table's, dictionary and delta encodings, small pages and row groups),
// nulls, NaN and infinities, strings that need quoting and escaping,
// partition values that do too (and a null one), and a column only the
// later files have. It returns the number of rows.
func WideTable(t testing.TB, dir string) int64 {
	t.Helper()
	r := rand.New(rand.NewPCG(16, 2))
	s := func(v string) *string { return &v }
	parts := [][2]*string{{s("a,b"), s("2024-02-29")}, {s(" lead"), s("1970-01-01")}, {nil, s("0001-01-01")}, {s(`q"`), nil},
		{s("plain"), s("9999-12-31")}, {s(""), s("2000-01-01")}, {s("é\n"), s("2024-01-01")}}
	actions := []delta.Action{
		{Protocol: &delta.Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{delta.FeatureTimestampNtz}, WriterFeatures: []string{delta.FeatureTimestampNtz}}},
		{MetaData: &delta.Metadata{ID: "wide", Format: delta.Format{Provider: "parquet"}, SchemaString: wideSchema, PartitionColumns: []string{"p", "pd"}}},
	}
	var first int64
	for k, pv := range parts {
		name := fmt.Sprintf("part-%d.parquet", k)
		rows := 500 + r.IntN(1500)
		size := writeWideFile(t, dir, name, r, first, rows, k >= 3)
		first += int64(rows)
		actions = append(actions, delta.Action{Add: &delta.Add{Path: name, PartitionValues: map[string]*string{"p": pv[0], "pd": pv[1]},
			Size: size, DataChange: true}})
	}
	WriteLog(t, dir, 0, actions...)
	return first
}

// wideSchema is a table with every primitive type, stored in every way the
// fast path reads itself or hands to the row path.
const wideSchema = `{"type":"struct","fields":[` +
	`{"name":"id","type":"long","nullable":false,"metadata":{}},` +
	`{"name":"i","type":"integer","nullable":true,"metadata":{}},` +
	`{"name":"i_from_long","type":"integer","nullable":true,"metadata":{}},` +
	`{"name":"sh","type":"short","nullable":true,"metadata":{}},` +
	`{"name":"by","type":"byte","nullable":true,"metadata":{}},` +
	`{"name":"l_from_int","type":"long","nullable":true,"metadata":{}},` +
	`{"name":"f","type":"float","nullable":true,"metadata":{}},` +
	`{"name":"d","type":"double","nullable":true,"metadata":{}},` +
	`{"name":"d_from_float","type":"double","nullable":true,"metadata":{}},` +
	`{"name":"b","type":"boolean","nullable":true,"metadata":{}},` +
	`{"name":"s","type":"string","nullable":true,"metadata":{}},` +
	`{"name":"s_dict","type":"string","nullable":true,"metadata":{}},` +
	`{"name":"uuid","type":"string","nullable":true,"metadata":{}},` +
	`{"name":"bin","type":"binary","nullable":true,"metadata":{}},` +
	`{"name":"dt","type":"date","nullable":true,"metadata":{}},` +
	`{"name":"ts_us","type":"timestamp","nullable":true,"metadata":{}},` +
	`{"name":"ts_ms","type":"timestamp","nullable":true,"metadata":{}},` +
	`{"name":"ts_ns","type":"timestamp","nullable":true,"metadata":{}},` +
	`{"name":"ts_96","type":"timestamp","nullable":true,"metadata":{}},` +
	`{"name":"ntz","type":"timestamp_ntz","nullable":true,"metadata":{}},` +
	`{"name":"dec9","type":"decimal(9,3)","nullable":true,"metadata":{}},` +
	`{"name":"dec18","type":"decimal(18,2)","nullable":true,"metadata":{}},` +
	`{"name":"dec38","type":"decimal(38,6)","nullable":true,"metadata":{}},` +
	`{"name":"dec_rescaled","type":"decimal(12,4)","nullable":true,"metadata":{}},` +
	`{"name":"added_later","type":"string","nullable":true,"metadata":{}},` +
	`{"name":"p","type":"string","nullable":true,"metadata":{}},` +
	`{"name":"pd","type":"date","nullable":true,"metadata":{}}]}`

func wideFileSchema(withLater bool) *parquet.Schema {
	g := parquet.Group{
		"id":           parquet.Int(64),
		"i":            parquet.Optional(parquet.Encoded(parquet.Int(32), &parquet.DeltaBinaryPacked)),
		"i_from_long":  parquet.Optional(parquet.Int(64)),
		"sh":           parquet.Optional(parquet.Int(16)),
		"by":           parquet.Optional(parquet.Int(8)),
		"l_from_int":   parquet.Optional(parquet.Int(32)),
		"f":            parquet.Optional(parquet.Leaf(parquet.FloatType)),
		"d":            parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		"d_from_float": parquet.Optional(parquet.Leaf(parquet.FloatType)),
		"b":            parquet.Optional(parquet.Leaf(parquet.BooleanType)),
		"s":            parquet.Optional(parquet.String()),
		"s_dict":       parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary)),
		"uuid":         parquet.Optional(parquet.UUID()),
		"bin":          parquet.Optional(parquet.Leaf(parquet.ByteArrayType)),
		"dt":           parquet.Optional(parquet.Date()),
		"ts_us":        parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
		"ts_ms":        parquet.Optional(parquet.Timestamp(parquet.Millisecond)),
		"ts_ns":        parquet.Optional(parquet.Timestamp(parquet.Nanosecond)),
		"ts_96":        parquet.Optional(parquet.Leaf(parquet.Int96Type)),
		"ntz":          parquet.Optional(parquet.TimestampAdjusted(parquet.Microsecond, false)),
		"dec9":         parquet.Optional(parquet.Decimal(3, 9, parquet.Int32Type)),
		"dec18":        parquet.Optional(parquet.Decimal(2, 18, parquet.Int64Type)),
		"dec38":        parquet.Optional(parquet.Decimal(6, 38, parquet.FixedLenByteArrayType(16))),
		"dec_rescaled": parquet.Optional(parquet.Decimal(2, 12, parquet.Int64Type)),
	}
	if withLater {
		g["added_later"] = parquet.Optional(parquet.String())
	}
	return parquet.NewSchema("spark_schema", g)
}

// awkward are strings that need CSV quoting or JSON escaping.
var Awkward = []string{"", "plain", "a,b", `q"uote`, "new\nline", "cr\rx", " lead", "\ttab", `\.`, "<&>", "\u2028", "é🙂",
	"bad\xffutf8", "ctl\x01", "\u00a0nbsp", "=1+1"}

func wideValue(r *rand.Rand, name string, id int64) parquet.Value {
	if name != "id" && r.IntN(6) == 0 {
		return parquet.NullValue()
	}
	switch name {
	case "id":
		return parquet.Int64Value(id)
	case "i", "l_from_int":
		return parquet.Int32Value(int32(r.Uint32()))
	case "i_from_long":
		return parquet.Int64Value(r.Int64N(1<<32) - 1<<31)
	case "sh":
		return parquet.Int32Value(r.Int32N(1<<16) - 1<<15)
	case "by":
		return parquet.Int32Value(r.Int32N(256) - 128)
	case "f", "d_from_float":
		return parquet.FloatValue([]float32{float32(math.NaN()), float32(math.Inf(-1)), 0.1, -3e-9, 1e20, r.Float32()}[r.IntN(6)])
	case "d":
		return parquet.DoubleValue([]float64{math.NaN(), math.Inf(1), 0, 1e21, -1e-7, r.NormFloat64() * 1e6}[r.IntN(6)])
	case "b":
		return parquet.BooleanValue(r.IntN(2) == 0)
	case "s", "s_dict", "added_later":
		return parquet.ByteArrayValue([]byte(Awkward[r.IntN(len(Awkward))]))
	case "uuid":
		b := make([]byte, 16)
		for k := range b {
			b[k] = byte(r.IntN(256))
		}
		return parquet.FixedLenByteArrayValue(b)
	case "bin":
		b := make([]byte, r.IntN(7))
		for k := range b {
			b[k] = byte(r.IntN(256))
		}
		return parquet.ByteArrayValue(b)
	case "dt":
		return parquet.Int32Value(r.Int32N(200000) - 100000)
	case "ts_us", "ntz":
		return parquet.Int64Value(r.Int64N(4e17) - 2e17)
	case "ts_ms":
		return parquet.Int64Value(r.Int64N(4e14) - 2e14)
	case "ts_ns":
		return parquet.Int64Value(int64(r.Uint64()))
	case "ts_96":
		return parquet.Int96Value(deprecated.Int96{uint32(r.Uint32()), uint32(r.IntN(86400 * 1e9 >> 32)), uint32(2440588 + r.IntN(40000) - 20000)})
	case "dec9":
		return parquet.Int32Value(r.Int32N(1e9) - 5e8)
	case "dec18", "dec_rescaled":
		return parquet.Int64Value(r.Int64N(1e12) - 5e11)
	case "dec38":
		b := make([]byte, 16)
		if r.IntN(2) == 0 { // a big value
			for k := range b {
				b[k] = byte(r.IntN(256))
			}
			b[0] &= 0x3f
			if r.IntN(2) == 0 {
				b[0] |= 0xc0
			}
		} else { // one that fits in 64 bits, positive or negative
			v := r.Int64N(1e15) - 5e14
			for k := range 16 {
				shift := uint(8 * (15 - k))
				if shift >= 64 {
					b[k] = byte(v >> 63)
				} else {
					b[k] = byte(v >> shift)
				}
			}
		}
		return parquet.FixedLenByteArrayValue(b)
	}
	panic(name)
}

func writeWideFile(t testing.TB, dir, name string, r *rand.Rand, first int64, rows int, withLater bool) int64 {
	t.Helper()
	schema := wideFileSchema(withLater)
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.PageBufferSize(2048), parquet.MaxRowsPerRowGroup(700))
	for i := range rows {
		row := make(parquet.Row, len(schema.Fields()))
		for k, f := range schema.Fields() {
			v := wideValue(r, f.Name(), first+int64(i))
			def := 0
			if f.Optional() && !v.IsNull() {
				def = 1
			}
			row[k] = v.Level(0, def, k)
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return int64(buf.Len())
}

// WriteLog writes commit version of the table at dir with the given actions.
func WriteLog(t testing.TB, dir string, version int64, actions ...delta.Action) {
	t.Helper()
	b, err := delta.EncodeCommit(actions)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, delta.LogDir, delta.CommitName(version))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
