// Package rowfmt renders typed rows (as the Delta reader yields them) as CSV
// or JSON lines: timestamps ISO-8601 UTC ending in "Z", timestamps without
// a time zone (parquetrows.LocalTimestamp) the same without "Z", dates YYYY-MM-DD,
// decimals as plain decimal text, null as an empty CSV cell or JSON null,
// nested values as JSON, binary as base64.
package rowfmt

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// TimestampLayout renders timestamps: UTC, up to microseconds, with "Z".
const TimestampLayout = "2006-01-02T15:04:05.999999Z"

// Writer writes rows in one format.
type Writer interface {
	Write(row []any) error
	// Flush writes buffered output and reports the first error.
	Flush() error
}

// NewCSV writes a header line with the column names, then one line per row.
func NewCSV(w io.Writer, columns []string) (Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return nil, fmt.Errorf("write csv header: %w", err)
	}
	return &csvWriter{w: cw, cells: make([]string, len(columns))}, nil
}

type csvWriter struct {
	w           *csv.Writer
	cells       []string
	guard       bool // cells pass through GuardFormula
	keepNumbers bool
}

// Write writes one row; a row shorter than the header gets empty cells,
// a longer one is cut to the header's width.
func (c *csvWriter) Write(row []any) error {
	for i := range c.cells {
		c.cells[i] = ""
		if i < len(row) {
			c.cells[i] = Text(row[i])
		}
		if c.guard {
			c.cells[i] = GuardFormula(c.cells[i], c.keepNumbers)
		}
	}
	return c.w.Write(c.cells)
}

func (c *csvWriter) Flush() error { c.w.Flush(); return c.w.Error() }

// NewJSONL writes one JSON object per row, keyed by column name, in column order.
func NewJSONL(w io.Writer, columns []string) Writer {
	keys := make([][]byte, len(columns))
	for i, c := range columns {
		keys[i], _ = json.Marshal(c)
	}
	return &jsonlWriter{w: w, keys: keys}
}

type jsonlWriter struct {
	w    io.Writer
	keys [][]byte
	buf  bytes.Buffer
	err  error
}

func (j *jsonlWriter) Write(row []any) error {
	if j.err != nil {
		return j.err
	}
	j.buf.Reset()
	j.buf.WriteByte('{')
	for i, v := range row {
		if i > 0 {
			j.buf.WriteByte(',')
		}
		j.buf.Write(j.keys[i])
		j.buf.WriteByte(':')
		if err := appendJSON(&j.buf, v); err != nil {
			return err
		}
	}
	j.buf.WriteString("}\n")
	_, j.err = j.w.Write(j.buf.Bytes())
	return j.err
}

func (j *jsonlWriter) Flush() error { return j.err }

// Text renders one value as a CSV cell: "" for null, JSON for nested values.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(TimestampLayout)
	case parquetrows.LocalTimestamp:
		return x.String()
	case time.Duration:
		return x.String()
	case parquetrows.Date:
		return x.String()
	case parquetrows.Decimal:
		return x.String()
	case parquetrows.List, parquetrows.Map, parquetrows.Struct:
		var b bytes.Buffer
		if err := appendJSON(&b, x); err != nil {
			return fmt.Sprintf("<%v>", err)
		}
		return b.String()
	}
	return fmt.Sprint(v)
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// appendJSON renders one value as JSON.
func appendJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool, int64, int32, int16, int8, uint64:
		b.WriteString(Text(x))
	case float64, float32:
		s := Text(x)
		if s == "NaN" || s == "Infinity" || s == "-Infinity" {
			s = strconv.Quote(s)
		}
		b.WriteString(s)
	case parquetrows.Decimal:
		b.WriteString(x.String())
	case parquetrows.List:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case parquetrows.Struct:
		b.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(f.Name)
			b.Write(k)
			b.WriteByte(':')
			if err := appendJSON(b, f.Value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case parquetrows.Map:
		return appendMap(b, x)
	default:
		s, err := json.Marshal(Text(x))
		if err != nil {
			return err
		}
		b.Write(s)
	}
	return nil
}

// appendMap renders a map as a JSON object when its keys are strings, else as
// an array of {"key":…,"value":…} objects.
func appendMap(b *bytes.Buffer, m parquetrows.Map) error {
	stringKeys := true
	for _, e := range m {
		if _, ok := e.Key.(string); !ok {
			stringKeys = false
			break
		}
	}
	if stringKeys {
		b.WriteByte('{')
		for i, e := range m {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(e.Key)
			b.Write(k)
			b.WriteByte(':')
			if err := appendJSON(b, e.Value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	b.WriteByte('[')
	for i, e := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"key":`)
		if err := appendJSON(b, e.Key); err != nil {
			return err
		}
		b.WriteString(`,"value":`)
		if err := appendJSON(b, e.Value); err != nil {
			return err
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return nil
}
