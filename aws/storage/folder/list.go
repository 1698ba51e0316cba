package folder

import (
	"cmp"
	"context"
	"io/fs"
	"iter"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lakeops/lakeops/aws/storage"
)

// List yields the files whose keys start with prefix in S3 order (bytewise
// lexicographic on the whole key), reading one directory at a time as the caller
// iterates. prefix need not end at a directory boundary. Temporary files, empty
// directories, and symbolic links to directories are not listed; a symbolic link
// to a file inside the root is listed as that file.
//
// With opts.Delimited, each sub-directory holding at least one listed file is
// yielded once as an IsPrefix entry whose key ends in "/", as S3 rolls up common
// prefixes; like S3, StartAfter then applies to that entry's key.
func (s *Store) List(ctx context.Context, prefix string, opts storage.ListOptions) iter.Seq2[storage.ObjectInfo, error] {
	return func(yield func(storage.ObjectInfo, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(storage.ObjectInfo{}, s.fail("list", prefix, err))
			return
		}
		dir, namePrefix := "", prefix
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			dir, namePrefix = prefix[:i+1], prefix[i+1:]
		}
		if dir != "" {
			if err := check(ctx, strings.TrimSuffix(dir, "/")); err != nil { // also refuses temporary names
				yield(storage.ObjectInfo{}, s.fail("list", prefix, err))
				return
			}
		}
		w := walker{s: s, ctx: ctx, opts: opts, prefix: prefix, yield: yield}
		w.walk(dir, namePrefix)
	}
}

// walker lists a tree depth-first in key order.
type walker struct {
	s      *Store
	ctx    context.Context
	opts   storage.ListOptions
	prefix string // the List prefix, for errors
	yield  func(storage.ObjectInfo, error) bool
}

// entry is one listable name in a directory.
type entry struct {
	name  string
	isDir bool
	sort  string // name, plus "/" for a directory: its keys' order
}

// walk lists directory dir ("" or ending in "/"), only the names starting with
// namePrefix. It returns false once the caller stops or an error was yielded.
func (w *walker) walk(dir, namePrefix string) bool {
	entries, err := w.readDir(dir, namePrefix)
	if err != nil {
		w.yield(storage.ObjectInfo{}, w.s.fail("list", w.prefix, err))
		return false
	}
	after := w.opts.StartAfter
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			w.yield(storage.ObjectInfo{}, w.s.fail("list", w.prefix, err))
			return false
		}
		key := dir + e.name
		if !e.isDir {
			if key <= after {
				continue
			}
			fi, err := w.s.root.Stat(filepath.FromSlash(key))
			if isNotExist(err) || isEscape(err) || (err == nil && !fi.Mode().IsRegular()) {
				continue // removed meanwhile, or a link we do not follow
			}
			if err != nil {
				w.yield(storage.ObjectInfo{}, w.s.fail("list", w.prefix, osError(err)))
				return false
			}
			if !w.yield(objectInfo(key, fi), nil) {
				return false
			}
			continue
		}
		sub := key + "/"
		if !w.opts.Delimited {
			if sub <= after && !strings.HasPrefix(after, sub) {
				continue // every key below sub sorts before StartAfter
			}
			if !w.walk(sub, "") {
				return false
			}
			continue
		}
		if sub <= after {
			continue // StartAfter applies to the entry, as on S3
		}
		found, err := w.hasObject(sub)
		if err != nil {
			w.yield(storage.ObjectInfo{}, err)
			return false
		}
		if found && !w.yield(storage.ObjectInfo{Key: sub, IsPrefix: true}, nil) {
			return false
		}
	}
	return true
}

// hasObject reports whether the tree below dir holds a file that List would
// yield (so that empty folders are not listed as prefixes).
func (w *walker) hasObject(dir string) (bool, error) {
	var found bool
	var ferr error
	inner := walker{s: w.s, ctx: w.ctx, prefix: w.prefix,
		yield: func(_ storage.ObjectInfo, err error) bool {
			found, ferr = err == nil, err
			return false
		}}
	inner.walk(dir, "")
	return found, ferr
}

// readDir returns the listable entries of dir whose names start with
// namePrefix, in key order. A missing directory has no entries.
func (w *walker) readDir(dir, namePrefix string) ([]entry, error) {
	name := "."
	if dir != "" {
		name = filepath.FromSlash(strings.TrimSuffix(dir, "/"))
	}
	f, err := w.s.root.Open(name)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, osError(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.IsDir() {
		return nil, nil // a file: no keys below it
	}
	des, err := f.ReadDir(-1)
	if err != nil {
		return nil, osError(err)
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		n := de.Name()
		if !strings.HasPrefix(n, namePrefix) || strings.HasPrefix(n, tmpPrefix) {
			continue
		}
		switch t := de.Type(); {
		case t.IsDir():
			entries = append(entries, entry{name: n, isDir: true, sort: n + "/"})
		case t.IsRegular(), t&fs.ModeSymlink != 0:
			entries = append(entries, entry{name: n, sort: n}) // links resolved when yielded
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.sort, b.sort) })
	return entries, nil
}
