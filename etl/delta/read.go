package delta

import (
	"bytes"
	"context"
	"fmt"
	"iter"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// wholeFileLimit is the size up to which a data file is fetched in one
// request; bigger files are read with ranged requests.
const wholeFileLimit = 64 << 20

// Rows yields the snapshot's rows in schema order, file by file (files in
// path order). Values are typed by the table schema (see FileWriter for the
// Go types); partition columns come from the add actions.
func (s *Snapshot) Rows(ctx context.Context) iter.Seq2[[]any, error] {
	return s.Project(ctx, s.schema.Names()...)
}

// Project yields rows holding only the named columns, in the order named.
func (s *Snapshot) Project(ctx context.Context, columns ...string) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		for _, a := range s.Files() {
			for row, err := range s.ProjectFile(ctx, a, columns...) {
				if !yield(row, err) || err != nil {
					return
				}
			}
		}
	}
}

// FileRows yields the rows of one data file of the snapshot, in schema order.
func (s *Snapshot) FileRows(ctx context.Context, a *Add) iter.Seq2[[]any, error] {
	return s.ProjectFile(ctx, a, s.schema.Names()...)
}

// ProjectFile yields the named columns of the rows of one logical file:
// the rows of its data file less those its deletion vector deletes. Data
// columns are found as the column mapping mode says (by name, physical
// name or field id) and come out under their schema names; partition
// columns come from the add action's partition values.
func (s *Snapshot) ProjectFile(ctx context.Context, a *Add, columns ...string) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		sc, err := s.ScanFile(ctx, a, columns...)
		if err != nil {
			yield(nil, err)
			return
		}
		fail := func(err error) { yield(nil, sc.Wrap(err)) }
		// Project the file onto the data columns it has.
		var proj []string
		srcIdx := make([]int, len(sc.Fields)) // index in projected row, -1 when absent
		for i := range sc.Fields {
			srcIdx[i] = -1
			if src := sc.Mapping[i].Source; src != "" {
				srcIdx[i] = len(proj)
				proj = append(proj, src)
			}
		}
		if len(proj) == 0 {
			// Only partition columns: the file's row count is all that is needed.
			for r := range sc.File.NumRows() {
				if sc.Deleted != nil && sc.Deleted.Contains(uint64(r)) {
					continue
				}
				row := make([]any, len(sc.Fields))
				copy(row, sc.PartitionValues)
				if !yield(row, nil) {
					return
				}
			}
			return
		}
		var index uint64 // row index in the data file
		for raw, err := range sc.File.Rows(proj...) {
			if err != nil {
				fail(err)
				return
			}
			index++
			if sc.Deleted != nil && sc.Deleted.Contains(index-1) {
				continue
			}
			row := make([]any, len(sc.Fields))
			for i, fld := range sc.Fields {
				switch {
				case sc.Partition[i]:
					row[i] = sc.PartitionValues[i]
				case srcIdx[i] >= 0:
					v, err := Coerce(sc.Mapping[i].Logical(raw[srcIdx[i]]), fld.Type)
					if err != nil {
						fail(fmt.Errorf("column %s: %w", fld.Name, err))
						return
					}
					row[i] = v
				}
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// openParquet opens a Parquet object, fetching small files whole.
func openParquet(ctx context.Context, store storage.Store, key string) (*parquetrows.File, error) {
	info, err := store.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	if info.Size <= wholeFileLimit {
		b, err := readSized(ctx, store, key, info.Size)
		if err != nil {
			return nil, err
		}
		return parquetrows.OpenBytes(b)
	}
	return parquetrows.Open(storage.NewReaderAt(ctx, store, key, info.Size), info.Size)
}

// readSized reads an object whose size is known into one buffer of that
// size (io.ReadAll would grow one to twice or three times it).
func readSized(ctx context.Context, store storage.Store, key string, size int64) ([]byte, error) {
	rc, err := store.Open(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead) // ReadFrom wants MinRead bytes free before it sees EOF
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, &storage.Error{Op: "read", URI: store.URI(), Key: key, Err: err}
	}
	return buf.Bytes(), nil
}

// Int64Column calls fn with the non-null values of a data (not partition)
// column stored as signed INT64 in every data file of the snapshot, a page
// at a time, without decoding rows: the fast way to read a table's keys.
// It fails with parquetrows.ErrNotInt64 when a file stores the column
// otherwise or has a deletion vector (the caller can fall back to
// Project); files that lack the column hold only nulls there and are
// skipped.
func (s *Snapshot) Int64Column(ctx context.Context, column string, fn func([]int64) error) error {
	for _, p := range s.PartitionColumns() {
		if p == column {
			return fmt.Errorf("%w: %s is a partition column", parquetrows.ErrNotInt64, column)
		}
	}
	field := s.schema.Field(column)
	if field == nil {
		return fmt.Errorf("%s: no column %q", s.table.URI(), column)
	}
	for _, a := range s.Files() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if a.DeletionVector != nil {
			return fmt.Errorf("%w: data file %s has a deletion vector", parquetrows.ErrNotInt64, a.Path)
		}
		key, err := s.table.DataKey(a.Path)
		if err != nil {
			return fmt.Errorf("%s: data file %s: %w", s.table.URI(), a.Path, err)
		}
		f, err := openParquet(ctx, s.table.store, key)
		if err != nil {
			return fmt.Errorf("%s: data file %s: %w", s.table.URI(), a.Path, err)
		}
		source := MapFields([]StructField{*field}, s.mapping, f.Columns())[0].Source
		if source == "" {
			continue
		}
		if err := f.Int64s(source, fn); err != nil {
			return fmt.Errorf("%s: data file %s: %w", s.table.URI(), a.Path, err)
		}
	}
	return nil
}
