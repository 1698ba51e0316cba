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

// WriteCells adds one row of cells (schema order, partition columns
// included and ignored). It allocates nothing per row once warm.
func (pf *PartitionFile) WriteCells(cells []Cell) error {
	fw := pf.fw
	if len(cells) != len(fw.schema.Fields) {
		return fmt.Errorf("row %d has %d values, the schema %d columns", pf.rows, len(cells), len(fw.schema.Fields))
	}
	if pf.cstats == nil {
		pf.cstats = make([]cellStats, len(fw.dataCols))
	}
	n := len(fw.leafPos)
	if cap(pf.cellBuf)-len(pf.cellBuf) < n {
		if err := pf.flush(); err != nil {
			return err
		}
		if pf.cellBuf == nil {
			pf.cellBuf = make([]parquet.Value, 0, n*cap(pf.batch))
		}
		pf.cellBuf = pf.cellBuf[:0]
	}
	start := len(pf.cellBuf)
	pf.cellBuf = pf.cellBuf[:start+n]
	prow := parquet.Row(pf.cellBuf[start : start+n : start+n])
	for leaf, j := range fw.leafPos {
		ci := fw.dataCols[j]
		f := &fw.schema.Fields[ci]
		c := &cells[ci]
		st := &pf.cstats[j]
		if c.Null {
			if !f.Nullable {
				return fmt.Errorf("row %d: column %s is not nullable", pf.rows, f.Name)
			}
			st.nulls++
			prow[leaf] = parquet.NullValue().Level(0, 0, leaf)
			continue
		}
		var v parquet.Value
		isString := false
		switch t := f.Type.(type) {
		case *PrimitiveType:
			switch t.Name {
			case TypeLong, TypeTimestamp:
				v = parquet.Int64Value(c.I)
			case TypeInteger, TypeShort, TypeByte, TypeDate:
				v = parquet.Int32Value(int32(c.I))
			case TypeBoolean:
				v = parquet.BooleanValue(c.I != 0)
			case TypeString, TypeBinary:
				v = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(c.S), len(c.S)))
				isString = t.Name == TypeString
			default:
				return fmt.Errorf("column %s: %s cannot be written from cells", f.Name, t)
			}
		case *DecimalType:
			switch {
			case t.Precision <= 9:
				v = parquet.Int32Value(int32(c.I))
			case t.Precision <= 18:
				v = parquet.Int64Value(c.I)
			default:
				v = parquet.FixedLenByteArrayValue(twosComplement(big.NewInt(c.I), decimalBytes(t.Precision)))
			}
		default:
			return fmt.Errorf("column %s: %s cannot be written from cells", f.Name, t)
		}
		def := 0
		if f.Nullable {
			def = 1
		}
		prow[leaf] = v.Level(0, def, leaf)
		if isString {
			if !st.has || c.S < st.minS {
				st.minS = c.S
			}
			if !st.has || c.S > st.maxS {
				st.maxS = c.S
			}
		} else {
			if !st.has || c.I < st.minI {
				st.minI = c.I
			}
			if !st.has || c.I > st.maxI {
				st.maxI = c.I
			}
		}
		st.has = true
	}
	pf.batch = append(pf.batch, prow)
	pf.rows++
	if len(pf.batch) == cap(pf.batch) {
		return pf.flush()
	}
	return nil
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
