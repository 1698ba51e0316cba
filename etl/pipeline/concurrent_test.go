package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

// Two runs that insert the same new key into different partitions at once:
// the one that commits second re-plans (a file the first added may hold
// its key), so the table holds the key once, as the second run's row. Run
// A is held after it matched the table, while run B loads and commits.
func TestConcurrentInsertsOfOneKeyInTwoPartitions(t *testing.T) {
	lk := lakeWithItems1To10(t)
	f, g := "bronze_layer/order_items/order_items_f.csv", "bronze_layer/order_items/order_items_g.csv"
	putFile(t, lk.Store, f, itemsHeader+"7,100,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n")
	putFile(t, lk.Store, g, itemsHeader+"7,101,7,3,2,1,0,2025-04-02T11:00:00,2025-04-02\n")
	if !whileHeld(t, lk, f, g) {
		t.Error("run A did not re-plan after run B's commit")
	}
	rows, _ := tableByKey(t, lk, "order_items", "id") // fails on a key held twice
	if len(rows) != 3 || rows[7] == nil || rows[7][1] != "100" {
		t.Fatalf("order_items holds %d keys, key 7 as %v; want 3 keys, key 7 as run A's row (order 100)", len(rows), rows[7])
	}
}

// A concurrent run's file that cannot hold a key the held run inserts is
// no conflict, even when it holds a key the held run read and rejected.
func TestConcurrentInsertOfAnotherKeyIsNoConflict(t *testing.T) {
	lk := lakeWithItems1To10(t)
	f, g := "bronze_layer/order_items/order_items_f.csv", "bronze_layer/order_items/order_items_g.csv"
	putFile(t, lk.Store, f, itemsHeader+"7,100,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n"+
		"30,100,7,x,1,1,0,2025-04-01T10:00:00,2025-04-01\n") // 30: a type error, read but not inserted
	putFile(t, lk.Store, g, itemsHeader+"29,101,7,3,2,1,0,2025-04-02T11:00:00,2025-04-02\n"+
		"31,101,7,3,2,1,0,2025-04-02T11:00:00,2025-04-02\n")
	if whileHeld(t, lk, f, g) {
		t.Error("run A re-planned for a file that cannot hold the key it inserts")
	}
	if rows, _ := tableByKey(t, lk, "order_items", "id"); len(rows) != 5 {
		t.Fatalf("order_items holds %d keys, want 5", len(rows))
	}
}

// lakeWithItems1To10 is a lake whose order_items table has a file whose
// key range (1..10) holds 7.
func lakeWithItems1To10(t *testing.T) *lake.Lake {
	t.Helper()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", smallProducts)
	putFile(t, lk.Store, "bronze_layer/orders/orders_a.csv", smallOrders)
	putFile(t, lk.Store, "bronze_layer/order_items/order_items_0.csv", itemsHeader+
		"1,100,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n10,100,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n")
	loaded(t, lk, pipeline.Options{})
	return lk
}

// whileHeld runs file a, holds it once its row pass starts (it has matched
// the table), runs file b to the end, lets a finish, and reports whether a
// re-planned.
func whileHeld(t *testing.T, lk *lake.Lake, a, b string) bool {
	t.Helper()
	ctx := context.Background()
	release, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var replanned atomic.Bool
	done := make(chan error, 1)
	go func() {
		_, err := pipeline.Run(ctx, lk, pipeline.Options{Files: []string{a}, Progress: func(e pipeline.Event) {
			if e.Stage == pipeline.StageMerge {
				once.Do(func() { close(held); <-release })
			}
			if strings.Contains(e.Message, "re-planning") {
				replanned.Store(true)
			}
		}})
		done <- err
	}()
	<-held
	loaded(t, lk, pipeline.Options{Files: []string{b}})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return replanned.Load()
}
