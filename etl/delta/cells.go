package delta

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
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
// written column by column. It is a power of two (WriteCells masks row
// indexes with it).
const cellBatchRows = 1024

const _ uint = -(cellBatchRows & (cellBatchRows - 1)) // compiles only for a power of two

// WriteCells adds one row of cells (schema order, partition columns
// included and ignored). Rows are buffered column by column and written a
// column at a time, which is the fastest way parquet-go offers for a schema
// built at run time (see etl/parquetbench/RESULTS.md). It allocates nothing
// per row once warm.
func (pf *PartitionFile) WriteCells(cells []Cell) error {
	fw := pf.fw
	if len(cells) != len(fw.schema.Fields) {
		return fmt.Errorf("row %d has %d values, the schema %d columns", pf.rows, len(cells), len(fw.schema.Fields))
	}
	if pf.cstats == nil {
		pf.cstats = make([]cellStats, len(fw.dataCols))
	}
	b := pf.pending
	if b == nil {
		b = newCellBatch(fw)
		pf.pending = b
	}
	r := b.rows & (cellBatchRows - 1) // b.rows < cellBatchRows, a power of two: no bounds checks
	cols := b.cols
	for j := range cols {
		col := &cols[j]
		c := &cells[col.ci]
		if col.nulls != nil {
			col.nulls[r] = c.Null
		} else if c.Null {
			return fmt.Errorf("row %d: column %s is not nullable", pf.rows, fw.schema.Fields[col.ci].Name)
		}
		if col.strs != nil {
			col.strs[r] = c.S
		} else {
			col.ints[r] = c.I
		}
	}
	if pf.enc.failed.Load() {
		return pf.enc.err // the encoder stopped; the caller aborts the file
	}
	b.rows++
	pf.rows++
	if b.rows == cellBatchRows {
		pf.sendCells()
	}
	return nil
}

// encodeCells writes a batch of rows, one column at a time. It runs on the
// file's encoder goroutine.
//
// The values for ColumnWriter.WriteRowValues are built with one tight loop
// per kind of column. WriteRowValues (parquet-go v0.32.0) reads only a value's
// payload and its definition level (which tells nulls of an optional column
// from values), so values of an optional column get definition level 1 with
// Value.SetDefinitionLevel (inlined, no bounds check for a constant), nulls
// are the zero Value, and values of a required column keep the constructor's
// zero levels.
func (pf *PartitionFile) encodeCells(b *cellBatch) error {
	fw := pf.fw
	n := b.rows
	if cap(pf.colVals) < n {
		pf.colVals = make([]parquet.Value, cellBatchRows)
	}
	vals := pf.colVals[:n]
	if pf.w == nil {
		if err := pf.start(pf.cellEncodings(b)); err != nil {
			return err
		}
	}
	cols := pf.w.ColumnWriters()
	for leaf, j := range fw.leafPos {
		col := &b.cols[j]
		f := &fw.schema.Fields[col.ci]
		st := &pf.cstats[j]
		optional := col.nulls != nil
		switch col.kind {
		case kindInt64:
			fillInt64(vals, col.ints[:n], optional)
		case kindInt32:
			fillInt32(vals, col.ints[:n], optional)
		case kindBool:
			fillBool(vals, col.ints[:n], optional)
		case kindString, kindBytes:
			fillBytes(vals, col.strs[:n], optional)
		case kindFixed:
			pf.enc.fixed = fillFixed(vals, col.ints[:n], optional, decimalBytes(f.Type.(*DecimalType).Precision), pf.enc.fixed)
		default:
			_, err := cellKind(f)
			return err
		}
		var nulls []bool // nil when the batch has no nulls in this column
		nullCount := 0
		if col.nulls != nil {
			nullCount = countTrue(col.nulls[:n])
		}
		if nullCount > 0 {
			nulls = col.nulls[:n]
			for r, null := range nulls {
				if null {
					vals[r] = parquet.Value{}
				}
			}
			st.nulls += int64(nullCount)
		}
		switch {
		case nullCount == n: // no values: min and max stay as they are
		case col.kind == kindString:
			st.addStrings(col.strs[:n], nulls)
		case col.kind == kindBool || col.kind == kindBytes:
			st.has = true // min and max are not kept
		default:
			st.addInts(col.ints[:n], nulls)
		}
		if _, err := cols[leaf].WriteRowValues(vals); err != nil {
			return fmt.Errorf("encode parquet column %s: %w", f.Name, err)
		}
	}
	limit := pf.groupLimit()
	if err := pf.endDictionaryPages(pf.groupRows, pf.groupRows+n, limit); err != nil {
		return err
	}
	pf.groupRows += n
	if pf.groupRows >= limit {
		pf.groupRows = 0
		if err := pf.w.Flush(); err != nil {
			return fmt.Errorf("encode parquet: %w", err)
		}
	}
	return nil
}

// cellEncodings picks each column's encoding from the first batch of a
// file (the rows of a file tell more about its columns than their types).
func (pf *PartitionFile) cellEncodings(b *cellBatch) func(j int) columnEncoding {
	choice := make([]columnEncoding, len(b.cols))
	var scratch []int64
	for j := range b.cols {
		col := &b.cols[j]
		var nulls []bool
		if col.nulls != nil {
			nulls = col.nulls[:b.rows]
		}
		var smp sample
		switch col.kind {
		case kindString, kindBytes:
			smp = sampleStrings(col.strs[:b.rows], nulls)
		case kindInt64, kindInt32, kindFixed:
			smp, scratch = sampleInts(col.ints[:b.rows], nulls, scratch)
		default: // booleans are PLAIN; kindNone fails in encodeCells
			continue
		}
		if dictionaryPays(smp) {
			choice[j] = encodeDictionary
		}
	}
	return func(j int) columnEncoding { return choice[j] }
}

// fillInt64 sets vals to INT64 values; optional gives them definition level 1.
func fillInt64(vals []parquet.Value, xs []int64, optional bool) {
	vals = vals[:len(xs)]
	if optional {
		for r, x := range xs {
			vals[r] = parquet.Int64Value(x)
			vals[r].SetDefinitionLevel(1)
		}
		return
	}
	for r, x := range xs {
		vals[r] = parquet.Int64Value(x)
	}
}

// fillInt32 sets vals to INT32 values; optional gives them definition level 1.
func fillInt32(vals []parquet.Value, xs []int64, optional bool) {
	vals = vals[:len(xs)]
	if optional {
		for r, x := range xs {
			vals[r] = parquet.Int32Value(int32(x))
			vals[r].SetDefinitionLevel(1)
		}
		return
	}
	for r, x := range xs {
		vals[r] = parquet.Int32Value(int32(x))
	}
}

// fillBool sets vals to BOOLEAN values (true for non-zero); optional gives
// them definition level 1. Values are copied from two templates, without
// branches (booleans are often random).
func fillBool(vals []parquet.Value, xs []int64, optional bool) {
	tmpl := [2]parquet.Value{parquet.BooleanValue(false), parquet.BooleanValue(true)}
	if optional {
		tmpl[0].SetDefinitionLevel(1)
		tmpl[1].SetDefinitionLevel(1)
	}
	vals = vals[:len(xs)]
	for r, x := range xs {
		vals[r] = tmpl[(uint64(x)|-uint64(x))>>63] // 1 for any x but 0
	}
}

// fillBytes sets vals to BYTE_ARRAY values that share the strings' bytes;
// optional gives them definition level 1.
func fillBytes(vals []parquet.Value, ss []string, optional bool) {
	vals = vals[:len(ss)]
	if optional {
		for r, s := range ss {
			vals[r] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
			vals[r].SetDefinitionLevel(1)
		}
		return
	}
	for r, s := range ss {
		vals[r] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
	}
}

// fillFixed sets vals to FIXED_LEN_BYTE_ARRAY values of width bytes, the big
// endian two's complement of xs, kept in buf (grown as needed and returned);
// optional gives them definition level 1.
func fillFixed(vals []parquet.Value, xs []int64, optional bool, width int, buf []byte) []byte {
	if cap(buf) < len(xs)*width {
		buf = make([]byte, len(xs)*width)
	}
	buf = buf[:len(xs)*width]
	vals = vals[:len(xs)]
	for r, x := range xs {
		b := buf[r*width : (r+1)*width]
		for i := width - 1; i >= 0; i-- {
			b[i] = byte(x)
			x >>= 8 // arithmetic: negative numbers extend with 0xff
		}
		vals[r] = parquet.FixedLenByteArrayValue(b)
		if optional {
			vals[r].SetDefinitionLevel(1)
		}
	}
	return buf
}

// countTrue counts the true elements of bs, eight at a time.
func countTrue(bs []bool) int {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(bs))), len(bs)) // a bool is one byte, 0 or 1
	n := 0
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, x := range b {
		n += int(x)
	}
	return n
}

// addInts adds the values of xs that are not null (nulls is nil when none
// is) to the minimum and maximum.
func (st *cellStats) addInts(xs []int64, nulls []bool) {
	mn, mx, has := st.minI, st.maxI, st.has
	if nulls == nil {
		if len(xs) == 0 {
			return
		}
		if !has {
			mn, mx, has = xs[0], xs[0], true
		}
		// Two chains of min and max run side by side.
		mn2, mx2 := mn, mx
		for len(xs) >= 2 {
			mn, mx = min(mn, xs[0]), max(mx, xs[0])
			mn2, mx2 = min(mn2, xs[1]), max(mx2, xs[1])
			xs = xs[2:]
		}
		for _, x := range xs {
			mn, mx = min(mn, x), max(mx, x)
		}
		mn, mx = min(mn, mn2), max(mx, mx2)
	} else {
		nulls = nulls[:len(xs)]
		for r, x := range xs {
			if nulls[r] {
				continue
			}
			if !has {
				mn, mx, has = x, x, true
			}
			mn = min(mn, x)
			mx = max(mx, x)
		}
	}
	st.minI, st.maxI, st.has = mn, mx, has
}

// addStrings adds the strings of ss that are not null (nulls is nil when
// none is) to the minimum and maximum.
func (st *cellStats) addStrings(ss []string, nulls []bool) {
	for r, s := range ss {
		if nulls != nil && nulls[r] {
			continue
		}
		if !st.has || s < st.minS {
			st.minS = s
		}
		if !st.has || s > st.maxS {
			st.maxS = s
		}
		st.has = true
	}
}

// Kinds of columns written from cells.
const (
	kindInt64 = iota
	kindInt32
	kindBool
	kindString
	kindBytes
	kindFixed
	kindNone = -1 // the column cannot be written from cells
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

// pageBufferBytes is the size of a column's page buffer while writing (a
// page holds about 8,000 values of 8 bytes): every open data file holds
// one per column, so smaller buffers let more files be open at once.
const pageBufferBytes = 64 << 10

// LimitRowGroups bounds the rows of the file's row groups still to come to
// rows, rounded down to a multiple of 1,024 (at least 1,024, at most
// 32,768): a row group's rows are held until it ends, so a writer of many
// files at once divides the rows it may hold among them. Only rows written
// as cells; it may be called while the file is written.
func (pf *PartitionFile) LimitRowGroups(rows int) {
	pf.groupMax.Store(int64(min(max(rows/cellBatchRows, 1)*cellBatchRows, rowGroupRows)))
}

// groupLimit is the most rows of the current row group.
func (pf *PartitionFile) groupLimit() int {
	if n := pf.groupMax.Load(); n > 0 {
		return int(n)
	}
	return rowGroupRows
}
