package parquetrows

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
)

// ErrNotFlat is returned by NewColumnReader for a column that is not flat:
// a list, a map or a struct (and bare repeated fields, which are lists).
// Such columns are read as rows (File.Rows, File.NewReader).
var ErrNotFlat = errors.New("parquetrows: not a flat column (nested columns are read as rows)")

// ColumnReader decodes one flat top-level column — a primitive column,
// required or optional — whole pages at a time into typed Vectors, row group
// after row group, without building a Go value per row. It reads every
// page kind parquet-go decodes: data pages v1 and v2, PLAIN, dictionary
// (RLE_DICTIONARY, PLAIN_DICTIONARY, also when a chunk falls back to PLAIN
// midway), RLE and bit-packed levels, DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, every
// codec. Column chunks are checked as for Rows. It is not safe for
// concurrent use; several ColumnReaders of one File may be used from
// different goroutines.
type ColumnReader struct {
	f      *File
	column Column
	leaf   *leafDecoder
	col    int   // leaf column index
	rg     int   // current row group, -1 before the first
	rgRows int64 // rows in the current row group
	rgRead int64 // rows of the current row group read so far
	pages  parquet.Pages
	page   parquet.Page
	cur    pageState
	err    error // sticky
	done   bool
	bools  []bool   // unpacked boolean page values
	offs   []uint32 // offsets of fixed-length byte arrays
	// The current chunk's dictionary and a checked typed view of it.
	dictOffs []uint32
	dict     parquet.Dictionary
	dictV    typedValues // dict's values, checked once per chunk
}

// pageState is the current page: its levels and a typed view of its values
// (or of its dictionary, which idx indexes).
type pageState struct {
	defs  []byte // definition levels; nil when every row has a value
	n     int    // rows (levels) in the page
	pos   int    // next row
	vpos  int    // next value (of idx when indexed)
	nvals int    // values in the page
	idx   []int32
	src   typedValues
}

// typedValues is the values of a page or dictionary in their Go type.
type typedValues struct {
	bools []bool
	i32   []int32
	i64   []int64
	i96   []deprecated.Int96
	f32   []float32
	f64   []float64
	bytes []byte
	offs  []uint32 // len(values)+1 offsets into bytes
	count int
}

// NewColumnReader returns a reader of the named top-level column. It fails
// with ErrNotFlat for a list, map or struct column, naming it.
func (f *File) NewColumnReader(column string) (*ColumnReader, error) {
	i := f.index(column)
	if i < 0 {
		return nil, fmt.Errorf("parquetrows: no column %q in file", column)
	}
	n := f.fields[i]
	if n.kind != leafNode || n.leaf.maxRep != 0 || n.leaf.maxDef > 1 {
		return nil, fmt.Errorf("%w: %s", ErrNotFlat, f.columns[i])
	}
	return &ColumnReader{f: f, column: f.columns[i], leaf: n.leaf, col: n.first, rg: -1}, nil
}

// Column describes the column read.
func (c *ColumnReader) Column() Column { return c.column }

// Read fills v with the next rows of the column, up to max (at least 1),
// crossing pages and row groups. It returns the number of rows read, and
// io.EOF once every row has been read. Errors name the column and the row
// group; after one, Read keeps returning it.
func (c *ColumnReader) Read(v *Vector, limit int) (n int, err error) {
	limit = max(limit, 1)
	v.reset(c.leaf, limit)
	if c.err != nil {
		return 0, c.err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet decoder panicked: %v", p)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			c.err = fmt.Errorf("parquetrows: column %q, row group %d: %w", c.column.Name, c.rg, err)
			c.close()
			v.reset(c.leaf, 0)
			n, err = 0, c.err
			return
		}
		v.finish()
	}()
	for v.len < limit {
		if c.page == nil {
			if err := c.nextPage(); err != nil {
				if errors.Is(err, io.EOF) && v.len > 0 {
					return v.len, nil
				}
				return v.len, err
			}
			continue
		}
		k := min(limit-v.len, c.cur.n-c.cur.pos)
		c.take(v, k)
		if c.cur.pos == c.cur.n {
			c.releasePage()
		}
	}
	return v.len, nil
}

// take appends k rows of the current page to v.
func (c *ColumnReader) take(v *Vector, k int) {
	p := &c.cur
	var defs []byte
	if p.defs != nil {
		defs = p.defs[p.pos : p.pos+k]
		for _, d := range defs {
			if d == 0 {
				v.nulls++
			}
			v.valid = append(v.valid, d != 0)
		}
	} else if c.leaf.maxDef > 0 {
		for range k {
			v.valid = append(v.valid, true)
		}
	}
	var used int
	switch c.leaf.physical {
	case PhysicalBoolean:
		v.Bool, used = gather(v.Bool, p.src.bools, p.idx, defs, p.vpos, k)
	case PhysicalInt32:
		v.Int32, used = gather(v.Int32, p.src.i32, p.idx, defs, p.vpos, k)
	case PhysicalInt64:
		v.Int64, used = gather(v.Int64, p.src.i64, p.idx, defs, p.vpos, k)
	case PhysicalInt96:
		v.Int96, used = gather(v.Int96, p.src.i96, p.idx, defs, p.vpos, k)
	case PhysicalFloat:
		v.Float32, used = gather(v.Float32, p.src.f32, p.idx, defs, p.vpos, k)
	case PhysicalDouble:
		v.Float64, used = gather(v.Float64, p.src.f64, p.idx, defs, p.vpos, k)
	default:
		used = gatherBytes(v, &p.src, p.idx, defs, p.vpos, k)
	}
	p.pos += k
	p.vpos += used
	v.len += k
	c.rgRead += int64(k)
}

// gather appends k rows to dst: values from src in order (or src[idx[j]]
// when indexed), zero where defs says a row is null. It returns the number
// of values consumed.
func gather[T any](dst, src []T, idx []int32, defs []byte, vpos, k int) ([]T, int) {
	if defs == nil {
		if idx == nil {
			return append(dst, src[vpos:vpos+k]...), k
		}
		for _, j := range idx[vpos : vpos+k] {
			dst = append(dst, src[j])
		}
		return dst, k
	}
	var zero T
	j := vpos
	for _, d := range defs {
		switch {
		case d == 0:
			dst = append(dst, zero)
		case idx == nil:
			dst = append(dst, src[j])
			j++
		default:
			dst = append(dst, src[idx[j]])
			j++
		}
	}
	return dst, j - vpos
}

// gatherBytes is gather for byte arrays.
func gatherBytes(v *Vector, src *typedValues, idx []int32, defs []byte, vpos, k int) int {
	j := vpos
	for r := range k {
		if defs == nil || defs[r] != 0 {
			e := j
			if idx != nil {
				e = int(idx[j])
			}
			v.Bytes = append(v.Bytes, src.bytes[src.offs[e]:src.offs[e+1]]...)
			j++
		}
		v.Offsets = append(v.Offsets, uint32(len(v.Bytes)))
	}
	return j - vpos
}

// nextPage makes the next page of the column current, moving to the next
// row group when the chunk ends; io.EOF after the last row group.
func (c *ColumnReader) nextPage() error {
	for {
		if c.done {
			return io.EOF
		}
		if c.pages == nil {
			if err := c.nextRowGroup(); err != nil {
				return err
			}
			continue
		}
		page, err := c.pages.ReadPage()
		if errors.Is(err, io.EOF) {
			if c.rgRead != c.rgRows {
				return fmt.Errorf("column chunk holds %d rows, the row group %d", c.rgRead, c.rgRows)
			}
			c.close()
			continue
		}
		if err != nil {
			return fmt.Errorf("reading page: %w", err)
		}
		c.page = page
		if err := c.load(page); err != nil {
			return err
		}
		if c.cur.n == 0 {
			c.releasePage()
			continue
		}
		return nil
	}
}

// nextRowGroup opens the column's chunk of the next row group.
func (c *ColumnReader) nextRowGroup() error {
	groups := c.f.pf.RowGroups()
	if c.rg+1 >= len(groups) {
		c.done = true
		return io.EOF
	}
	c.rg++
	rg := groups[c.rg]
	c.rgRows, c.rgRead = rg.NumRows(), 0
	c.dict, c.dictV = nil, typedValues{}
	if c.rgRows < 0 {
		return fmt.Errorf("negative row count %d", c.rgRows)
	}
	chunks := rg.ColumnChunks()
	meta := c.f.pf.Metadata().RowGroups
	if len(chunks) != len(c.f.leaves) || c.rg >= len(meta) || len(meta[c.rg].Columns) != len(c.f.leaves) {
		return fmt.Errorf("%d column chunks for %d leaf columns", len(chunks), len(c.f.leaves))
	}
	pages, err := c.f.openChunk(chunks[c.col], &meta[c.rg].Columns[c.col].MetaData)
	if err != nil {
		return err
	}
	c.pages = pages
	return nil
}

// load checks a page and makes a typed view of its values.
func (c *ColumnReader) load(page parquet.Page) error {
	p := pageState{n: int(page.NumValues())}
	if c.leaf.maxDef > 0 {
		if defs := page.DefinitionLevels(); defs != nil {
			p.defs, p.n = defs, len(defs)
		}
	}
	if int64(p.n) > c.rgRows-c.rgRead {
		return fmt.Errorf("column chunk holds values beyond the row group's %d rows", c.rgRows)
	}
	for _, d := range p.defs {
		if int(d) > c.leaf.maxDef {
			return fmt.Errorf("definition level %d exceeds the column's maximum %d", d, c.leaf.maxDef)
		}
		if d != 0 {
			p.nvals++
		}
	}
	if p.defs == nil {
		p.nvals = p.n
	}
	values := page.Data()
	if dict := page.Dictionary(); dict != nil {
		if values.Kind() != encoding.Int32 {
			return fmt.Errorf("dictionary page of %s indexes", values.Kind())
		}
		p.idx = values.Int32()
		if len(p.idx) != p.nvals {
			return fmt.Errorf("page holds %d dictionary indexes for %d values", len(p.idx), p.nvals)
		}
		if dict != c.dict {
			src, err := c.typed(dict.Page().Data(), dict.Len(), &c.dictOffs)
			if err != nil {
				return fmt.Errorf("dictionary: %w", err)
			}
			c.dict, c.dictV = dict, src
		}
		src := c.dictV
		for _, j := range p.idx {
			if j < 0 || int(j) >= src.count {
				return fmt.Errorf("dictionary index %d out of range [0,%d)", j, src.count)
			}
		}
		p.src = src
	} else {
		src, err := c.typed(values, p.nvals, &c.offs)
		if err != nil {
			return err
		}
		p.src = src
	}
	c.cur = p
	return nil
}

// typed views the n values of a page (or dictionary) in their Go type,
// checking there are that many.
func (c *ColumnReader) typed(values encoding.Values, n int, offs *[]uint32) (typedValues, error) {
	t := typedValues{count: n}
	data, offsets := values.Data()
	short := func(have int) error {
		return fmt.Errorf("page holds %d values for %d rows with a value", have, n)
	}
	switch c.leaf.physical {
	case PhysicalBoolean:
		if len(data)*8 < n {
			return t, short(len(data) * 8)
		}
		c.bools = c.bools[:0]
		for i := range n {
			c.bools = append(c.bools, data[i>>3]>>(i&7)&1 != 0)
		}
		t.bools = c.bools
	case PhysicalInt32:
		if t.i32 = values.Int32(); len(t.i32) < n {
			return t, short(len(t.i32))
		}
	case PhysicalInt64:
		if t.i64 = values.Int64(); len(t.i64) < n {
			return t, short(len(t.i64))
		}
	case PhysicalInt96:
		if t.i96 = values.Int96(); len(t.i96) < n {
			return t, short(len(t.i96))
		}
	case PhysicalFloat:
		if t.f32 = values.Float(); len(t.f32) < n {
			return t, short(len(t.f32))
		}
	case PhysicalDouble:
		if t.f64 = values.Double(); len(t.f64) < n {
			return t, short(len(t.f64))
		}
	case PhysicalByteArray:
		if len(offsets) < n+1 {
			return t, short(max(len(offsets)-1, 0))
		}
		for i := range n {
			if offsets[i] > offsets[i+1] || int(offsets[i+1]) > len(data) {
				return t, fmt.Errorf("byte array %d at [%d,%d) outside the page's %d bytes", i, offsets[i], offsets[i+1], len(data))
			}
		}
		t.bytes, t.offs = data, offsets
	case PhysicalFixedLenByteArray:
		size := c.leaf.length
		if size <= 0 {
			return t, fmt.Errorf("fixed-length byte arrays of %d bytes", size)
		}
		if len(data) < n*size {
			return t, short(len(data) / size)
		}
		o := (*offs)[:0]
		for i := range n + 1 {
			o = append(o, uint32(i*size))
		}
		*offs = o
		t.bytes, t.offs = data, o
	}
	return t, nil
}

func (c *ColumnReader) releasePage() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	c.page, c.cur = nil, pageState{}
}

func (c *ColumnReader) close() error {
	c.releasePage()
	if c.pages == nil {
		return nil
	}
	err := c.pages.Close()
	c.pages = nil
	return err
}

// Close releases the pages held by the reader. Read returns an error after
// Close.
func (c *ColumnReader) Close() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquetrows: closing column reader: parquet decoder panicked: %v", p)
		}
	}()
	if c.err == nil {
		c.err = errors.New("parquetrows: column reader is closed")
	}
	if err := c.close(); err != nil {
		return fmt.Errorf("parquetrows: closing column reader: %w", err)
	}
	return nil
}
