package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// TestConcurrentRunsOnOneLake starts 8 runs at once: four over every new
// file, four over all products and orders plus a quarter of the order_items
// files each. MERGE conflicts are re-planned and the rejects' txn marks stop
// duplicates, so the tables end as after one clean run.
func TestConcurrentRunsOnOneLake(t *testing.T) {
	raw := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(raw, "bronze_layer"), gen.Options{Orders: 800, Dirty: 0.04, Seed: 11}, nil); err != nil {
		t.Fatal(err)
	}
	clean := t.TempDir()
	copyDir(t, raw, clean)
	if _, killed := runChild(t, clean, 0, false); killed {
		t.Fatal("clean run killed")
	}
	want := dumpLake(t, clean)

	dir := t.TempDir()
	copyDir(t, raw, dir)
	const runs = 8
	var base, items []string
	_ = filepath.Walk(filepath.Join(dir, "bronze_layer"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.Contains(rel, "order_items") {
			items = append(items, filepath.ToSlash(rel))
		} else {
			base = append(base, filepath.ToSlash(rel))
		}
		return nil
	})
	filesOf := func(i int) []string {
		if i >= 4 {
			return nil // every new file
		}
		out := append([]string(nil), base...)
		for j, f := range items {
			if j%4 == i {
				out = append(out, f)
			}
		}
		return out
	}
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := folder.New(dir)
			if err != nil {
				errs <- err
				return
			}
			sum, err := pipeline.Run(context.Background(), lake.New(st), pipeline.Options{Files: filesOf(i)})
			if err == nil && sum.Failed() {
				for _, f := range sum.Files {
					if f.Error != "" {
						t.Logf("run %d: %s: %s", i, f.File, f.Error)
					}
				}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A failed file (a conflict that kept losing) is picked up by a later run.
	if _, killed := runChild(t, dir, 0, false); killed {
		t.Fatal("follow-up run killed")
	}
	if got := dumpLake(t, dir); got != want {
		t.Fatalf("concurrent runs left different tables:\n%s", firstDiff(got, want))
	}
}
