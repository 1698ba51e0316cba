package delta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/lakeops/lakeops/aws/storage"
)

// Table is a Delta table at a key prefix of a store.
type Table struct {
	store  storage.Store
	prefix string // key prefix of the table root, without trailing '/'; "" for the store root
}

// NewTable returns the table rooted at prefix in store. It does not touch storage.
func NewTable(store storage.Store, prefix string) *Table {
	return &Table{store: store, prefix: strings.Trim(prefix, "/")}
}

// URI names the table root.
func (t *Table) URI() string { return storage.JoinURI(t.store.URI(), t.prefix) }

// Store is the store the table lives in.
func (t *Table) Store() storage.Store { return t.store }

// key returns the store key of a path relative to the table root.
func (t *Table) key(rel string) string {
	if t.prefix == "" {
		return rel
	}
	return t.prefix + "/" + rel
}

func (t *Table) logKey(name string) string { return t.key(LogDir + "/" + name) }

// DataKey resolves the path of an add or remove to a store key. Relative
// paths are under the table root; absolute paths must point inside it.
func (t *Table) DataKey(p string) (string, error) {
	c, err := CanonicalPath(p)
	if err != nil {
		return "", err
	}
	if !strings.Contains(c, ":") && !strings.HasPrefix(c, "/") {
		clean := path.Clean(c)
		if clean == ".." || strings.HasPrefix(clean, "../") {
			return "", fmt.Errorf("data file path %q leaves the table root", p)
		}
		return t.key(clean), nil
	}
	root := t.URI()
	abs := c
	if strings.HasPrefix(abs, "/") {
		abs = "file://" + abs
	}
	if rest, ok := strings.CutPrefix(abs, strings.TrimSuffix(root, "/")+"/"); ok {
		return t.key(rest), nil
	}
	return "", fmt.Errorf("data file path %q is outside the table root %s", p, root)
}

// lastCheckpoint is the content of _delta_log/_last_checkpoint.
type lastCheckpoint struct {
	Version int64 `json:"version"`
	Size    int64 `json:"size"`
	Parts   *int  `json:"parts,omitempty"`
}

// readLastCheckpoint returns the checkpoint hint, or -1 when it is absent or unreadable
// (a bad hint is not an error: the log is listed instead).
func (t *Table) readLastCheckpoint(ctx context.Context) int64 {
	b, err := storage.ReadAll(ctx, t.store, t.logKey("_last_checkpoint"))
	if err != nil {
		return -1
	}
	var lc lastCheckpoint
	if json.Unmarshal(b, &lc) != nil || lc.Version < 0 {
		return -1
	}
	return lc.Version
}

// listLog lists the recognised files of the log folder, starting at version
// from (inclusive; 0 for all).
func (t *Table) listLog(ctx context.Context, from int64) ([]LogFile, error) {
	opts := storage.ListOptions{}
	if from > 0 {
		opts.StartAfter = t.logKey(fmt.Sprintf("%020d", from-1)) + ".~"
	}
	prefix := t.logKey("")
	var out []LogFile
	for info, err := range t.store.List(ctx, prefix, opts) {
		if err != nil {
			return nil, fmt.Errorf("list the log of %s: %w", t.URI(), err)
		}
		if f, ok := ParseLogFile(strings.TrimPrefix(info.Key, prefix)); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// ErrNotATable reports a location with no Delta log.
var ErrNotATable = errors.New("not a Delta table: no _delta_log folder with commits")

// segment lists the log and picks the files for version (latest when < 0),
// using the _last_checkpoint hint when it is right and a full listing when not.
func (t *Table) segment(ctx context.Context, version int64) (Segment, error) {
	hint := t.readLastCheckpoint(ctx)
	if hint > 0 && (version < 0 || version >= hint) {
		files, err := t.listLog(ctx, hint)
		if err != nil {
			return Segment{}, err
		}
		seg, err := BuildSegment(files, version)
		if err == nil && seg.CheckpointV == hint {
			return seg, nil
		}
		// The hint is wrong (no such checkpoint, or incomplete): list everything.
	}
	files, err := t.listLog(ctx, 0)
	if err != nil {
		return Segment{}, err
	}
	if len(files) == 0 {
		return Segment{}, fmt.Errorf("%s: %w", t.URI(), ErrNotATable)
	}
	return BuildSegment(files, version)
}
