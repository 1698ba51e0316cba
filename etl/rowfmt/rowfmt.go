// Package rowfmt renders typed rows (as the Delta reader yields them) as CSV
// or JSON lines: timestamps ISO-8601 UTC ending in "Z", timestamps without
// a time zone (parquetrows.LocalTimestamp) the same without "Z", dates YYYY-MM-DD,
// decimals as plain decimal text, null as an empty CSV cell or JSON null,
// nested values as JSON, binary as base64.
package rowfmt

import (
	"encoding/base64"
	"fmt"
	"io"

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

// NewCSV writes a header line with the column names, then one line per row,
// quoted as encoding/csv quotes (see AppendCSVField).
func NewCSV(w io.Writer, columns []string) (Writer, error) {
	return newCSVWriter(w, columns, false, false)
}

// newCSVWriter writes the header, each name through GuardFormula when
// guard is set (and every cell later).
func newCSVWriter(w io.Writer, columns []string, guard, keepNumbers bool) (*csvWriter, error) {
	c := &csvWriter{w: w, width: len(columns), guard: guard, keepNumbers: keepNumbers}
	for i, name := range columns {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		if guard {
			name = GuardFormula(name, keepNumbers)
		}
		c.buf = AppendCSVField(c.buf, name)
	}
	c.buf = append(c.buf, '\n')
	if err := c.flushLine(); err != nil {
		return nil, fmt.Errorf("write csv header: %w", err)
	}
	return c, nil
}

type csvWriter struct {
	w           io.Writer
	width       int // the header's
	buf, cell   []byte
	err         error
	guard       bool // cells pass through GuardFormula
	keepNumbers bool
}

// Write writes one row; a row shorter than the header gets empty cells,
// a longer one is cut to the header's width.
func (c *csvWriter) Write(row []any) error {
	if c.err != nil {
		return c.err
	}
	for i := range c.width {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.cell = c.cell[:0]
		if i < len(row) {
			c.cell = AppendText(c.cell, row[i])
		}
		if c.guard {
			c.cell = append(c.cell[:0], GuardFormula(string(c.cell), c.keepNumbers)...)
		}
		c.buf = AppendCSVField(c.buf, c.cell)
	}
	c.buf = append(c.buf, '\n')
	if len(c.buf) >= 32<<10 {
		return c.flushLine()
	}
	return nil
}

func (c *csvWriter) flushLine() error {
	if c.err == nil && len(c.buf) > 0 {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
	return c.err
}

func (c *csvWriter) Flush() error { return c.flushLine() }

// NewJSONL writes one JSON object per row, keyed by column name, in column order.
func NewJSONL(w io.Writer, columns []string) Writer {
	keys := make([][]byte, len(columns))
	for i, c := range columns {
		keys[i] = append(AppendJSONString(nil, c), ':')
	}
	return &jsonlWriter{w: w, keys: keys}
}

type jsonlWriter struct {
	w    io.Writer
	keys [][]byte // each column's key and colon
	buf  []byte
	err  error
}

func (j *jsonlWriter) Write(row []any) error {
	if j.err != nil {
		return j.err
	}
	j.buf = append(j.buf[:0], '{')
	for i, v := range row {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.buf = append(j.buf, j.keys[i]...)
		var err error
		if j.buf, err = AppendJSON(j.buf, v); err != nil {
			return err
		}
	}
	j.buf = append(j.buf, "}\n"...)
	_, j.err = j.w.Write(j.buf)
	return j.err
}

func (j *jsonlWriter) Flush() error { return j.err }

// Text renders one value as a CSV cell: "" for null, JSON for nested values.
func Text(v any) string { return string(AppendText(nil, v)) }

// AppendText appends the text of one value as Text renders it.
func AppendText(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return dst
	case string:
		return append(dst, x...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case int16:
		return strconv.AppendInt(dst, int64(x), 10)
	case int8:
		return strconv.AppendInt(dst, int64(x), 10)
	case uint64:
		return strconv.AppendUint(dst, x, 10)
	case float64:
		return AppendFloat(dst, x, 64)
	case float32:
		return AppendFloat(dst, float64(x), 32)
	case []byte:
		return base64.StdEncoding.AppendEncode(dst, x)
	case time.Time:
		if us, ok := TimeMicros(x); ok {
			return AppendTimestamp(dst, us, true)
		}
		return x.UTC().AppendFormat(dst, TimestampLayout)
	case parquetrows.LocalTimestamp:
		if us, ok := TimeMicros(x.Time()); ok {
			return AppendTimestamp(dst, us, false)
		}
		return x.Time().AppendFormat(dst, parquetrows.LocalTimestampLayout)
	case time.Duration:
		return append(dst, x.String()...)
	case parquetrows.Date:
		return AppendDate(dst, int64(x))
	case parquetrows.Decimal:
		if x.Unscaled != nil && x.Unscaled.IsInt64() {
			return AppendDecimal(dst, x.Unscaled.Int64(), x.Scale)
		}
		return append(dst, x.String()...)
	case parquetrows.List, parquetrows.Map, parquetrows.Struct:
		out, err := AppendJSON(dst, x)
		if err != nil {
			return append(dst, fmt.Sprintf("<%v>", err)...)
		}
		return out
	}
	return append(dst, fmt.Sprint(v)...)
}

// AppendJSON appends one value as JSON: numbers and booleans bare, floats
// that are not numbers as strings, decimals as numbers, lists as arrays,
// structs as objects, maps as objects when their keys are strings (else as
// arrays of {"key":…,"value":…}), everything else as the JSON string of
// its Text.
func AppendJSON(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool, int64, int32, int16, int8, uint64:
		return AppendText(dst, x), nil
	case float64:
		return AppendJSONFloat(dst, x, 64), nil
	case float32:
		return AppendJSONFloat(dst, float64(x), 32), nil
	case parquetrows.Decimal:
		return AppendText(dst, x), nil
	case string:
		return AppendJSONString(dst, x), nil
	case parquetrows.List:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = AppendJSON(dst, e); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case parquetrows.Struct:
		dst = append(dst, '{')
		for i, f := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(AppendJSONString(dst, f.Name), ':')
			var err error
			if dst, err = AppendJSON(dst, f.Value); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case parquetrows.Map:
		return appendMap(dst, x)
	}
	mark := len(dst)
	dst = AppendText(dst, v)
	text := string(dst[mark:])
	return AppendJSONString(dst[:mark], text), nil
}

// appendMap renders a map as a JSON object when its keys are strings, else as
// an array of {"key":…,"value":…} objects.
func appendMap(dst []byte, m parquetrows.Map) ([]byte, error) {
	stringKeys := true
	for _, e := range m {
		if _, ok := e.Key.(string); !ok {
			stringKeys = false
			break
		}
	}
	var err error
	if stringKeys {
		dst = append(dst, '{')
		for i, e := range m {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(AppendJSONString(dst, e.Key.(string)), ':')
			if dst, err = AppendJSON(dst, e.Value); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	dst = append(dst, '[')
	for i, e := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"key":`...)
		if dst, err = AppendJSON(dst, e.Key); err != nil {
			return dst, err
		}
		dst = append(dst, `,"value":`...)
		if dst, err = AppendJSON(dst, e.Value); err != nil {
			return dst, err
		}
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}
