// Package folder implements storage.Store over a local directory, the lake of
// the embedded (no AWS) mode.
//
// Every path is resolved through an os.Root, so no key can reach outside the
// folder, not even through a symbolic link. Writes are atomic: Put writes a
// temporary file (".lakeops-tmp-*", never listed) in the target directory,
// fsyncs it and renames it into place; PutIfAbsent hard-links the temporary
// file to the key, which fails if the key exists. Keys are '/'-separated paths
// below the root; a directory is not an object, and a directory left empty by
// Delete is removed.
package folder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/lakeops/lakeops/aws/storage"
)

// tmpPrefix starts the name of every temporary file; such names are hidden from
// listings and refused as keys.
const tmpPrefix = ".lakeops-tmp-"

// Store is a storage.Store over a local directory. It is safe for concurrent use,
// also by several processes on the same directory.
type Store struct {
	root *os.Root
	dir  string // absolute path of the root
	uri  string
}

var _ storage.Store = (*Store)(nil)

// New opens the existing directory dir as a store.
func New(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("folder store %q: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("folder store: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("folder store %s: not a directory", abs)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("folder store: %w", err)
	}
	slash := filepath.ToSlash(abs)
	if !strings.HasPrefix(slash, "/") {
		slash = "/" + slash // Windows: file:///C:/lake
	}
	return &Store{root: root, dir: abs, uri: "file://" + slash}, nil
}

// Dir is the absolute path of the store's directory.
func (s *Store) Dir() string { return s.dir }

// URI is "file://" followed by the absolute path of the directory.
func (s *Store) URI() string { return s.uri }

// Close releases the directory handle. The store must not be used afterwards.
func (s *Store) Close() error { return s.root.Close() }

// Stat describes the file at key. Directories are not objects: ErrNotExist.
func (s *Store) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	if err := check(ctx, key); err != nil {
		return storage.ObjectInfo{}, s.fail("stat", key, err)
	}
	fi, err := s.root.Stat(filepath.FromSlash(key))
	if err != nil {
		return storage.ObjectInfo{}, s.fail("stat", key, osError(err))
	}
	if !fi.Mode().IsRegular() {
		return storage.ObjectInfo{}, s.fail("stat", key, storage.ErrNotExist)
	}
	return objectInfo(key, fi), nil
}

// Open streams length bytes of the file at key from offset (length < 0: to the
// end). A range past the end of the file reads as empty.
func (s *Store) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := check(ctx, key); err != nil {
		return nil, s.fail("open", key, err)
	}
	if offset < 0 {
		return nil, s.fail("open", key, fmt.Errorf("negative offset %d", offset))
	}
	f, err := s.root.Open(filepath.FromSlash(key))
	if err != nil {
		return nil, s.fail("open", key, osError(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, s.fail("open", key, osError(err))
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, s.fail("open", key, storage.ErrNotExist)
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, s.fail("open", key, osError(err))
		}
	}
	var r io.Reader = f
	if length >= 0 {
		r = io.LimitReader(f, length)
	}
	return &readCloser{Reader: r, Closer: f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Copy copies the file at src to dst, atomically replacing dst.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	if err := check(ctx, src); err != nil {
		return s.fail("copy", src, err)
	}
	if err := check(ctx, dst); err != nil {
		return s.fail("copy", src, fmt.Errorf("to %s: %w", dst, err))
	}
	f, err := s.root.Open(filepath.FromSlash(src))
	if err != nil {
		return s.fail("copy", src, osError(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return s.fail("copy", src, storage.ErrNotExist)
	}
	if err := s.write(ctx, dst, f, false); err != nil {
		return s.fail("copy", src, fmt.Errorf("to %s: %w", dst, err))
	}
	return nil
}

// Delete removes the file at key, then the directories it leaves empty (best
// effort, never the root). A missing key, or a key naming a directory, is not an
// error: no such object.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := check(ctx, key); err != nil {
		return s.fail("delete", key, err)
	}
	name := filepath.FromSlash(key)
	fi, err := s.root.Lstat(name)
	if isNotExist(err) || (err == nil && fi.IsDir()) {
		return nil
	}
	if err != nil {
		return s.fail("delete", key, osError(err))
	}
	if err := s.root.Remove(name); err != nil && !isNotExist(err) {
		return s.fail("delete", key, osError(err))
	}
	s.pruneDirs(path.Dir(key))
	return nil
}

// pruneDirs removes dir and its ancestors while they are empty directories.
func (s *Store) pruneDirs(dir string) {
	for dir != "." && dir != "/" {
		name := filepath.FromSlash(dir)
		fi, err := s.root.Lstat(name)
		if err != nil || !fi.IsDir() {
			return
		}
		if s.root.Remove(name) != nil { // not empty (or gone): stop
			return
		}
		dir = path.Dir(dir)
	}
}

func (s *Store) fail(op, key string, err error) error {
	return &storage.Error{Op: op, URI: s.uri, Key: key, Err: err}
}

// check refuses a done context and invalid keys, including temporary-file names.
func check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.CheckKey(key); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(seg, tmpPrefix) {
			return fmt.Errorf("%w: %q names are reserved for temporary files", storage.ErrInvalidKey, tmpPrefix+"*")
		}
	}
	return nil
}

func objectInfo(key string, fi fs.FileInfo) storage.ObjectInfo {
	return storage.ObjectInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
}

// isNotExist reports a missing file, or a path through a file (ENOTDIR).
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// isEscape reports the os.Root error for a path that leaves the root (through
// ".." or a symbolic link). The os package does not export it, so match its text;
// folder tests pin this behaviour.
func isEscape(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if err.Error() == "path escapes from parent" {
			return true
		}
	}
	return false
}

// osError turns an os error into the error a Store reports: ErrNotExist,
// ErrInvalidKey for escapes, else the error without the (relative) path that
// storage.Error already names.
func osError(err error) error {
	switch {
	case isNotExist(err):
		return storage.ErrNotExist
	case isEscape(err):
		return fmt.Errorf("%w: path escapes the store root", storage.ErrInvalidKey)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
