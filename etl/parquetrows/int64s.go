package parquetrows

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// ErrNotInt64 is returned by Int64s for a column that is not a top-level
// signed 64-bit integer column.
var ErrNotInt64 = errors.New("parquetrows: not a top-level INT64 column")

// Int64s calls fn with the non-null values of a top-level signed INT64
// column, a page at a time and in file order, without decoding rows: the
// fast way to read a table's keys. The slice is valid only during the
// call. Column chunks are checked as for Rows.
func (f *File) Int64s(column string, fn func([]int64) error) error {
	i := f.index(column)
	if i < 0 {
		return fmt.Errorf("parquetrows: no column %q in file", column)
	}
	n := f.fields[i]
	if n.kind != leafNode || n.leaf.maxRep != 0 || f.columns[i].Type.Kind != KindInt64 || f.columns[i].Type.Physical != "INT64" {
		return fmt.Errorf("%w: %s", ErrNotInt64, f.columns[i])
	}
	meta := f.pf.Metadata().RowGroups
	for g, rg := range f.pf.RowGroups() {
		chunks := rg.ColumnChunks()
		if len(chunks) != len(f.leaves) || g >= len(meta) || len(meta[g].Columns) != len(f.leaves) {
			return fmt.Errorf("parquetrows: row group %d: %d column chunks for %d leaf columns", g, len(chunks), len(f.leaves))
		}
		pages, err := f.openChunk(chunks[n.first], &meta[g].Columns[n.first].MetaData)
		if err != nil {
			return fmt.Errorf("parquetrows: column %q: %w", column, err)
		}
		err = eachInt64Page(pages, fn)
		pages.Close()
		if err != nil {
			return fmt.Errorf("parquetrows: column %q, row group %d: %w", column, g, err)
		}
	}
	return nil
}

func eachInt64Page(pages parquet.Pages, fn func([]int64) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet decoder panicked: %v", p)
		}
	}()
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading page: %w", err)
		}
		if p.Dictionary() != nil { // dictionary-encoded: values come through the indexes
			vals := make([]parquet.Value, p.NumValues())
			n, rerr := p.Values().ReadValues(vals)
			if rerr != nil && !errors.Is(rerr, io.EOF) {
				parquet.Release(p)
				return fmt.Errorf("reading values: %w", rerr)
			}
			ints := make([]int64, 0, n)
			for _, v := range vals[:n] {
				if !v.IsNull() {
					ints = append(ints, v.Int64())
				}
			}
			err = fn(ints)
		} else {
			data := p.Data()
			err = fn(data.Int64())
		}
		parquet.Release(p)
		if err != nil {
			return err
		}
	}
}
