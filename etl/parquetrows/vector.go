package parquetrows

import (
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// Physical is the physical type of a flat column, which says which slice of
// a Vector holds its values.
type Physical uint8

// Physical types.
const (
	PhysicalBoolean           Physical = iota // Vector.Bool
	PhysicalInt32                             // Vector.Int32
	PhysicalInt64                             // Vector.Int64
	PhysicalInt96                             // Vector.Int96
	PhysicalFloat                             // Vector.Float32
	PhysicalDouble                            // Vector.Float64
	PhysicalByteArray                         // Vector.Bytes and Vector.Offsets
	PhysicalFixedLenByteArray                 // Vector.Bytes and Vector.Offsets
)

func physicalOf(t format.Type) (Physical, bool) {
	switch t {
	case format.Boolean:
		return PhysicalBoolean, true
	case format.Int32:
		return PhysicalInt32, true
	case format.Int64:
		return PhysicalInt64, true
	case format.Int96:
		return PhysicalInt96, true
	case format.Float:
		return PhysicalFloat, true
	case format.Double:
		return PhysicalDouble, true
	case format.ByteArray:
		return PhysicalByteArray, true
	case format.FixedLenByteArray:
		return PhysicalFixedLenByteArray, true
	}
	return 0, false
}

// Vector holds the values of one flat column for consecutive rows, as
// stored: in the slice of the column's physical type, one element per row
// (the zero value where the row is null). Byte arrays of both kinds are
// back to back in Bytes, row i's being Bytes[Offsets[i]:Offsets[i+1]]
// (empty for a null). Valid[i] tells whether row i has a value; Valid is
// nil when no row of the vector is null.
//
// The logical meaning of the values (a DATE's day count, a TIMESTAMP's unit,
// a DECIMAL's scale) is the column's Type; Value gives the Go value the row
// decoder gives. A Vector is reused by ColumnReader.Read: its slices are
// valid until the next call.
type Vector struct {
	Physical Physical
	Valid    []bool
	Bool     []bool
	Int32    []int32
	Int64    []int64
	Int96    []deprecated.Int96
	Float32  []float32
	Float64  []float64
	Bytes    []byte
	Offsets  []uint32

	len   int
	nulls int
	valid []bool // Valid's storage, kept across reads
	leaf  *leafDecoder
}

// Len is the number of rows in the vector.
func (v *Vector) Len() int { return v.len }

// IsNull reports whether row i is null.
func (v *Vector) IsNull(i int) bool { return v.Valid != nil && !v.Valid[i] }

// ByteArray is the byte array of row i (of a BYTE_ARRAY or
// FIXED_LEN_BYTE_ARRAY column), valid until the next Read.
func (v *Vector) ByteArray(i int) []byte { return v.Bytes[v.Offsets[i]:v.Offsets[i+1]] }

// Value is row i as the row decoder gives it (see the package doc for the
// Go value of each column type): nil for a null.
func (v *Vector) Value(i int) any {
	if v.IsNull(i) {
		return nil
	}
	var pv parquet.Value
	switch v.Physical {
	case PhysicalBoolean:
		pv = parquet.BooleanValue(v.Bool[i])
	case PhysicalInt32:
		pv = parquet.Int32Value(v.Int32[i])
	case PhysicalInt64:
		pv = parquet.Int64Value(v.Int64[i])
	case PhysicalInt96:
		pv = parquet.Int96Value(v.Int96[i])
	case PhysicalFloat:
		pv = parquet.FloatValue(v.Float32[i])
	case PhysicalDouble:
		pv = parquet.DoubleValue(v.Float64[i])
	case PhysicalByteArray:
		pv = parquet.ByteArrayValue(v.ByteArray(i))
	case PhysicalFixedLenByteArray:
		pv = parquet.FixedLenByteArrayValue(v.ByteArray(i))
	}
	return v.leaf.decode(pv)
}

// reset empties the vector for a read of up to n rows of a column.
func (v *Vector) reset(leaf *leafDecoder, n int) {
	v.leaf, v.Physical, v.len, v.nulls = leaf, leaf.physical, 0, 0
	v.Valid, v.valid = nil, v.valid[:0]
	v.Bool, v.Int32, v.Int64, v.Int96 = v.Bool[:0], v.Int32[:0], v.Int64[:0], v.Int96[:0]
	v.Float32, v.Float64, v.Bytes = v.Float32[:0], v.Float64[:0], v.Bytes[:0]
	v.Offsets = v.Offsets[:0]
	switch leaf.physical {
	case PhysicalByteArray, PhysicalFixedLenByteArray:
		v.Offsets = append(growTo(v.Offsets, n+1), 0)
	}
}

// finish publishes the validity of the rows read: Valid stays nil when none
// is null.
func (v *Vector) finish() {
	if v.nulls > 0 {
		v.Valid = v.valid
	}
}

// growTo makes room for n elements in all, so that appending up to n
// does not reallocate.
func growTo[T any](s []T, n int) []T {
	if cap(s) < n {
		out := make([]T, len(s), n)
		copy(out, s)
		return out
	}
	return s
}
