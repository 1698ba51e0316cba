package pipeline

import (
	"context"
	"errors"
	"io"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/csvread"
)

// RawReader reads one raw file record by record exactly as a run does: a
// .gz file decompressed behind the decompressed-size guard, fields and
// records bounded by the limits, read errors as FileErrors naming the file.
// Previews read files through it, so a preview never reads more than a
// run would.
type RawReader struct {
	file *rawFile
	of   *openedFile
}

// OpenRaw opens the raw file key of st for reading.
func OpenRaw(ctx context.Context, st storage.Store, key string, lim Limits) (*RawReader, error) {
	f := &rawFile{info: storage.ObjectInfo{Key: key}}
	of, err := openRaw(ctx, st, f, lim)
	if err != nil {
		return nil, err
	}
	return &RawReader{file: f, of: of}, nil
}

// Next returns the next record (the header first), or io.EOF after the last.
func (r *RawReader) Next() (*csvread.Record, error) {
	rec, err := r.of.reader.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, wrapRead(r.file, err)
	}
	return rec, err
}

// Close closes the file.
func (r *RawReader) Close() error { return r.of.Close() }
