// Package storage defines the object store that every part of lakeops reads and
// writes through: a flat namespace of '/'-separated keys, listed in lexicographic
// order, as on S3. Implementations live in sub-packages (folder, s3store); this
// package has no AWS SDK dependency so that etl/ can use it.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"
)

// ErrNotExist reports that a key does not exist. Test with errors.Is.
var ErrNotExist = errors.New("object does not exist")

// ErrExists reports that PutIfAbsent lost: the key already exists.
var ErrExists = errors.New("object already exists")

// ErrInvalidKey reports a key the store refuses (empty, absolute, "..", escapes the root).
var ErrInvalidKey = errors.New("invalid key")

// ObjectInfo describes one object, or one common prefix when listing with a delimiter.
type ObjectInfo struct {
	Key      string    // full key, relative to the store root
	Size     int64     // bytes
	ModTime  time.Time // last modification
	ETag     string    // S3 ETag without quotes; empty on a folder store
	IsPrefix bool      // a "directory" (common prefix) from a delimited listing; Key ends in "/"
}

// ListOptions refine List.
type ListOptions struct {
	// StartAfter lists only keys strictly greater than this key. With Delimited
	// it applies to the listed entries: a common prefix "p/" is listed only when
	// "p/" > StartAfter (as on S3), so the last entry seen resumes a listing.
	StartAfter string
	// Delimited lists one level only: keys below the next "/" after the prefix are
	// rolled up into a single ObjectInfo with IsPrefix set.
	Delimited bool
}

// Store is an object store rooted at a lake (a folder, or an S3 bucket and prefix).
// Keys are relative to that root, '/'-separated, without a leading '/'.
type Store interface {
	// List yields the objects whose keys start with prefix, in lexicographic key
	// order, fetching pages lazily as the caller iterates. Iteration stops at the
	// first error, which is yielded with a zero ObjectInfo.
	List(ctx context.Context, prefix string, opts ListOptions) iter.Seq2[ObjectInfo, error]
	// Stat describes one object; ErrNotExist if it is absent.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Open streams an object's content. length < 0 means to the end.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Put creates or replaces an object atomically: readers see the old or the new content, never a mix.
	Put(ctx context.Context, key string, body io.Reader) error
	// PutIfAbsent creates an object only if the key does not exist; otherwise ErrExists.
	// Exactly one of many concurrent callers on the same key succeeds.
	PutIfAbsent(ctx context.Context, key string, data []byte) error
	// Copy copies src to dst, replacing dst.
	Copy(ctx context.Context, src, dst string) error
	// Delete removes an object; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// URI names the store root, e.g. "file:///data/lake" or "s3://bucket/prefix".
	URI() string
}

// Error is the error every Store returns: which operation on which key failed.
type Error struct {
	Op  string // "list", "stat", "open", "put", "put-if-absent", "copy", "delete"
	URI string // the store root
	Key string
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Op, JoinURI(e.URI, e.Key), e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// JoinURI joins a store root URI and a key for messages.
func JoinURI(root, key string) string {
	if key == "" {
		return root
	}
	if len(root) > 0 && root[len(root)-1] == '/' {
		return root + key
	}
	return root + "/" + key
}

// ReadAll reads a whole object.
func ReadAll(ctx context.Context, s Store, key string) ([]byte, error) {
	rc, err := s.Open(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, &Error{Op: "read", URI: s.URI(), Key: key, Err: err}
	}
	return b, nil
}
