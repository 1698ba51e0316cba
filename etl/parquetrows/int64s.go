package parquetrows

import (
	"errors"
	"fmt"
	"io"
)

// ErrNotInt64 is returned by Int64s for a column that is not a top-level
// signed 64-bit integer column.
var ErrNotInt64 = errors.New("parquetrows: not a top-level INT64 column")

// int64Batch is the number of rows Int64s reads at a time.
const int64Batch = 64 << 10

// Int64s calls fn with the non-null values of a top-level signed INT64
// column, in file order and many at a time, without decoding rows (a
// ColumnReader underneath): the fast way to read a table's keys. The slice
// is valid only during the call. Column chunks are checked as for Rows.
func (f *File) Int64s(column string, fn func([]int64) error) error {
	i := f.index(column)
	if i < 0 {
		return fmt.Errorf("parquetrows: no column %q in file", column)
	}
	if n := f.fields[i]; n.kind != leafNode || n.leaf.maxRep != 0 || f.columns[i].Type.Kind != KindInt64 || f.columns[i].Type.Physical != "INT64" {
		return fmt.Errorf("%w: %s", ErrNotInt64, f.columns[i])
	}
	r, err := f.NewColumnReader(column)
	if err != nil {
		return err
	}
	defer r.Close()
	var v Vector
	var dense []int64
	for {
		n, err := r.Read(&v, int64Batch)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		vals := v.Int64[:n]
		if v.Valid != nil {
			dense = dense[:0]
			for j, ok := range v.Valid {
				if ok {
					dense = append(dense, vals[j])
				}
			}
			vals = dense
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
}
