package delta_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/etl/delta"
)

// concurrentWriters runs 8 writers that each make commitsEach blind appends
// to one table at once, then checks that every commit landed exactly once at
// contiguous versions and that no commit file was overwritten.
func concurrentWriters(t *testing.T, store storage.Store, commitsEach int) {
	ctx := context.Background()
	tbl := delta.NewTable(store, "race")
	if _, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema(), PartitionColumns: []string{"date"}}); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < commitsEach; i++ {
				snap, err := tbl.Snapshot(ctx)
				if err != nil {
					errs <- err
					return
				}
				tx := snap.NewTransaction()
				tx.Add(&delta.Add{Path: fmt.Sprintf("date=2024-01-01/w%d-c%d.parquet", w, i), Size: 1, DataChange: true,
					PartitionValues: map[string]*string{"date": ptr("2024-01-01")}})
				tx.SetTxn(fmt.Sprintf("writer-%d", w), int64(i))
				if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
					var ce *delta.CheckpointError
					if !errors.As(err, &ce) {
						errs <- fmt.Errorf("writer %d commit %d: %w", w, i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := writers * commitsEach
	if snap.Version() != int64(total) {
		t.Fatalf("latest version %d, want %d", snap.Version(), total)
	}
	if n := len(snap.Files()); n != total {
		t.Fatalf("%d live files, want %d: a commit was lost or overwritten", n, total)
	}
	for w := 0; w < writers; w++ {
		if v, ok := snap.State().TxnVersion(fmt.Sprintf("writer-%d", w)); !ok || v != int64(commitsEach-1) {
			t.Fatalf("writer %d: txn version %d (%v), want %d", w, v, ok, commitsEach-1)
		}
	}
	// Each version's commit file holds exactly one add, and every add appears once.
	seen := map[string]int64{}
	for v := int64(1); v <= int64(total); v++ {
		b, err := storage.ReadAll(ctx, store, "race/_delta_log/"+delta.CommitName(v))
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		actions, err := delta.ParseCommit(b)
		if err != nil {
			t.Fatal(err)
		}
		adds := 0
		for _, a := range actions {
			if a.Add != nil {
				adds++
				if prev, dup := seen[a.Add.Path]; dup {
					t.Fatalf("%s committed at versions %d and %d", a.Add.Path, prev, v)
				}
				seen[a.Add.Path] = v
			}
		}
		if adds != 1 {
			t.Fatalf("version %d has %d adds", v, adds)
		}
	}
}

func ptr(s string) *string { return &s }

func TestConcurrentWritersFolder(t *testing.T) {
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	concurrentWriters(t, st, 12)
}

func TestConcurrentWritersS3(t *testing.T) {
	srv := gwtest.Start(t)
	concurrentWriters(t, srv.NewStore(t, "lake"), 6)
}

func TestConflictingRewriteIsRefused(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema(), PartitionColumns: []string{"date"}})
	if err != nil {
		t.Fatal(err)
	}
	tx := snap.NewTransaction()
	tx.Add(&delta.Add{Path: "date=2024-01-01/a.parquet", Size: 1, DataChange: true, PartitionValues: map[string]*string{"date": ptr("2024-01-01")}})
	if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	base, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := base.Files()[0]
	// Two MERGEs read the same file and both rewrite it: the second must fail.
	first, second := base.NewTransaction(), base.NewTransaction()
	for i, tx := range []*delta.Transaction{first, second} {
		tx.ReadPartition(file.PartitionValues)
		tx.Remove(file, true)
		tx.Add(&delta.Add{Path: fmt.Sprintf("date=2024-01-01/rewrite-%d.parquet", i), Size: 1, DataChange: true, PartitionValues: file.PartitionValues})
	}
	if _, err := first.Commit(ctx, delta.Operation{Name: "MERGE"}); err != nil {
		t.Fatal(err)
	}
	_, err = second.Commit(ctx, delta.Operation{Name: "MERGE"})
	var ce *delta.ConflictError
	if !errors.As(err, &ce) || ce.Version != 2 || !strings.Contains(err.Error(), "a.parquet") {
		t.Fatalf("want a conflict with version 2 naming a.parquet, got %v", err)
	}
	// A blind append racing the same winner is rebased, not refused.
	blind := base.NewTransaction()
	blind.Add(&delta.Add{Path: "date=2024-01-02/b.parquet", Size: 1, DataChange: true, PartitionValues: map[string]*string{"date": ptr("2024-01-02")}})
	v, err := blind.Commit(ctx, delta.Operation{Name: "WRITE"})
	if err != nil || v != 3 {
		t.Fatalf("blind append: version %d, %v; want 3", v, err)
	}
	// An insert into a partition a MERGE read is a conflict for that MERGE.
	merge := base.NewTransaction()
	merge.ReadPartition(map[string]*string{"date": ptr("2024-01-02")})
	merge.Add(&delta.Add{Path: "date=2024-01-02/c.parquet", Size: 1, DataChange: true, PartitionValues: map[string]*string{"date": ptr("2024-01-02")}})
	if _, err := merge.Commit(ctx, delta.Operation{Name: "MERGE"}); !errors.As(err, &ce) {
		t.Fatalf("want a conflict for a concurrent add into a read partition, got %v", err)
	}
}

func TestCreateTwiceFails(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	if _, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema()}); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema()}); !errors.Is(err, delta.ErrTableExists) {
		t.Fatalf("second create: want ErrTableExists, got %v", err)
	}
}

// A MERGE that declared which files may hold its rows (ReadWhere) loses
// to a concurrent add of such a file in another partition, and not to one
// the predicate rules out.
func TestConcurrentAddTheReadPredicateHoldsIsAConflict(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	base, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema(), PartitionColumns: []string{"date"}})
	if err != nil {
		t.Fatal(err)
	}
	holds7 := func(a *delta.Add) bool { return strings.Contains(a.Stats, `"id":7`) }
	add := func(path, date, stats string) *delta.Add {
		return &delta.Add{Path: path, Size: 1, DataChange: true, Stats: stats, PartitionValues: map[string]*string{"date": ptr(date)}}
	}
	merge := base.NewTransaction()
	merge.ReadWhere(holds7)
	merge.ReadPartition(map[string]*string{"date": ptr("2024-01-01")})
	merge.Add(add("date=2024-01-01/m.parquet", "2024-01-01", `{"numRecords":1,"minValues":{"id":7},"maxValues":{"id":7}}`))
	other := base.NewTransaction()
	other.Add(add("date=2024-01-02/o.parquet", "2024-01-02", `{"numRecords":1,"minValues":{"id":8},"maxValues":{"id":8}}`))
	if _, err := other.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	rival := base.NewTransaction()
	rival.Add(add("date=2024-01-03/r.parquet", "2024-01-03", `{"numRecords":1,"minValues":{"id":7},"maxValues":{"id":7}}`))
	if _, err := rival.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	_, err = merge.Commit(ctx, delta.Operation{Name: "MERGE"})
	var ce *delta.ConflictError
	if !errors.As(err, &ce) || ce.Version != 2 || !strings.Contains(err.Error(), "r.parquet") {
		t.Fatalf("want a conflict with version 2 naming r.parquet (version 1 holds no row of it), got %v", err)
	}
}
