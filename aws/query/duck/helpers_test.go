package duck

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

const seedDir = "../../../testdata/seed"

// newFolderLake makes an empty folder lake.
func newFolderLake(t testing.TB) (*lake.Lake, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return lake.New(st), dir
}

// putSeed copies seed CSVs (paths relative to the seed folder; all of them
// when none is given) into the lake's bronze layer.
func putSeed(t testing.TB, st storage.Store, rels ...string) {
	t.Helper()
	if len(rels) == 0 {
		err := filepath.WalkDir(seedDir, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".csv") {
				rel, _ := filepath.Rel(seedDir, p)
				rels = append(rels, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range rels {
		f, err := os.Open(filepath.Join(seedDir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		err = st.Put(context.Background(), "bronze_layer/"+rel, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// runPipeline runs the pipeline on the lake's new raw files.
func runPipeline(t testing.TB, lk *lake.Lake) {
	t.Helper()
	sum, err := pipeline.Run(context.Background(), lk, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() {
		t.Fatalf("pipeline: failed files: %+v", sum.Files)
	}
}

// seedLake is a folder lake loaded from the whole seed.
func seedLake(t testing.TB) (*lake.Lake, string) {
	t.Helper()
	lk, dir := newFolderLake(t)
	putSeed(t, lk.Store)
	runPipeline(t, lk)
	return lk, dir
}

func openEngine(t testing.TB, lk *lake.Lake, opts Options) *Engine {
	t.Helper()
	e, err := Open(context.Background(), lk, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// collect runs a statement and returns its columns and rows.
func collect(t testing.TB, e query.Engine, sql string) ([]query.Column, [][]any) {
	t.Helper()
	cols, rows, err := tryCollect(e, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return cols, rows
}

func tryCollect(e query.Engine, sql string) ([]query.Column, [][]any, error) {
	return tryCollectCtx(context.Background(), e, sql)
}

func tryCollectCtx(ctx context.Context, e query.Engine, sql string) ([]query.Column, [][]any, error) {
	r, err := e.Query(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var out [][]any
	for {
		row, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return r.Columns(), out, nil
		}
		if err != nil {
			return nil, nil, err
		}
		out = append(out, row)
	}
}

// count runs a statement that yields one BIGINT.
func count(t testing.TB, e query.Engine, sql string) int64 {
	t.Helper()
	_, rows := collect(t, e, sql)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: %v, want one value", sql, rows)
	}
	n, ok := rows[0][0].(int64)
	if !ok {
		t.Fatalf("%s: %T %v, want int64", sql, rows[0][0], rows[0][0])
	}
	return n
}

// mustDB is the engine's database once DuckDB has started.
func mustDB(t testing.TB, e *Engine) *sql.DB {
	t.Helper()
	db, err := e.database(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return db
}
