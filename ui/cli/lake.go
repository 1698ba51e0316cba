package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ops"
)

// openLake is the root's lake (named by --lake); create makes a missing folder.
func openLake(ctx context.Context, g *Globals, create bool) (*lake.Lake, error) {
	return g.root.Lake(ctx, create)
}

// openOps is the root's operations layer over the lake.
func openOps(ctx context.Context, g *Globals) (*ops.Ops, error) { return g.root.Ops(ctx) }

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
