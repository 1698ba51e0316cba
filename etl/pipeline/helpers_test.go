package pipeline_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

const seedDir = "../../testdata/seed"

// newLake makes a folder lake in a temp dir.
func newLake(t *testing.T) (*lake.Lake, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return lake.New(st), dir
}

// putFile stores content under a key.
func putFile(t *testing.T, st storage.Store, key, content string) {
	t.Helper()
	if err := st.Put(context.Background(), key, strings.NewReader(content)); err != nil {
		t.Fatal(err)
	}
}

// copySeed copies the seed's raw files into the lake's bronze layer.
func copySeed(t *testing.T, st storage.Store) {
	t.Helper()
	err := filepath.WalkDir(seedDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".csv") {
			return err
		}
		rel, _ := filepath.Rel(seedDir, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return st.Put(context.Background(), "bronze_layer/"+filepath.ToSlash(rel), f)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tableRows reads a silver table as text rows.
func countRows(t *testing.T, lk *lake.Lake, ds string) int {
	t.Helper()
	snap, err := lk.Silver(ds).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range snap.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// loaded runs the pipeline and fails the test unless the run and every
// file succeeded.
func loaded(t *testing.T, lk *lake.Lake, opts pipeline.Options) *pipeline.Summary {
	t.Helper()
	sum, err := pipeline.Run(context.Background(), lk, opts)
	if err != nil || sum.Failed() {
		t.Fatalf("run %v: %v %+v", opts.Files, err, sum)
	}
	return sum
}
