package rejects

import (
	"context"
	"fmt"
	"slices"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// WriteStaged writes rows into one Parquet file under prefix, in the
// rejects tables' schema but outside any table (a load's staging area,
// see pipeline.StageBatch), and returns its key.
func WriteStaged(ctx context.Context, st storage.Store, prefix string, rows []Row) (string, error) {
	t := delta.NewTable(st, prefix)
	fw, err := delta.NewFileWriter(t, Schema(), nil)
	if err != nil {
		return "", err
	}
	add, _, err := writeFile(ctx, fw, slices.Values(rows), func(Row) bool { return true }, true)
	if err != nil {
		return "", fmt.Errorf("stage rejected rows under %s: %w", prefix, err)
	}
	return t.DataKey(add.Path)
}

// ReadStaged reads the rows of a file WriteStaged wrote, in file order.
func ReadStaged(ctx context.Context, st storage.Store, key string) ([]Row, error) {
	info, err := st.Stat(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read staged rejects %s: %w", key, err)
	}
	f, err := parquetrows.Open(storage.NewReaderAt(ctx, st, key, info.Size), info.Size)
	if err != nil {
		return nil, fmt.Errorf("read staged rejects %s: %w", key, err)
	}
	schema := Schema()
	var out []Row
	for raw, err := range f.Rows(schema.Names()...) {
		if err != nil {
			return nil, fmt.Errorf("read staged rejects %s: %w", key, err)
		}
		for i, fld := range schema.Fields {
			if raw[i], err = delta.Coerce(raw[i], fld.Type); err != nil {
				return nil, fmt.Errorf("read staged rejects %s: column %s: %w", key, fld.Name, err)
			}
		}
		out = append(out, fromRow(raw))
	}
	return out, nil
}
