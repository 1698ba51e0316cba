package tabledump

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// cellKind says how a column's cells are made.
type cellKind uint8

const (
	constCell     cellKind = iota // the same cell on every row: partition values, columns the file lacks
	int32Cell                     // INT32 as integer, short, byte or long
	int64Cell                     // INT64 as long or integer
	boolCell                      // BOOLEAN
	float32Cell                   // FLOAT as float
	float64Cell                   // DOUBLE as double
	stringCell                    // BYTE_ARRAY as string
	binaryCell                    // BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY as binary (base64)
	dateCell                      // INT32 DATE as date
	timestampCell                 // INT64 TIMESTAMP as timestamp or timestamp_ntz
	decimalCell                   // INT32, INT64 or byte-array DECIMAL at the table's scale
	genericCell                   // flat: the decoded value through Logical and Coerce
	nestedCell                    // nested: a value of the file's row reader
)

// column makes the cells of one column of one data file.
type column struct {
	kind    cellKind
	konst   []byte // constCell: the rendered cell
	reader  *parquetrows.ColumnReader
	vec     parquetrows.Vector
	field   delta.StructField
	mapping *delta.FieldMapping
	nested  int // nestedCell: index in the row reader's rows

	lo, hi int64 // integer cells: the table type's range
	micros int64 // timestampCell: microseconds per stored unit (1 for micros); 0 for nanoseconds
	zone   bool  // timestampCell: instants (timestamp), not local date-times (timestamp_ntz)
	scale  int32 // decimalCell
}

// plan chooses how the cells of a flat column are made from what the file
// stores and what the table's type is: a typed cell when the row path would
// turn the stored value into the table's without changing it (or with a
// check of range), the generic cell otherwise.
func (c *column) plan(stored parquetrows.Type, t delta.DataType) {
	c.kind = genericCell
	if dt, ok := t.(*delta.DecimalType); ok {
		if stored.Kind == parquetrows.KindDecimal && int(stored.Scale) == dt.Scale {
			c.kind, c.scale = decimalCell, stored.Scale
		}
		return
	}
	p, ok := t.(*delta.PrimitiveType)
	if !ok {
		return
	}
	switch p.Name {
	case delta.TypeLong, delta.TypeInteger, delta.TypeShort, delta.TypeByte:
		c.lo, c.hi = intRange(p.Name)
		switch {
		case stored.Kind == parquetrows.KindInt32 && stored.Physical == "INT32":
			c.kind = int32Cell
		case stored.Kind == parquetrows.KindInt64 && stored.Physical == "INT64":
			c.kind = int64Cell
		}
	case delta.TypeBoolean:
		if stored.Kind == parquetrows.KindBool {
			c.kind = boolCell
		}
	case delta.TypeFloat:
		if stored.Kind == parquetrows.KindFloat32 && stored.Physical == "FLOAT" {
			c.kind = float32Cell
		}
	case delta.TypeDouble:
		if stored.Kind == parquetrows.KindFloat64 {
			c.kind = float64Cell
		}
	case delta.TypeString:
		if stored.Physical == "BYTE_ARRAY" && (stored.Kind == parquetrows.KindString || stored.Kind == parquetrows.KindBinary) {
			c.kind = stringCell
		}
	case delta.TypeBinary:
		if stored.Kind == parquetrows.KindBinary || (stored.Kind == parquetrows.KindString && stored.Physical == "BYTE_ARRAY") {
			c.kind = binaryCell
		}
	case delta.TypeDate:
		if stored.Kind == parquetrows.KindDate || (stored.Kind == parquetrows.KindInt32 && stored.Physical == "INT32") {
			c.kind = dateCell
		}
	case delta.TypeTimestamp, delta.TypeTimestampNtz:
		if stored.Kind == parquetrows.KindTimestamp && stored.Physical == "INT64" {
			c.kind, c.zone = timestampCell, p.Name == delta.TypeTimestamp
			switch stored.Unit {
			case "MILLIS":
				c.micros = 1000
			case "MICROS":
				c.micros = 1
			case "NANOS":
				c.micros = 0
			default:
				c.kind = genericCell
			}
		}
	}
}

func intRange(name string) (int64, int64) {
	switch name {
	case delta.TypeInteger:
		return math.MinInt32, math.MaxInt32
	case delta.TypeShort:
		return math.MinInt16, math.MaxInt16
	case delta.TypeByte:
		return math.MinInt8, math.MaxInt8
	}
	return math.MinInt64, math.MaxInt64
}

// cellWriter appends cells in one format.
type cellWriter struct {
	json    bool
	scratch []byte
}

// null appends a null cell.
func (w *cellWriter) null(dst []byte) []byte {
	if w.json {
		return append(dst, "null"...)
	}
	return dst
}

// value appends the cell of a value typed as the row path types it.
func (w *cellWriter) value(dst []byte, v any) ([]byte, error) {
	if w.json {
		return rowfmt.AppendJSON(dst, v)
	}
	w.scratch = rowfmt.AppendText(w.scratch[:0], v)
	return rowfmt.AppendCSVField(dst, w.scratch), nil
}

// open and close surround text that needs no escaping in either format
// (dates, timestamps, base64) with quotes in JSON.
func (w *cellWriter) open(dst []byte) []byte {
	if w.json {
		return append(dst, '"')
	}
	return dst
}

func (w *cellWriter) close(dst []byte) []byte { return w.open(dst) }

// cell appends column c's cell of row i of the current batch; row is the
// row reader's row for nested columns.
func (w *cellWriter) cell(dst []byte, c *column, i int, row []any) ([]byte, error) {
	if c.kind == constCell {
		return append(dst, c.konst...), nil
	}
	if c.kind == nestedCell {
		return w.coerced(dst, c, row[c.nested])
	}
	v := &c.vec
	if v.IsNull(i) {
		return w.null(dst), nil
	}
	switch c.kind {
	case int32Cell:
		n := int64(v.Int32[i])
		if n < c.lo || n > c.hi {
			return dst, c.rangeError(i)
		}
		return strconv.AppendInt(dst, n, 10), nil
	case int64Cell:
		n := v.Int64[i]
		if n < c.lo || n > c.hi {
			return dst, c.rangeError(i)
		}
		return strconv.AppendInt(dst, n, 10), nil
	case boolCell:
		if v.Bool[i] {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case float32Cell:
		return w.float(dst, float64(v.Float32[i]), 32), nil
	case float64Cell:
		return w.float(dst, v.Float64[i], 64), nil
	case stringCell:
		if w.json {
			return rowfmt.AppendJSONString(dst, v.ByteArray(i)), nil
		}
		return rowfmt.AppendCSVField(dst, v.ByteArray(i)), nil
	case binaryCell:
		return w.close(base64.StdEncoding.AppendEncode(w.open(dst), v.ByteArray(i))), nil
	case dateCell:
		return w.close(rowfmt.AppendDate(w.open(dst), int64(v.Int32[i]))), nil
	case timestampCell:
		us, ok := c.timestampMicros(v.Int64[i])
		if !ok {
			return w.coerced(dst, c, v.Value(i))
		}
		return w.close(rowfmt.AppendTimestamp(w.open(dst), us, c.zone)), nil
	case decimalCell:
		u, ok := decimalInt64(v, i)
		if !ok {
			return w.coerced(dst, c, v.Value(i))
		}
		return rowfmt.AppendDecimal(dst, u, c.scale), nil
	}
	return w.coerced(dst, c, v.Value(i))
}

// coerced appends the cell of a value decoded from the file as the row
// path makes it: renamed by the column mapping, converted by Coerce.
func (w *cellWriter) coerced(dst []byte, c *column, raw any) ([]byte, error) {
	v, err := delta.Coerce(c.mapping.Logical(raw), c.field.Type)
	if err != nil {
		return dst, fmt.Errorf("column %s: %w", c.field.Name, err)
	}
	return w.value(dst, v)
}

// rangeError is the row path's error for an integer out of the table
// type's range.
func (c *column) rangeError(i int) error {
	_, err := delta.Coerce(c.vec.Value(i), c.field.Type)
	if err == nil {
		err = errors.New("integer out of range")
	}
	return fmt.Errorf("column %s: %w", c.field.Name, err)
}

func (w *cellWriter) float(dst []byte, f float64, bits int) []byte {
	if w.json {
		return rowfmt.AppendJSONFloat(dst, f, bits)
	}
	return rowfmt.AppendFloat(dst, f, bits)
}

// timestampMicros converts a stored timestamp to microseconds, truncating
// nanoseconds toward the past as the row path's formatting does; false when
// it does not fit.
func (c *column) timestampMicros(n int64) (int64, bool) {
	switch c.micros {
	case 0:
		q := n / 1000
		if n%1000 < 0 {
			q--
		}
		return q, true
	case 1:
		return n, true
	}
	if n > math.MaxInt64/c.micros || n < math.MinInt64/c.micros {
		return 0, false
	}
	return n * c.micros, true
}

// decimalInt64 is the unscaled value of row i of a decimal column, when it
// fits in an int64.
func decimalInt64(v *parquetrows.Vector, i int) (int64, bool) {
	switch v.Physical {
	case parquetrows.PhysicalInt32:
		return int64(v.Int32[i]), true
	case parquetrows.PhysicalInt64:
		return v.Int64[i], true
	}
	return parquetrows.TwosComplementInt64(v.ByteArray(i))
}
