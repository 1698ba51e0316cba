package folder

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/lakeops/lakeops/aws/storage"
)

// Put writes body to key atomically: a temporary file in the key's directory,
// fsynced, then renamed over the key.
func (s *Store) Put(ctx context.Context, key string, body io.Reader) error {
	if err := check(ctx, key); err != nil {
		return s.fail("put", key, err)
	}
	if err := s.write(ctx, key, body, false); err != nil {
		return s.fail("put", key, err)
	}
	return nil
}

// PutIfAbsent writes data to key only if key does not exist: the temporary file
// is hard-linked to the key, which the file system refuses atomically when the
// key exists (ErrExists). Readers never see partial content.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if err := check(ctx, key); err != nil {
		return s.fail("put-if-absent", key, err)
	}
	if err := s.write(ctx, key, bytes.NewReader(data), true); err != nil {
		return s.fail("put-if-absent", key, err)
	}
	return nil
}

// write stores body under key through a temporary file, replacing the key
// (rename) or only creating it (exclusive: link).
func (s *Store) write(ctx context.Context, key string, body io.Reader, exclusive bool) error {
	name := filepath.FromSlash(key)
	tmp, err := s.writeTemp(ctx, key, body)
	if err != nil {
		return err
	}
	if exclusive {
		err = s.root.Link(tmp, name)
		s.root.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			if s.isDir(name) {
				return errors.New("key is a folder")
			}
			return storage.ErrExists
		}
	} else {
		err = s.root.Rename(tmp, name)
		if err != nil {
			s.root.Remove(tmp)
			if s.isDir(name) {
				return errors.New("key is a folder")
			}
		}
	}
	if err != nil {
		return osError(err)
	}
	s.syncDir(path.Dir(key))
	return nil
}

// writeTemp copies body into a new, fsynced temporary file in key's directory
// (created as needed) and returns the file's name relative to the root.
func (s *Store) writeTemp(ctx context.Context, key string, body io.Reader) (string, error) {
	dir := path.Dir(key)
	var f *os.File
	var tmp string
	var err error
	// A concurrent Delete may prune the directories we create before the
	// temporary file lands in them: retry (ENOENT) a few times.
	for attempt := 0; attempt < 10; attempt++ {
		if dir != "." {
			err = s.root.MkdirAll(filepath.FromSlash(dir), 0o755)
		}
		if err == nil {
			tmp = filepath.FromSlash(path.Join(dir, tmpPrefix+rand.Text()))
			f, err = s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		}
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return "", osError(err)
	}
	_, err = io.Copy(f, ctxReader{ctx: ctx, r: body})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.root.Remove(tmp)
		return "", fmt.Errorf("write: %w", osError(err))
	}
	return tmp, nil
}

func (s *Store) isDir(name string) bool {
	fi, err := s.root.Lstat(name)
	return err == nil && fi.IsDir()
}

// syncDir fsyncs a directory so that a rename or link in it is durable (best
// effort: not every platform can fsync a directory).
func (s *Store) syncDir(dir string) {
	d, err := s.root.Open(filepath.FromSlash(dir))
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// ctxReader stops a copy when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
