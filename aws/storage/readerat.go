package storage

import (
	"context"
	"fmt"
	"io"
)

// ReaderAt adapts one object of known size to io.ReaderAt (and Size, as Parquet
// readers want) by issuing one ranged Open per ReadAt call. It keeps the context
// it was made with, since io.ReaderAt has no place for one; make a new ReaderAt
// per operation. It is safe for concurrent use.
type ReaderAt struct {
	ctx   context.Context
	store Store
	key   string
	size  int64
}

// NewReaderAt returns a ReaderAt over key, whose size the caller knows (from
// Stat or List).
func NewReaderAt(ctx context.Context, s Store, key string, size int64) *ReaderAt {
	return &ReaderAt{ctx: ctx, store: s, key: key, size: size}
}

// Size is the object size given to NewReaderAt.
func (r *ReaderAt) Size() int64 { return r.size }

// ReadAt reads len(p) bytes at off; it returns io.EOF with fewer bytes when the
// range runs past the end of the object.
func (r *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Op: "read", URI: r.store.URI(), Key: r.key, Err: fmt.Errorf("negative offset %d", off)}
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	if want == 0 {
		return 0, nil
	}
	rc, err := r.store.Open(r.ctx, r.key, off, want)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p[:want])
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return n, &Error{Op: "read", URI: r.store.URI(), Key: r.key,
			Err: fmt.Errorf("object shorter than its size %d: %w", r.size, io.ErrUnexpectedEOF)}
	}
	if err != nil {
		return n, &Error{Op: "read", URI: r.store.URI(), Key: r.key, Err: err}
	}
	if int64(n) < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}
