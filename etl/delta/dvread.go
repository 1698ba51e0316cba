package delta

import (
	"context"
	"fmt"
	"io"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/lakeops/lakeops/aws/storage"
)

// dvHeadRead is the offset up to which a stored vector is fetched together
// with the file's version byte in one request; past it the version byte is
// fetched on its own.
const dvHeadRead = 64 << 10

// DeletedRows loads the deletion vector of a logical file: the row indexes
// of its data file that are deleted. It returns nil when dv is nil. Errors
// name the vector's file and what is wrong with it.
func (t *Table) DeletedRows(ctx context.Context, dv *DeletionVector) (*roaring64.Bitmap, error) {
	if dv == nil {
		return nil, nil
	}
	if dv.StorageType == DVInline {
		return InlineBitmap(dv)
	}
	key, err := t.dvKey(dv)
	if err != nil {
		return nil, err
	}
	from, to, err := storedSpan(dv)
	if err != nil {
		return nil, fmt.Errorf("deletion vector file %s: %w", storage.JoinURI(t.store.URI(), key), err)
	}
	var version byte
	var chunk []byte
	if from <= dvHeadRead {
		b, err := t.readRange(ctx, key, 0, to)
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			version = b[0]
		}
		if int64(len(b)) > from {
			chunk = b[from:]
		}
	} else {
		head, err := t.readRange(ctx, key, 0, 1)
		if err != nil {
			return nil, err
		}
		if len(head) > 0 {
			version = head[0]
		}
		if chunk, err = t.readRange(ctx, key, from, to-from); err != nil {
			return nil, err
		}
	}
	bm, err := StoredBitmap(version, chunk, dv)
	if err != nil {
		return nil, fmt.Errorf("deletion vector file %s: %w", storage.JoinURI(t.store.URI(), key), err)
	}
	return bm, nil
}

// dvKey is the store key of the file of a stored vector.
func (t *Table) dvKey(dv *DeletionVector) (string, error) {
	switch dv.StorageType {
	case DVRelativeUUID:
		rel, err := dv.RelativePath()
		if err != nil {
			return "", err
		}
		return t.key(rel), nil
	case DVAbsolutePath:
		key, err := t.DataKey(dv.PathOrInlineDv)
		if err != nil {
			return "", fmt.Errorf("deletion vector: %w", err)
		}
		return key, nil
	}
	return "", fmt.Errorf("deletion vector storage type %q is not one of i, u, p", dv.StorageType)
}

// readRange reads up to n bytes of an object from offset off; fewer when
// the object ends sooner.
func (t *Table) readRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	rc, err := t.store.Open(ctx, key, off, n)
	if err != nil {
		return nil, fmt.Errorf("read deletion vector: %w", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, n))
	if err != nil {
		return nil, fmt.Errorf("read deletion vector %s: %w", storage.JoinURI(t.store.URI(), key), err)
	}
	return b, nil
}
