package delta

import (
	"context"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// FileScan is what reading some columns of one logical file of a snapshot
// takes: its data file, open; where each column is in it; the typed
// partition values; and the rows its deletion vector deletes. ProjectFile
// reads rows through it; readers that decode columns themselves (typed, see
// parquetrows.ColumnReader) use it directly.
type FileScan struct {
	Add  *Add
	File *parquetrows.File
	// Fields are the columns asked for, in order, under their schema names.
	Fields []StructField
	// Partition tells which fields are partition columns; their values, typed
	// as Coerce types them (nil for null), are in PartitionValues.
	Partition       []bool
	PartitionValues []any
	// Mapping locates each data field in the file (as MapFields does): its
	// Source is "" when the file lacks the column, which then reads as null.
	// Values read from Source become the field's values through
	// Mapping[i].Logical and Coerce.
	Mapping []FieldMapping
	// Deleted holds the indexes of the data file's rows that the deletion
	// vector deletes; nil when none is.
	Deleted *roaring64.Bitmap

	table string // the table's URI, for messages
}

// ScanFile opens one logical file of the snapshot for reading the named
// columns (Schema().Names() for all). Errors name the table and the data
// file.
func (s *Snapshot) ScanFile(ctx context.Context, a *Add, columns ...string) (*FileScan, error) {
	sc := &FileScan{Add: a, table: s.table.URI(), Fields: make([]StructField, len(columns)), Partition: make([]bool, len(columns)),
		PartitionValues: make([]any, len(columns))}
	for i, c := range columns {
		f := s.schema.Field(c)
		if f == nil {
			return nil, fmt.Errorf("%s: no column %q", s.table.URI(), c)
		}
		sc.Fields[i] = *f
	}
	fail := func(err error) (*FileScan, error) { return nil, sc.Wrap(err) }
	var err error
	if sc.Deleted, err = s.table.DeletedRows(ctx, a.DeletionVector); err != nil {
		return fail(err)
	}
	key, err := s.table.DataKey(a.Path)
	if err != nil {
		return fail(err)
	}
	if sc.File, err = openParquet(ctx, s.table.store, key); err != nil {
		return fail(err)
	}
	isPart := map[string]bool{}
	for _, p := range s.PartitionColumns() {
		isPart[p] = true
	}
	sc.Mapping = MapFields(sc.Fields, s.mapping, sc.File.Columns())
	for i, fld := range sc.Fields {
		if !isPart[fld.Name] {
			continue
		}
		sc.Partition[i] = true
		sc.Mapping[i].Source = ""
		v, err := ParsePartitionValue(a.PartitionValues[PhysicalName(fld, s.mapping)], fld.Type)
		if err != nil {
			return fail(fmt.Errorf("partition column %s: %w", fld.Name, err))
		}
		sc.PartitionValues[i] = v
	}
	return sc, nil
}

// Wrap adds to an error met while reading the scan's file the table and
// the data file, as ScanFile's errors name them.
func (sc *FileScan) Wrap(err error) error {
	return fmt.Errorf("%s: data file %s: %w", sc.table, sc.Add.Path, err)
}
