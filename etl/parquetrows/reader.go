package parquetrows

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/parquet-go/parquet-go"
)

// File is an open Parquet file.
type File struct {
	pf      *parquet.File
	r       io.ReaderAt
	data    []byte // the whole file, when opened with OpenBytes
	size    int64
	fields  []*node // top-level fields
	leaves  []*leafDecoder
	columns []Column
}

// Open reads the footer of the Parquet file of the given size held by r and
// prepares the decoding of its columns. It fails on a schema it cannot
// decode (an invalid LIST or MAP group, an annotation not valid for its
// physical type, ...), naming the column.
func Open(r io.ReaderAt, size int64) (f *File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("parquetrows: opening file: parquet decoder panicked: %v", p)
		}
	}()
	tail, err := readTail(r, size)
	if err != nil {
		return nil, fmt.Errorf("parquetrows: opening file: %w", err)
	}
	pf, err := parquet.OpenFile(tail, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("parquetrows: opening file: %w", err)
	}
	root, leaves, err := parseSchema(pf.Metadata().Schema)
	if err != nil {
		return nil, fmt.Errorf("parquetrows: reading schema: %w", err)
	}
	f = &File{pf: pf, r: tail, size: size, leaves: make([]*leafDecoder, len(leaves))}
	for _, c := range root.children {
		n, err := buildField(c, 0)
		if err != nil {
			return nil, fmt.Errorf("parquetrows: reading schema: %w", err)
		}
		f.fields = append(f.fields, n)
		f.columns = append(f.columns, columnOf(c, n))
		collectLeaves(n, f.leaves)
	}
	return f, nil
}

// OpenBytes is Open of a file held in memory: its column chunks are read
// in place rather than copied out. data must not change while f is used.
func OpenBytes(data []byte) (*File, error) {
	f, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	f.data = data
	return f, nil
}

func collectLeaves(n *node, leaves []*leafDecoder) {
	if n == nil {
		return
	}
	if n.kind == leafNode {
		leaves[n.first] = n.leaf
	}
	for _, c := range n.children {
		collectLeaves(c, leaves)
	}
}

// Columns describes the top-level columns, in file order.
func (f *File) Columns() []Column { return append([]Column(nil), f.columns...) }

// NumRows is the number of rows of the file, from its footer.
func (f *File) NumRows() int64 { return f.pf.NumRows() }

// NumRowGroups is the number of row groups of the file.
func (f *File) NumRowGroups() int { return len(f.pf.RowGroups()) }

// CreatedBy is the writer identification recorded in the footer, such as
// "parquet-mr version 1.13.1 (build ...)".
func (f *File) CreatedBy() string { return f.pf.Metadata().CreatedBy }

// Rows iterates over the rows, projected to the named top-level columns (all
// of them when none is named). It stops after yielding the first error.
func (f *File) Rows(columns ...string) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		r, err := f.NewReader(columns...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer r.Close()
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(row, err) || err != nil {
				return
			}
		}
	}
}

// ReadAll reads every row, projected as by Rows.
func (f *File) ReadAll(columns ...string) ([][]any, error) {
	var rows [][]any
	for row, err := range f.Rows(columns...) {
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Reader streams the rows of a File, row group after row group. It is not
// safe for concurrent use.
type Reader struct {
	f       *File
	fields  []*node
	cols    []*columnReader // by leaf column; nil when not projected
	used    []int           // projected leaf columns
	asm     *assembler
	top     []span
	rg      int   // current row group, -1 before the first
	rgRows  int64 // rows in the current row group
	row     int64 // next row within the current row group
	err     error // sticky
	columns []Column
}

// NewReader returns a Reader of the named top-level columns, in the order
// given (all columns, in file order, when none is named). Columns not named
// are never decoded.
func (f *File) NewReader(columns ...string) (*Reader, error) {
	r := &Reader{f: f, rg: -1, cols: make([]*columnReader, len(f.leaves)), top: make([]span, len(f.leaves))}
	if len(columns) == 0 {
		r.fields, r.columns = f.fields, f.columns
	}
	for _, name := range columns {
		i := f.index(name)
		if i < 0 {
			return nil, fmt.Errorf("parquetrows: no column %q in file", name)
		}
		r.fields = append(r.fields, f.fields[i])
		r.columns = append(r.columns, f.columns[i])
	}
	depth := 0
	for _, n := range r.fields {
		depth = max(depth, maxDepth(n))
		for c := n.first; c < n.first+n.count; c++ {
			if r.cols[c] == nil {
				r.cols[c] = newColumnReader(f.leaves[c])
				r.used = append(r.used, c)
			}
		}
	}
	r.asm = newAssembler(r.cols, depth)
	return r, nil
}

func (f *File) index(name string) int {
	for i, n := range f.fields {
		if n.name == name {
			return i
		}
	}
	return -1
}

// maxDepth is the number of scratch slices the lists and maps under n need.
func maxDepth(n *node) int {
	d := 0
	if n.kind == listNode || n.kind == mapNode {
		d = n.depth + 1
	}
	for _, c := range n.children {
		if c != nil {
			d = max(d, maxDepth(c))
		}
	}
	return d
}

// Columns describes the columns of the rows returned by Next.
func (r *Reader) Columns() []Column { return append([]Column(nil), r.columns...) }

// Next returns the next row, one value per projected column, or io.EOF
// after the last row. Errors name the row group, the row and the column;
// after an error, Next keeps returning it.
func (r *Reader) Next() (row []any, err error) {
	if r.err != nil {
		return nil, r.err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquetrows: row group %d, row %d: parquet decoder panicked: %v", r.rg, r.row, p)
		}
		if err != nil {
			row, r.err = nil, err
		}
	}()
	for r.row >= r.rgRows {
		if err := r.nextRowGroup(); err != nil {
			return nil, err
		}
	}
	for _, c := range r.used {
		s, err := r.cols[c].nextRecord()
		if err != nil {
			return nil, r.errorf(err, "column %q", r.cols[c].leaf.path)
		}
		r.top[c] = s
	}
	row = make([]any, len(r.fields))
	for i, n := range r.fields {
		v, err := r.asm.value(n, r.top)
		if err != nil {
			return nil, r.errorf(err, "")
		}
		row[i] = v
	}
	r.row++
	return row, nil
}

func (r *Reader) errorf(err error, format string, args ...any) error {
	where := fmt.Sprintf("parquetrows: row group %d, row %d", r.rg, r.row)
	if format != "" {
		where += ", " + fmt.Sprintf(format, args...)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// nextRowGroup checks that the current row group is fully consumed and
// moves to the next one, returning io.EOF after the last.
func (r *Reader) nextRowGroup() error {
	if r.rg >= 0 {
		for _, c := range r.used {
			if err := r.cols[c].finish(r.rgRows); err != nil {
				return r.errorf(err, "column %q", r.cols[c].leaf.path)
			}
		}
	}
	groups := r.f.pf.RowGroups()
	if r.rg+1 >= len(groups) {
		r.closeColumns()
		r.rg = len(groups)
		return io.EOF
	}
	r.rg++
	rg := groups[r.rg]
	r.rgRows, r.row = rg.NumRows(), 0
	if r.rgRows < 0 {
		return r.errorf(fmt.Errorf("negative row count %d", r.rgRows), "")
	}
	chunks := rg.ColumnChunks()
	meta := r.f.pf.Metadata().RowGroups
	if len(chunks) != len(r.cols) || len(meta) != len(groups) || len(meta[r.rg].Columns) != len(r.cols) {
		return r.errorf(fmt.Errorf("%d column chunks for %d leaf columns", len(chunks), len(r.cols)), "")
	}
	for _, c := range r.used {
		pages, err := r.f.openChunk(chunks[c], &meta[r.rg].Columns[c].MetaData)
		if err == nil {
			err = r.cols[c].reset(pages)
		}
		if err != nil {
			return r.errorf(err, "column %q", r.cols[c].leaf.path)
		}
	}
	return nil
}

func (r *Reader) closeColumns() error {
	var errs []error
	for _, c := range r.used {
		errs = append(errs, r.cols[c].close())
	}
	return errors.Join(errs...)
}

// Close releases the pages held by the reader. Next returns an error after
// Close.
func (r *Reader) Close() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquetrows: closing reader: parquet decoder panicked: %v", p)
		}
	}()
	if r.err == nil {
		r.err = errors.New("parquetrows: reader is closed")
	}
	if err := r.closeColumns(); err != nil {
		return fmt.Errorf("parquetrows: closing reader: %w", err)
	}
	return nil
}
