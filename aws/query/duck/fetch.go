package duck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/delta"
)

// fileSource turns the data files of a snapshot into local paths DuckDB can
// read: in place on a folder lake, fetched into a cache otherwise.
type fileSource struct {
	store    storage.Store
	dir      string // the folder store's directory; "" when files are cached
	cache    string // CacheDir/<hash of the store URI>, for remote stores
	progress func(done, total int64)
}

// folderStore is what a folder store offers beyond storage.Store.
type folderStore interface{ Dir() string }

func newFileSource(store storage.Store, cacheDir string, progress func(done, total int64)) (*fileSource, error) {
	fs := &fileSource{store: store, progress: progress}
	if f, ok := store.(folderStore); ok {
		fs.dir = f.Dir()
		return fs, nil
	}
	if cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no cache directory for the data files of %s: %w", store.URI(), err)
		}
		cacheDir = filepath.Join(base, "lakeops", "query")
	}
	abs, err := filepath.Abs(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", cacheDir, err)
	}
	sum := sha256.Sum256([]byte(store.URI()))
	fs.cache = filepath.Join(abs, hex.EncodeToString(sum[:8]))
	return fs, nil
}

// inPlace reports whether DuckDB reads the lake's files where they are.
func (fs *fileSource) inPlace() bool { return fs.dir != "" }

// paths returns a local path for each data file of the snapshot, in the
// order of snap.Files(), fetching the files a cache lacks.
func (fs *fileSource) paths(ctx context.Context, snap *delta.Snapshot) ([]string, error) {
	t := snap.Table()
	adds := snap.Files()
	out := make([]string, len(adds))
	var missing []int
	for i, a := range adds {
		key, err := t.DataKey(a.Path)
		if err != nil {
			return nil, fmt.Errorf("data file %q: %w", a.Path, err)
		}
		root := fs.dir
		if !fs.inPlace() {
			root = fs.cache
		}
		p, err := localPath(root, key)
		if err != nil {
			return nil, fmt.Errorf("data file %q: %w", a.Path, err)
		}
		out[i] = p
		if fs.inPlace() {
			continue
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() || (a.Size > 0 && st.Size() != a.Size) {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		if err := fs.fetch(ctx, t, adds, out, missing); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// localPath is the path of a store key below root. DuckDB would expand
// glob characters, so a path holding them is refused.
func localPath(root, key string) (string, error) {
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("store key %q has an empty, . or .. segment", key)
		}
	}
	p := filepath.Join(root, filepath.FromSlash(key))
	if strings.ContainsAny(p, "*?[") {
		return "", fmt.Errorf("local path %s holds glob characters (* ? [), which DuckDB would expand", p)
	}
	return p, nil
}

// fetch copies the missing files from the store into the cache, a few at a
// time, each to a temporary file renamed into place when complete.
func (fs *fileSource) fetch(ctx context.Context, t *delta.Table, adds []*delta.Add, paths []string, missing []int) error {
	var total int64
	for _, i := range missing {
		total += adds[i].Size
	}
	pr := &progress{fn: fs.progress, total: total}
	pr.report(0)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, i := range missing {
		g.Go(func() error {
			key, err := t.DataKey(adds[i].Path)
			if err != nil {
				return err
			}
			if err := fs.fetchOne(gctx, key, paths[i], adds[i].Size, pr); err != nil {
				return fmt.Errorf("fetch data file %s into the query cache: %w", storage.JoinURI(fs.store.URI(), key), err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	pr.finish()
	return nil
}

func (fs *fileSource) fetchOne(ctx context.Context, key, dst string, size int64, pr *progress) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	rc, err := fs.store.Open(ctx, key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".fetch-*")
	if err != nil {
		return err
	}
	n, err := io.Copy(tmp, &countingReader{r: rc, pr: pr})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && size > 0 && n != size {
		err = fmt.Errorf("got %d bytes, the add action says %d", n, size)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		return errors.Join(err, removeIfExists(tmp.Name()))
	}
	return nil
}

func removeIfExists(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// progress reports fetched bytes, at most once per MiB, from any goroutine.
type progress struct {
	fn           func(done, total int64)
	mu           sync.Mutex
	done, total  int64
	lastReported int64
}

const progressStep = 1 << 20

func (p *progress) report(n int64) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if n == 0 || p.done-p.lastReported >= progressStep {
		p.lastReported = p.done
		p.fn(p.done, p.total)
	}
}

func (p *progress) finish() {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastReported != p.done {
		p.fn(p.done, p.total)
	}
}

type countingReader struct {
	r  io.Reader
	pr *progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if n > 0 {
		c.pr.report(int64(n))
	}
	return n, err
}
