package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// openLake is the root's lake (named by --lake); create makes a missing folder.
func openLake(ctx context.Context, g *Globals, create bool) (*lake.Lake, error) {
	return g.root.Lake(ctx, create)
}

// openOps is the root's operations layer over the lake.
func openOps(ctx context.Context, g *Globals) (*ops.Ops, error) { return g.root.Ops(ctx) }

// remoteLake reports whether the lake is not a folder on this machine.
func remoteLake(uri string) bool {
	_, local := stores.Folder(uri)
	return !local
}

// missingFolderLake reports whether the lake is a folder on this machine
// that does not exist.
func missingFolderLake(uri string) bool {
	dir, local := stores.Folder(uri)
	if !local {
		return false
	}
	_, err := os.Stat(dir)
	return errors.Is(err, fs.ErrNotExist)
}

// lakeKeys turns FILE arguments into keys of the lake: a key as it is, a
// path on disk inside a folder lake relative to it. A file on disk that is
// not in the lake is a usage error saying what to do with it.
func lakeKeys(g *Globals, args []string) ([]string, error) {
	keys := make([]string, len(args))
	for i, a := range args {
		k, err := lakeKey(g, a)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return keys, nil
}

func lakeKey(g *Globals, arg string) (string, error) {
	if remoteLake(g.Lake) {
		if looksLikePath(arg) {
			return "", usagef("%s is a path on disk, but the lake is %s: name a key of the lake (such as bronze_layer/orders/orders_2025_04_01.csv), "+
				"upload the file under %s/bronze_layer/ first, or check it where it is with 'lakeops validate %s'", arg, g.Lake, g.Lake, arg)
		}
		return strings.TrimPrefix(filepath.ToSlash(arg), "/"), nil
	}
	root, _ := stores.Folder(g.Lake)
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("lake %s: %w", root, err)
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return "", fmt.Errorf("%s: %w", arg, err)
	}
	if _, statErr := os.Stat(abs); statErr == nil {
		rel, err := filepath.Rel(absRoot, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", usagef("%s is a file on disk outside the lake %s: copy it under %s/bronze_layer/ to load it, "+
				"or check it where it is with 'lakeops validate %s'", arg, root, root, arg)
		}
		return filepath.ToSlash(rel), nil
	}
	if filepath.IsAbs(arg) {
		return "", usagef("%s does not exist on disk, and a key of the lake is relative (such as bronze_layer/orders/orders_2025_04_01.csv)", arg)
	}
	return strings.TrimPrefix(filepath.ToSlash(arg), "/"), nil
}

// looksLikePath reports whether a FILE argument is meant as a path on this
// machine rather than a key: absolute, ./ or ../ or ~, or a file that
// exists here outside a bronze_layer/ folder.
func looksLikePath(arg string) bool {
	if filepath.IsAbs(arg) || strings.HasPrefix(arg, "./") || strings.HasPrefix(arg, "../") || strings.HasPrefix(arg, "~") {
		return true
	}
	if _, err := os.Stat(arg); err == nil {
		return !strings.HasPrefix(filepath.ToSlash(arg), "bronze_layer/")
	}
	return false
}

// tableURI is a table argument as a URI: a URI as it is, a folder that
// exists here as it is. A path that is no folder here is an error saying
// what was meant: under a remote lake the lake's URI of that path (a usage
// error), under a folder lake the same path inside the lake if it is there
// (a usage error), otherwise that there is no such table folder.
func tableURI(g *Globals, arg string) (string, error) {
	if strings.Contains(arg, "://") {
		return arg, nil
	}
	if _, err := os.Stat(arg); err == nil {
		return arg, nil
	}
	lakeDir, local := stores.Folder(g.Lake)
	switch {
	case !local && !filepath.IsAbs(arg):
		return "", usagef("%s is no folder on disk; a table takes its URI: %s/%s", arg, strings.TrimSuffix(g.Lake, "/"), arg)
	case local && !filepath.IsAbs(arg):
		if inLake := filepath.Join(lakeDir, arg); onDisk(inLake) {
			return "", usagef("%s is no folder here; a table takes its path: %s", arg, inLake)
		}
	}
	example := strings.TrimSuffix(g.Lake, "/") + "/silver_layer/orders"
	return "", fmt.Errorf("%s: no such table folder (a table takes its path or URI, e.g. %s)", arg, example)
}

// explainEmptyRun says on stderr why a default run loaded nothing, and
// what to do next: an empty lake, one whose raw files a flow has all
// loaded and archived, or one whose raw files are all ingested.
func explainEmptyRun(ctx context.Context, o *ops.Ops, g *Globals, w io.Writer) {
	base := strings.TrimSuffix(g.Lake, "/") + "/"
	raw := base + o.RawRoot()
	has, err := o.HasRawFiles(ctx)
	if err != nil {
		return
	}
	if has {
		fmt.Fprintf(w, "nothing new to load: every raw file under %s is ingested (name files, or --force to load them again)\n", raw)
		return
	}
	archived, err := o.RawFilesUnder(ctx, o.ArchiveRoot())
	if err != nil {
		return
	}
	if len(archived) > 0 {
		fmt.Fprintf(w, "nothing new to load: %s loaded and archived under %s, and %s holds no raw file yet (put new CSVs there)\n",
			textfmt.Counted(int64(len(archived)), "raw file was", "raw files were"), base+o.ArchiveRoot(), raw)
		return
	}
	fmt.Fprintf(w, "the lake has no raw files: put CSVs under %s (products.csv, orders/, order_items/), "+
		"generate some with 'lakeops gen --out %s', or try 'lakeops demo'\n", raw, raw)
}
