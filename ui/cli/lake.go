package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/etl/lake"
)

// openLake opens the lake named by --lake; create makes a missing folder.
func openLake(ctx context.Context, g *Globals, create bool) (*lake.Lake, error) {
	opts := g.awsOptions()
	opts.Create = create
	st, err := stores.Open(ctx, g.Lake, opts)
	if err != nil {
		return nil, err
	}
	lk := lake.New(st)
	lk.ReadOnly = g.ReadOnly
	return lk, nil
}

// lakeKey turns a FILE argument into a key of the lake: a key as is, or a
// path on disk inside a folder lake.
func lakeKey(g *Globals, arg string) string {
	if strings.Contains(g.Lake, "://") && !strings.HasPrefix(g.Lake, "file://") {
		return strings.TrimPrefix(arg, "/")
	}
	root := strings.TrimPrefix(g.Lake, "file://")
	if absRoot, err := filepath.Abs(root); err == nil {
		if abs, err := filepath.Abs(arg); err == nil {
			if _, statErr := os.Stat(abs); statErr == nil {
				if rel, err := filepath.Rel(absRoot, abs); err == nil && !strings.HasPrefix(rel, "..") {
					return filepath.ToSlash(rel)
				}
			}
		}
	}
	return strings.TrimPrefix(filepath.ToSlash(arg), "/")
}
