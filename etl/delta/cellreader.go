package delta

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// ErrNotCells is returned for a column whose type a Cell cannot hold
// (float, double, timestamp_ntz, nested types, decimals wider than 18
// digits stored otherwise), or that is stored nested.
var ErrNotCells = errors.New("delta: column cannot be read as cells")

// CellReader reads the rows of one data file as Cells (the values WriteCells
// takes), a batch at a time: every flat column is decoded a page at a time
// by a typed parquetrows.ColumnReader, and the cells are made from the
// vectors without a Go value per row. A cell equals what CellOf makes of the
// value the row path (ProjectFile) yields for the same row. Columns stored
// otherwise than the table type says go through that row path's conversion
// value by value.
type CellReader struct {
	cols    []cellSource
	readers []int // indexes of the columns read from the file
	deleted *roaring64.Bitmap
	row     uint64 // index in the data file of the next row to decode
	left    int64  // rows left when no column is read from the file
	keep    []int  // rows of the current batch that are not deleted
	wrap    func(error) error
}

// Kinds of cell sources.
const (
	srcConst     = iota // the same cell on every row: partition values, columns the file lacks
	srcInt64            // INT64 as long, timestamp in microseconds, decimal at the table's scale
	srcInt32            // INT32 as long, integer, short, byte, date, decimal at the table's scale
	srcBool             // BOOLEAN
	srcBytes            // BYTE_ARRAY as string or binary
	srcTimestamp        // INT64 timestamp in milliseconds or nanoseconds
	srcDecimal          // a byte-array decimal at the table's scale
	srcGeneric          // the decoded value through Logical, Coerce and CellOf
)

// cellSource makes the cells of one column.
type cellSource struct {
	kind    int
	konst   Cell
	reader  *parquetrows.ColumnReader
	vec     parquetrows.Vector
	field   StructField
	mapping *FieldMapping
	lo, hi  int64 // srcInt32, srcInt64: the table type's range
	micros  int64 // srcTimestamp: microseconds per stored unit (1000 for millis); 0 for nanoseconds
}

// CellReader opens a reader of the scan's columns as cells. It fails with
// ErrNotCells when a column's type cannot be held by a Cell.
func (sc *FileScan) CellReader() (*CellReader, error) {
	r := &CellReader{deleted: sc.Deleted, left: sc.File.NumRows(), wrap: sc.Wrap, cols: make([]cellSource, len(sc.Fields))}
	for i, f := range sc.Fields {
		c := &r.cols[i]
		c.field, c.mapping = f, &sc.Mapping[i]
		if _, err := cellKind(&sc.Fields[i]); err != nil {
			r.Close()
			return nil, sc.Wrap(fmt.Errorf("%w: %s is %s", ErrNotCells, f.Name, f.Type))
		}
		switch {
		case sc.Partition[i]:
			cell, err := CellOf(sc.PartitionValues[i], f.Type)
			if err != nil {
				r.Close()
				return nil, sc.Wrap(fmt.Errorf("partition column %s: %w", f.Name, err))
			}
			c.kind, c.konst = srcConst, cell
		case c.mapping.Source == "":
			c.kind, c.konst = srcConst, Cell{Null: true}
		default:
			cr, err := sc.File.NewColumnReader(c.mapping.Source)
			if errors.Is(err, parquetrows.ErrNotFlat) {
				err = fmt.Errorf("%w: %s is stored nested", ErrNotCells, f.Name)
			}
			if err != nil {
				r.Close()
				return nil, sc.Wrap(err)
			}
			c.reader = cr
			c.plan(cr.Column().Type)
			r.readers = append(r.readers, i)
		}
	}
	return r, nil
}

// NewCellReader reads the named columns of a Parquet file written for a
// table of the given fields (found by name, no partition columns, no
// deletion vector), as cells.
func NewCellReader(f *parquetrows.File, fields []StructField) (*CellReader, error) {
	sc := &FileScan{Add: &Add{}, File: f, Fields: fields, Partition: make([]bool, len(fields)),
		PartitionValues: make([]any, len(fields)), Mapping: MapFields(fields, "", f.Columns())}
	r, err := sc.CellReader()
	if err != nil {
		return nil, err
	}
	r.wrap = func(err error) error { return err }
	return r, nil
}

// plan chooses how the cells of a column are made from what the file stores
// and the table's type: straight from the vector when the row path would
// turn the stored value into the table's without changing it (or with a
// range check), value by value otherwise.
func (c *cellSource) plan(stored parquetrows.Type) {
	c.kind, c.lo, c.hi = srcGeneric, math.MinInt64, math.MaxInt64
	switch t := c.field.Type.(type) {
	case *DecimalType:
		if stored.Kind != parquetrows.KindDecimal || int(stored.Scale) != t.Scale {
			return
		}
		switch stored.Physical {
		case "INT32":
			c.kind = srcInt32
		case "INT64":
			c.kind = srcInt64
		default:
			c.kind = srcDecimal
		}
	case *PrimitiveType:
		switch t.Name {
		case TypeLong, TypeInteger, TypeShort, TypeByte:
			c.lo, c.hi = intRange(t.Name)
			switch {
			case stored.Kind == parquetrows.KindInt32 && stored.Physical == "INT32":
				c.kind = srcInt32
			case stored.Kind == parquetrows.KindInt64 && stored.Physical == "INT64":
				c.kind = srcInt64
			}
		case TypeBoolean:
			if stored.Kind == parquetrows.KindBool {
				c.kind = srcBool
			}
		case TypeString, TypeBinary:
			if stored.Physical == "BYTE_ARRAY" && (stored.Kind == parquetrows.KindString || stored.Kind == parquetrows.KindBinary) {
				c.kind = srcBytes
			}
		case TypeDate:
			if stored.Physical == "INT32" && (stored.Kind == parquetrows.KindDate || stored.Kind == parquetrows.KindInt32) {
				c.kind = srcInt32
			}
		case TypeTimestamp:
			if stored.Kind == parquetrows.KindTimestamp && stored.Physical == "INT64" {
				switch stored.Unit {
				case "MICROS":
					c.kind = srcInt64
				case "MILLIS":
					c.kind, c.micros = srcTimestamp, 1000
				case "NANOS":
					c.kind, c.micros = srcTimestamp, 0
				}
			}
		}
	}
}

func intRange(name string) (int64, int64) {
	switch name {
	case TypeInteger:
		return math.MinInt32, math.MaxInt32
	case TypeShort:
		return math.MinInt16, math.MaxInt16
	case TypeByte:
		return math.MinInt8, math.MaxInt8
	}
	return math.MinInt64, math.MaxInt64
}

// Columns is the number of cells in a row.
func (r *CellReader) Columns() int { return len(r.cols) }

// Read fills dst with the next rows, len(fields) cells a row in the scan's
// column order, at most limit rows and as many as dst holds; it returns the
// number of rows, and io.EOF after the last. Rows the deletion vector
// deletes are skipped. Strings in the cells stay valid after later calls.
func (r *CellReader) Read(dst []Cell, limit int) (int, error) {
	ncol := len(r.cols)
	if ncol == 0 {
		return 0, errors.New("delta: a cell reader of no columns")
	}
	limit = min(limit, len(dst)/ncol)
	if limit <= 0 {
		return 0, errors.New("delta: no room for a row of cells")
	}
	for {
		n, err := r.decode(limit)
		if err != nil {
			return 0, err
		}
		r.keep = r.keep[:0]
		for i := range n {
			if r.deleted == nil || !r.deleted.Contains(r.row+uint64(i)) {
				r.keep = append(r.keep, i)
			}
		}
		r.row += uint64(n)
		if len(r.keep) == 0 {
			continue // every row of the batch is deleted
		}
		for ci := range r.cols {
			if err := r.cols[ci].fill(dst, ci, ncol, r.keep); err != nil {
				return 0, r.wrap(fmt.Errorf("column %s: %w", r.cols[ci].field.Name, err))
			}
		}
		return len(r.keep), nil
	}
}

// decode reads up to limit rows of every column read from the file into
// its vector; io.EOF after the last row.
func (r *CellReader) decode(limit int) (int, error) {
	if len(r.readers) == 0 {
		n := int(min(int64(limit), r.left))
		r.left -= int64(n)
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
	n := -1
	for _, ci := range r.readers {
		c := &r.cols[ci]
		k, err := c.reader.Read(&c.vec, limit)
		if errors.Is(err, io.EOF) {
			k = 0
		} else if err != nil {
			return 0, r.wrap(err)
		}
		if n >= 0 && k != n {
			return 0, r.wrap(fmt.Errorf("column %s holds %d rows where another holds %d", c.field.Name, k, n))
		}
		n = k
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// fill sets cell ci of each output row from rows keep of the column's vector.
func (c *cellSource) fill(dst []Cell, ci, ncol int, keep []int) error {
	if c.kind == srcConst {
		for j := range keep {
			dst[j*ncol+ci] = c.konst
		}
		return nil
	}
	v := &c.vec
	var batch string // srcBytes: the batch's bytes as one string the cells share
	if c.kind == srcBytes {
		batch = string(v.Bytes)
	}
	for j, i := range keep {
		cell := &dst[j*ncol+ci]
		if v.IsNull(i) {
			*cell = Cell{Null: true}
			continue
		}
		var n int64
		switch c.kind {
		case srcInt64:
			n = v.Int64[i]
		case srcInt32:
			n = int64(v.Int32[i])
		case srcBool:
			if v.Bool[i] {
				n = 1
			}
		case srcBytes:
			*cell = Cell{S: batch[v.Offsets[i]:v.Offsets[i+1]]}
			continue
		case srcTimestamp:
			var ok bool
			if n, ok = timestampMicros(v.Int64[i], c.micros); !ok {
				return c.generic(cell, i)
			}
		case srcDecimal:
			var ok bool
			if n, ok = parquetrows.TwosComplementInt64(v.ByteArray(i)); !ok {
				return c.generic(cell, i)
			}
		default:
			if err := c.generic(cell, i); err != nil {
				return err
			}
			continue
		}
		if n < c.lo || n > c.hi {
			return c.generic(cell, i) // the row path's range error
		}
		*cell = Cell{I: n}
	}
	return nil
}

// generic makes the cell of row i as the row path does.
func (c *cellSource) generic(cell *Cell, i int) error {
	v, err := Coerce(c.mapping.Logical(c.vec.Value(i)), c.field.Type)
	if err != nil {
		return err
	}
	*cell, err = CellOf(v, c.field.Type)
	return err
}

// timestampMicros converts a stored timestamp to microseconds as the row
// path's time.Time does (nanoseconds truncated toward the past); false when
// it does not fit.
func timestampMicros(n, micros int64) (int64, bool) {
	if micros == 0 {
		q := n / 1000
		if n%1000 < 0 {
			q--
		}
		return q, true
	}
	if n > math.MaxInt64/micros || n < math.MinInt64/micros {
		return 0, false
	}
	return n * micros, true
}

// Close releases the column readers.
func (r *CellReader) Close() error {
	var errs []error
	for i := range r.cols {
		if c := &r.cols[i]; c.reader != nil {
			errs = append(errs, c.reader.Close())
			c.reader = nil
		}
	}
	return errors.Join(errs...)
}

// CellOf is the cell of a value typed as the row path types it for a column
// of type t (see FileWriter): nil is null; integers, dates and booleans go
// to I, timestamps as microseconds, decimals as their unscaled value (at
// the column's scale, which Coerce gives them); strings and binary to S.
func CellOf(v any, t DataType) (Cell, error) {
	switch x := v.(type) {
	case nil:
		return Cell{Null: true}, nil
	case int64:
		return Cell{I: x}, nil
	case int32:
		return Cell{I: int64(x)}, nil
	case int16:
		return Cell{I: int64(x)}, nil
	case int8:
		return Cell{I: int64(x)}, nil
	case bool:
		if x {
			return Cell{I: 1}, nil
		}
		return Cell{}, nil
	case string:
		return Cell{S: x}, nil
	case []byte:
		return Cell{S: string(x)}, nil
	case parquetrows.Date:
		return Cell{I: int64(x)}, nil
	case time.Time:
		return Cell{I: x.UnixMicro()}, nil
	case parquetrows.Decimal:
		if dt, ok := t.(*DecimalType); ok && int(x.Scale) != dt.Scale {
			return Cell{}, fmt.Errorf("decimal %s is not at the column's scale %d", x, dt.Scale)
		}
		if !x.Unscaled.IsInt64() {
			return Cell{}, fmt.Errorf("%w: decimal %s does not fit 18 digits", ErrNotCells, x)
		}
		return Cell{I: x.Unscaled.Int64()}, nil
	}
	return Cell{}, fmt.Errorf("%w: %T value", ErrNotCells, v)
}
