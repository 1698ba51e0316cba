package delta

import (
	"fmt"
	"math/big"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// Cell is an unboxed value for fast writes. I holds long, integer, short and
// byte values, booleans (0 or 1), dates (days since the epoch), timestamps
// (microseconds since the epoch, UTC) and decimals of up to 18 digits
// (unscaled, at the column's scale); S holds strings and binary values.
type Cell struct {
	I    int64
	S    string
	Null bool
}

// cellStats tracks min, max and nulls of one column written as cells.
type cellStats struct {
	has        bool
	minI, maxI int64
	minS, maxS string
	nulls      int64
}

// cellBatchRows is how many rows of cells are buffered before they are
// written column by column.
const cellBatchRows = 1024

// WriteCells adds one row of cells (schema order, partition columns
// included and ignored). Rows are buffered and written column by column,
// which is the fastest way parquet-go offers for a schema built at run time
// (see etl/parquetbench/RESULTS.md). It allocates nothing per row once warm.
func (pf *PartitionFile) WriteCells(cells []Cell) error {
	fw := pf.fw
	if len(cells) != len(fw.schema.Fields) {
		return fmt.Errorf("row %d has %d values, the schema %d columns", pf.rows, len(cells), len(fw.schema.Fields))
	}
	if pf.cstats == nil {
		pf.cstats = make([]cellStats, len(fw.dataCols))
	}
	for _, ci := range fw.dataCols {
		c := &cells[ci]
		if c.Null && !fw.schema.Fields[ci].Nullable {
			return fmt.Errorf("row %d: column %s is not nullable", pf.rows, fw.schema.Fields[ci].Name)
		}
	}
	if pf.enc.failed.Load() {
		return pf.enc.err // the encoder stopped; the caller aborts the file
	}
	pf.pending = append(pf.pending, cells...)
	pf.pendingRows++
	pf.rows++
	if pf.pendingRows == cellBatchRows {
		pf.sendCells()
	}
	return nil
}

// encodeCells writes a batch of n rows of cells, one column at a time. It
// runs on the file's encoder goroutine.
func (pf *PartitionFile) encodeCells(pending []Cell, n int) error {
	fw := pf.fw
	width := len(fw.schema.Fields)
	if cap(pf.colVals) < n {
		pf.colVals = make([]parquet.Value, n)
	}
	vals := pf.colVals[:n]
	cols := pf.w.ColumnWriters()
	for leaf, j := range fw.leafPos {
		ci := fw.dataCols[j]
		f := &fw.schema.Fields[ci]
		st := &pf.cstats[j]
		def := 0
		if f.Nullable {
			def = 1
		}
		kind, err := cellKind(f)
		if err != nil {
			return err
		}
		for r := 0; r < n; r++ {
			c := &pending[r*width+ci]
			if c.Null {
				st.nulls++
				vals[r] = parquet.NullValue().Level(0, 0, leaf)
				continue
			}
			var v parquet.Value
			switch kind {
			case kindInt64:
				v = parquet.Int64Value(c.I)
			case kindInt32:
				v = parquet.Int32Value(int32(c.I))
			case kindBool:
				v = parquet.BooleanValue(c.I != 0)
			case kindBytes, kindString:
				v = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(c.S), len(c.S)))
			case kindFixed:
				dt := f.Type.(*DecimalType)
				v = parquet.FixedLenByteArrayValue(twosComplement(big.NewInt(c.I), decimalBytes(dt.Precision)))
			}
			if def != 0 { // required columns keep the zero levels
				v = v.Level(0, def, leaf)
			}
			vals[r] = v
			if kind == kindString {
				if !st.has || c.S < st.minS {
					st.minS = c.S
				}
				if !st.has || c.S > st.maxS {
					st.maxS = c.S
				}
			} else if kind != kindBytes {
				if !st.has || c.I < st.minI {
					st.minI = c.I
				}
				if !st.has || c.I > st.maxI {
					st.maxI = c.I
				}
			}
			st.has = true
		}
		if _, err := cols[leaf].WriteRowValues(vals); err != nil {
			return fmt.Errorf("encode parquet column %s: %w", f.Name, err)
		}
	}
	pf.groupRows += n
	if pf.groupRows >= rowGroupRows {
		pf.groupRows = 0
		if err := pf.w.Flush(); err != nil {
			return fmt.Errorf("encode parquet: %w", err)
		}
	}
	return nil
}

// Kinds of columns written from cells.
const (
	kindInt64 = iota
	kindInt32
	kindBool
	kindString
	kindBytes
	kindFixed
)

func cellKind(f *StructField) (int, error) {
	switch t := f.Type.(type) {
	case *PrimitiveType:
		switch t.Name {
		case TypeLong, TypeTimestamp:
			return kindInt64, nil
		case TypeInteger, TypeShort, TypeByte, TypeDate:
			return kindInt32, nil
		case TypeBoolean:
			return kindBool, nil
		case TypeString:
			return kindString, nil
		case TypeBinary:
			return kindBytes, nil
		}
	case *DecimalType:
		switch {
		case t.Precision <= 9:
			return kindInt32, nil
		case t.Precision <= 18:
			return kindInt64, nil
		default:
			return kindFixed, nil
		}
	}
	return 0, fmt.Errorf("column %s: %s cannot be written from cells", f.Name, f.Type)
}

// cellColumnStats turns cell statistics into the generic form for stats JSON.
func (pf *PartitionFile) cellColumnStats() []*columnStats {
	out := make([]*columnStats, len(pf.fw.dataCols))
	for j, ci := range pf.fw.dataCols {
		f := pf.fw.schema.Fields[ci]
		st := pf.cstats[j]
		cs := &columnStats{name: f.Name, typ: f.Type, nulls: st.nulls}
		out[j] = cs
		if !st.has {
			continue
		}
		switch t := f.Type.(type) {
		case *DecimalType:
			cs.min = parquetrows.Decimal{Unscaled: big.NewInt(st.minI), Scale: int32(t.Scale), Precision: int32(t.Precision)}
			cs.max = parquetrows.Decimal{Unscaled: big.NewInt(st.maxI), Scale: int32(t.Scale), Precision: int32(t.Precision)}
		case *PrimitiveType:
			switch t.Name {
			case TypeLong:
				cs.min, cs.max = st.minI, st.maxI
			case TypeInteger:
				cs.min, cs.max = int32(st.minI), int32(st.maxI)
			case TypeShort:
				cs.min, cs.max = int16(st.minI), int16(st.maxI)
			case TypeByte:
				cs.min, cs.max = int8(st.minI), int8(st.maxI)
			case TypeDate:
				cs.min, cs.max = parquetrows.Date(st.minI), parquetrows.Date(st.maxI)
			case TypeTimestamp:
				cs.min, cs.max = time.UnixMicro(st.minI).UTC(), time.UnixMicro(st.maxI).UTC()
			case TypeString:
				if utf8.ValidString(st.minS) && utf8.ValidString(st.maxS) {
					cs.min, cs.max = st.minS, st.maxS
				}
			}
		}
	}
	return out
}
