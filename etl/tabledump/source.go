package tabledump

import (
	"errors"
	"fmt"
	"io"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// columns prepares the columns of one data file: constant cells for
// partition columns and columns the file lacks, a typed reader for each
// flat column, and the names of the nested columns the row reader reads.
func (d *dumper) columns(sc *delta.FileScan, cw *cellWriter) ([]*column, []string, error) {
	cols := make([]*column, len(sc.Fields))
	var nested []string
	for i, f := range sc.Fields {
		c := &column{field: f, mapping: &sc.Mapping[i]}
		cols[i] = c
		src := sc.Mapping[i].Source
		switch {
		case sc.Partition[i]:
			c.kind = constCell
			var err error
			if c.konst, err = cw.value(nil, sc.PartitionValues[i]); err != nil {
				return cols, nil, fmt.Errorf("partition column %s: %w", f.Name, err)
			}
		case src == "":
			c.kind, c.konst = constCell, cw.null(nil)
		default:
			r, err := sc.File.NewColumnReader(src)
			if errors.Is(err, parquetrows.ErrNotFlat) {
				c.kind, c.nested = nestedCell, len(nested)
				nested = append(nested, src)
				continue
			}
			if err != nil {
				return cols, nil, err
			}
			c.reader = r
			c.plan(r.Column().Type, f.Type)
		}
	}
	return cols, nested, nil
}

// rowSource reads a data file's columns in step, a batch of rows at a time.
type rowSource struct {
	typed      []*column
	nested     *parquetrows.Reader
	nestedRows [][]any
	left       int64 // rows still to count when no column is read from the file
}

func newRowSource(sc *delta.FileScan, cols []*column, nested []string) (*rowSource, error) {
	s := &rowSource{left: sc.File.NumRows()}
	for _, c := range cols {
		if c.reader != nil {
			s.typed = append(s.typed, c)
		}
	}
	if len(nested) > 0 {
		r, err := sc.File.NewReader(nested...)
		if err != nil {
			return nil, err
		}
		s.nested = r
	}
	return s, nil
}

func (s *rowSource) close() {
	if s.nested != nil {
		s.nested.Close()
	}
}

// next reads the next batch into the columns' vectors (and nestedRows),
// returning its row count, or io.EOF after the last row.
func (s *rowSource) next() (int, error) {
	if len(s.typed) == 0 && s.nested == nil {
		n := min(s.left, batchRows)
		if n == 0 {
			return 0, io.EOF
		}
		s.left -= n
		return int(n), nil
	}
	n := -1
	var first *column
	for _, c := range s.typed {
		k, err := c.reader.Read(&c.vec, batchRows)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if n < 0 {
			n, first = k, c
		} else if k != n {
			return 0, fmt.Errorf("column %s gives %d rows where column %s gives %d", c.field.Name, k, first.field.Name, n)
		}
	}
	if s.nested == nil {
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
	limit := n
	if limit < 0 {
		limit = batchRows
	}
	s.nestedRows = s.nestedRows[:0]
	for len(s.nestedRows) < limit {
		row, err := s.nested.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		s.nestedRows = append(s.nestedRows, row)
	}
	if n >= 0 && len(s.nestedRows) != n {
		return 0, fmt.Errorf("the nested columns give %d rows where column %s gives %d", len(s.nestedRows), first.field.Name, n)
	}
	if len(s.nestedRows) == 0 {
		return 0, io.EOF
	}
	return len(s.nestedRows), nil
}
