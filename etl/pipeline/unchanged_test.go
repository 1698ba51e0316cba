package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

// forced runs a forced run of files and returns the files that took the
// shortcut of unchanged.go (their progress says so).
func forced(t *testing.T, lk *lake.Lake, files []string, recheck bool) (*pipeline.Summary, map[string]bool) {
	t.Helper()
	return forcedWith(t, lk, pipeline.Options{Files: files, Recheck: recheck})
}

// forcedWith is forced with more options.
func forcedWith(t *testing.T, lk *lake.Lake, opts pipeline.Options) (*pipeline.Summary, map[string]bool) {
	t.Helper()
	var mu sync.Mutex
	short := map[string]bool{}
	opts.Force = true
	opts.Progress = func(e pipeline.Event) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(e.Message, "rows were not checked again") {
			short[e.File] = true
		}
	}
	sum, err := pipeline.Run(context.Background(), lk, opts)
	if err != nil || sum.Failed() {
		t.Fatalf("forced run: %v %+v", err, sum)
	}
	for _, f := range sum.Files { // the result names the load exactly when the progress said so
		if (f.UnchangedSince != "") != short[f.File] {
			t.Fatalf("%s: unchanged_since %q, the progress said not checked again: %v", f.File, f.UnchangedSince, short[f.File])
		}
	}
	return sum, short
}

// twin copies a folder lake, modification times too (they are part of a
// raw file's identity).
func twin(t *testing.T, dir string) (*lake.Lake, string) {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		return os.Chtimes(filepath.Join(dst, rel), info.ModTime(), info.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	return lake.New(st), dst
}

func rejectsOf(t *testing.T, lk *lake.Lake, ds string) int {
	t.Helper()
	rows, err := rejects.Read(context.Background(), lk, ds, rejects.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func versionOf(t *testing.T, tb *delta.Table) int64 {
	t.Helper()
	snap, err := tb.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap.Version()
}

// sameOutcome requires two lakes to have had the same forced run: the
// same results, tables and rejects.
func sameOutcome(t *testing.T, a, b *pipeline.Summary, la, lb *lake.Lake) {
	t.Helper()
	// The results are the same but for the load a shortcut names.
	af, bf := slices.Clone(a.Files), slices.Clone(b.Files)
	for i := range af {
		af[i].UnchangedSince = ""
	}
	for i := range bf {
		bf[i].UnchangedSince = ""
	}
	if !reflect.DeepEqual(af, bf) {
		t.Fatalf("results differ:\n shortcut %+v\n recheck  %+v", a.Files, b.Files)
	}
	for _, ds := range []string{"products", "orders", "order_items"} {
		ta, _ := tableByKey(t, la, ds, keyOf(ds))
		tb, _ := tableByKey(t, lb, ds, keyOf(ds))
		if !reflect.DeepEqual(ta, tb) {
			t.Fatalf("%s: the tables differ (%d and %d rows)", ds, len(ta), len(tb))
		}
		if ra, rb := rejectsOf(t, la, ds), rejectsOf(t, lb, ds); ra != rb {
			t.Fatalf("%s: %d and %d rejected rows", ds, ra, rb)
		}
	}
}

func keyOf(ds string) string {
	return map[string]string{"products": "product_id", "orders": "order_id", "order_items": "id"}[ds]
}

// TestForcedRunOverUnchangedFilesIsNotCheckedAgain: a generated lake with
// every kind of reject (rule breaks, duplicates, missed references) is
// loaded; forcing every file again takes the shortcut, commits
// nothing, and gives what a forced run that checks every row gives, on a
// twin of the lake. The shortcut's own record serves the next forced run.
func TestForcedRunOverUnchangedFilesIsNotCheckedAgain(t *testing.T) {
	ctx := context.Background()
	lk, dir := newLake(t)
	raw := t.TempDir()
	if _, err := gen.Generate(ctx, raw, gen.Options{Orders: 1500, Days: 3, Dirty: 0.05, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	putTree(t, lk, raw)
	sum := loaded(t, lk, pipeline.Options{})
	byReason := sum.Totals.RejectedByReason
	for _, code := range []string{"duplicate", "superseded", "reference:order_id", "type:id"} {
		if byReason[code] == 0 {
			t.Fatalf("the generated lake has no %q rejects (%v): the test would not cover them", code, byReason)
		}
	}
	var files []string
	for _, f := range sum.Files {
		files = append(files, f.File)
	}
	other, _ := twin(t, dir)
	silver, rej := versionOf(t, lk.Silver("order_items")), versionOf(t, lk.Rejected("order_items"))
	got, short := forced(t, lk, files, false)
	if len(short) != len(files) {
		t.Fatalf("the forced run over %d unchanged files checked the rows of %d again", len(files), len(files)-len(short))
	}
	if v, r := versionOf(t, lk.Silver("order_items")), versionOf(t, lk.Rejected("order_items")); v != silver || r != rej {
		t.Fatalf("the shortcut committed: silver %d -> %d, rejects %d -> %d", silver, v, rej, r)
	}
	want, short := forced(t, other, files, true)
	if len(short) != 0 {
		t.Fatal("Recheck took the shortcut")
	}
	sameOutcome(t, got, want, lk, other)
	if got.Totals.Unchanged != sum.Totals.Accepted || got.Totals.Inserted+got.Totals.Updated != 0 {
		t.Fatalf("forced totals %+v after a load of %+v", got.Totals, sum.Totals)
	}
	if _, short := forced(t, lk, files, false); len(short) != len(files) {
		t.Fatal("a second forced run did not find the first one's record")
	}
	// Each forced run recorded every file again: only the last record of
	// each dataset is left. Forcing one file keeps the record of the others.
	records := func(ds string) int {
		recs, err := filepath.Glob(filepath.Join(dir, "_lakeops", "outcomes", ds, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	for _, ds := range []string{"products", "orders", "order_items"} {
		if n := records(ds); n != 1 {
			t.Fatalf("%s: %d outcome records after three runs over the same files, want the last one", ds, n)
		}
	}
	var one string
	for _, f := range files {
		if strings.Contains(f, "order_items/") {
			one = f
			break
		}
	}
	if _, short := forced(t, lk, []string{one}, false); len(short) != 1 {
		t.Fatal("forcing one file of the record did not take the shortcut")
	}
	if n := records("order_items"); n != 2 {
		t.Fatalf("order_items: %d outcome records after forcing one of its files, want 2 (the others' record stays)", n)
	}
	if _, short := forced(t, lk, files, false); len(short) != len(files) {
		t.Fatal("a forced run over files recorded by two runs did not take the shortcut")
	}
	if n := records("order_items"); n != 1 {
		t.Fatalf("order_items: %d outcome records, want 1", n)
	}
}

const (
	smallProducts = "product_id,department_id,department,product_name\n1,1,produce,apple\n2,1,produce,pear\n"
	smallOrders   = ordersHeader +
		"1,100,7,2025-04-01T10:00:00,10.00,2025-04-01\n2,101,7,2025-04-01T11:00:00,12.50,2025-04-01\n"
	// Accepted rows, a missed order (199), a type error, a duplicate.
	smallItems = itemsHeader +
		"1,100,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n" +
		"2,100,7,3,2,2,1,2025-04-01T10:00:00,2025-04-01\n" +
		"3,199,7,3,1,1,0,2025-04-01T12:00:00,2025-04-01\n" +
		"4,101,7,x,1,1,0,2025-04-01T11:00:00,2025-04-01\n" +
		"5,101,7,3,1,1,0,2025-04-01T11:00:00,2025-04-01\n" +
		"5,101,7,3,1,1,0,2025-04-01T11:00:00,2025-04-01\n"
	itemsA = "bronze_layer/order_items/order_items_a.csv"
)

// TestForcedRunChecksAgainWhatMayHaveChanged: after each change that could
// make checking a loaded file's rows again come out otherwise, a forced
// run of the file checks them again, and its outcome is that of a forced
// run told to recheck, on a twin of the lake. The first case changes
// nothing and must take the shortcut, so that the others show it refused.
func TestForcedRunChecksAgainWhatMayHaveChanged(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, lk *lake.Lake) { loaded(t, lk, pipeline.Options{}) }
	cases := []struct {
		name   string
		load   map[string]string // raw files of the first load besides the small ones
		change func(t *testing.T, lk *lake.Lake, dir string)
		force  []string
		limits pipeline.Limits
	}{
		{name: "nothing changed"},
		{name: "another file changed one of its rows", change: func(t *testing.T, lk *lake.Lake, _ string) {
			putFile(t, lk.Store, "bronze_layer/order_items/order_items_b.csv", itemsHeader+"2,100,7,3,2,9,1,2025-04-01T10:30:00,2025-04-01\n")
			run(t, lk)
		}},
		{name: "a missed order arrived", change: func(t *testing.T, lk *lake.Lake, _ string) {
			putFile(t, lk.Store, "bronze_layer/orders/orders_b.csv", "order_num,order_id,user_id,order_timestamp,total_amount,date\n3,199,7,2025-04-01T12:00:00,1.00,2025-04-01\n")
			run(t, lk)
		}},
		{name: "a row it rejected came in another file", change: func(t *testing.T, lk *lake.Lake, _ string) {
			putFile(t, lk.Store, "bronze_layer/order_items/order_items_d.csv", itemsHeader+"4,101,7,2,1,1,0,2025-04-01T11:00:00,2025-04-01\n")
			run(t, lk)
		}},
		{name: "the limits changed", limits: pipeline.Limits{MaxRecordBytes: 4096}},
		{name: "its rejects were removed", change: func(t *testing.T, _ *lake.Lake, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "rejected", "order_items")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a data file was removed from the table", change: func(t *testing.T, lk *lake.Lake, _ string) {
			snap, err := lk.Silver("order_items").Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tx := snap.NewTransaction()
			tx.Remove(snap.Files()[0], true)
			if _, err := tx.Commit(ctx, delta.Operation{Name: "DELETE"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "its record is gone", change: func(t *testing.T, _ *lake.Lake, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "_lakeops", "outcomes")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "its record is unreadable", change: func(t *testing.T, _ *lake.Lake, dir string) {
			recs, err := filepath.Glob(filepath.Join(dir, "_lakeops", "outcomes", "order_items", "*.json"))
			if err != nil || len(recs) != 1 {
				t.Fatalf("records %v, %v", recs, err)
			}
			if err := os.WriteFile(recs[0], []byte(`{"rules": "`), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "another file of the run holds its key, and a row failed its order",
			load: map[string]string{"bronze_layer/order_items/order_items_f.csv": itemsHeader + "7,199,7,3,1,1,0,2025-04-01T12:00:00,2025-04-01\n"},
			change: func(t *testing.T, lk *lake.Lake, _ string) {
				putFile(t, lk.Store, "bronze_layer/order_items/order_items_g.csv", itemsHeader+"7,100,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n")
				run(t, lk)
			},
			force: []string{"bronze_layer/order_items/order_items_f.csv", "bronze_layer/order_items/order_items_g.csv"}},
		{name: "another file of the run holds its key, both rows failed their orders",
			load: map[string]string{"bronze_layer/order_items/order_items_f.csv": itemsHeader + "7,198,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n"},
			change: func(t *testing.T, lk *lake.Lake, _ string) {
				putFile(t, lk.Store, "bronze_layer/order_items/order_items_g.csv", itemsHeader+"7,199,7,3,1,1,0,2025-04-01T10:00:00,2025-04-01\n")
				run(t, lk)
			},
			force: []string{"bronze_layer/order_items/order_items_f.csv", "bronze_layer/order_items/order_items_g.csv"}},
		{name: "a reference its row found is gone", // row 1 of f failed only its product
			load: map[string]string{"bronze_layer/order_items/order_items_f.csv": itemsHeader + "11,100,7,3,9,1,0,2025-04-01T10:00:00,2025-04-01\n"},
			change: func(t *testing.T, lk *lake.Lake, _ string) {
				snap, err := lk.Silver("orders").Snapshot(ctx)
				if err != nil {
					t.Fatal(err)
				}
				tx := snap.NewTransaction()
				for _, a := range snap.Files() {
					tx.Remove(a, true)
				}
				if _, err := tx.Commit(ctx, delta.Operation{Name: "DELETE"}); err != nil {
					t.Fatal(err)
				}
			},
			force: []string{"bronze_layer/order_items/order_items_f.csv"}},
		{name: "a value of its row became null", // the integer a null digested as before digestRevision 2
			load: map[string]string{"bronze_layer/orders/orders_n.csv": ordersHeader + "-7046029254386353131,102,7,2025-04-01T10:00:00,10.00,2025-04-01\n"},
			change: func(t *testing.T, lk *lake.Lake, _ string) {
				putFile(t, lk.Store, "bronze_layer/orders/orders_m.csv", ordersHeader+",102,7,2025-04-01T10:00:00,10.00,2025-04-01\n")
				run(t, lk)
			},
			force: []string{"bronze_layer/orders/orders_n.csv"}},
		{name: "the rejects table of a file without rejects is gone", change: func(t *testing.T, _ *lake.Lake, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "rejected", "products")); err != nil {
				t.Fatal(err)
			}
		}, force: []string{"bronze_layer/products.csv"}},
		{name: "a row of it lost to another file's at the load",
			load:  map[string]string{"bronze_layer/order_items/order_items_c.csv": itemsHeader + "1,100,7,4,1,3,1,2025-04-01T10:05:00,2025-04-01\n"},
			force: []string{itemsA, "bronze_layer/order_items/order_items_c.csv"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lk, dir := newLake(t)
			putFile(t, lk.Store, "bronze_layer/products.csv", smallProducts)
			putFile(t, lk.Store, "bronze_layer/orders/orders_a.csv", smallOrders)
			putFile(t, lk.Store, itemsA, smallItems)
			for k, v := range c.load {
				putFile(t, lk.Store, k, v)
			}
			run(t, lk)
			if c.change != nil {
				c.change(t, lk, dir)
			}
			files := c.force
			if files == nil {
				files = []string{itemsA}
			}
			other, _ := twin(t, dir)
			got, short := forcedWith(t, lk, pipeline.Options{Files: files, Limits: c.limits})
			want, _ := forcedWith(t, other, pipeline.Options{Files: files, Limits: c.limits, Recheck: true})
			if c.change == nil && c.limits == (pipeline.Limits{}) && c.load == nil {
				if !short[itemsA] {
					t.Fatal("nothing changed, yet the rows were checked again")
				}
			} else if len(short) > 0 {
				t.Fatalf("the shortcut was taken for %v", short)
			}
			if c.name == "the rejects table of a file without rejects is gone" {
				if _, err := lk.Rejected("products").Snapshot(ctx); err != nil {
					t.Fatalf("the forced run did not record the file's rejects again: %v", err)
				}
			}
			sameOutcome(t, got, want, lk, other)
		})
	}
}

// TestStagedLoadRecordsWhatOneRunRecords: a load through the fan-out
// (staged batches, then the staged commit) records the same outcome of
// each file as one run does, and a forced run over it is not checked
// again either.
func TestStagedLoadRecordsWhatOneRunRecords(t *testing.T) {
	ctx := context.Background()
	raw := t.TempDir()
	if _, err := gen.Generate(ctx, raw, gen.Options{Orders: 1800, Days: 6, Dirty: 0.05, Seed: 9}, nil); err != nil {
		t.Fatal(err)
	}
	one, _ := newLake(t)
	putTree(t, one, raw)
	many, dir := newLake(t)
	putTree(t, many, raw)
	sum := loaded(t, one, pipeline.Options{})
	if err := fanOut(ctx, many, "load-1", 2, 4); err != nil {
		t.Fatal(err)
	}
	got, want := outcomesByFile(t, many), outcomesByFile(t, one)
	if len(want) != len(sum.Files) {
		t.Fatalf("one run recorded the outcomes of %d of %d files", len(want), len(sum.Files))
	}
	if !reflect.DeepEqual(got, want) {
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s:\n fan-out %s\n one run %s", k, got[k], w)
			}
		}
		t.Fatalf("the fan-out recorded other outcomes than one run (%d and %d files)", len(got), len(want))
	}
	var files []string
	for _, f := range sum.Files {
		files = append(files, f.File)
	}
	other, _ := twin(t, dir)
	forcedSum, short := forced(t, many, files, false)
	if len(short) != len(files) {
		t.Fatalf("after the fan-out, a forced run checked the rows of %d of %d files again", len(files)-len(short), len(files))
	}
	recheck, _ := forced(t, other, files, true)
	sameOutcome(t, forcedSum, recheck, many, other)
}

// outcomesByFile reads every outcome record of a lake, by raw file key
// (the identity without its version), each with its record's rules.
func outcomesByFile(t *testing.T, lk *lake.Lake) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for obj, err := range lk.Store.List(ctx, lk.Layout.Outcomes, storage.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		b, err := storage.ReadAll(ctx, lk.Store, obj.Key)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Rules string                     `json:"rules"`
			Files map[string]json.RawMessage `json:"files"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", obj.Key, err)
		}
		for id, o := range rec.Files {
			key := id[:strings.LastIndex(id, "@")]
			if _, dup := out[key]; dup {
				t.Fatalf("%s recorded twice", key)
			}
			out[key] = rec.Rules + " " + string(o)
		}
	}
	return out
}

// A file replaced while a forced run reads it (after the listing, before
// the key pass: the same records and keys, another value) fails as
// changed, as it does when every row is checked, and is not reported as
// its load left it.
func TestForcedRunOverAFileReplacedMeanwhile(t *testing.T) {
	ctx := context.Background()
	for _, recheck := range []bool{false, true} {
		lk, _ := newLake(t)
		putFile(t, lk.Store, "bronze_layer/products.csv", smallProducts)
		putFile(t, lk.Store, "bronze_layer/orders/orders_a.csv", smallOrders)
		putFile(t, lk.Store, itemsA, smallItems)
		loaded(t, lk, pipeline.Options{})
		changed := strings.Replace(smallItems, "1,100,7,3,1,1,0,", "1,100,7,3,2,1,0,", 1)
		var once sync.Once
		sum, err := pipeline.Run(ctx, lk, pipeline.Options{Files: []string{itemsA}, Force: true, Recheck: recheck, Progress: func(e pipeline.Event) {
			if e.Stage == pipeline.StageQueued {
				once.Do(func() { putFile(t, lk.Store, itemsA, changed) })
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if f := sum.Files[0]; f.Status != "failed" || !strings.Contains(f.Error, "changed") {
			t.Fatalf("recheck %v: %s %q, want it failed as changed while read", recheck, f.Status, f.Error)
		}
	}
}

// The table read of the shortcut checks each row's references on one
// goroutine per CPU, each with lookups of its own: with reference keys on
// more bitmap pages than a lookup remembers, every row still finds its
// order (shared lookups race: go test -race -cpu 4 shows it).
func TestForcedRunReadsTheTableWithLookupsOfItsOwn(t *testing.T) {
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", smallProducts)
	var orders, items strings.Builder
	orders.WriteString(ordersHeader)
	items.WriteString(itemsHeader)
	id := 1
	for day := 1; day <= 8; day++ {
		for o := range 12 {
			oid := (day*12 + o) << 16 // a page of the key set each
			fmt.Fprintf(&orders, "%d,%d,7,2025-04-%02dT10:00:00,10.00,2025-04-%02d\n", oid, oid, day, day)
			fmt.Fprintf(&items, "%d,%d,7,3,1,1,0,2025-04-%02dT10:00:00,2025-04-%02d\n", id, oid, day, day)
			id++
		}
	}
	putFile(t, lk.Store, "bronze_layer/orders/orders_a.csv", orders.String())
	putFile(t, lk.Store, "bronze_layer/order_items/items_a.csv", items.String())
	if sum := loaded(t, lk, pipeline.Options{}); sum.Totals.Rejected != 0 {
		t.Fatalf("load: %+v", sum.Totals)
	}
	for range 5 {
		if _, short := forced(t, lk, []string{"bronze_layer/order_items/items_a.csv"}, false); len(short) != 1 {
			t.Fatal("a row did not find its order: the rows were checked again")
		}
	}
}

// An unreadable record is said, and the forced run checks every row.
func TestForcedRunWarnsOfAnUnreadableRecord(t *testing.T) {
	ctx := context.Background()
	lk, dir := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", smallProducts)
	loaded(t, lk, pipeline.Options{})
	recs, err := filepath.Glob(filepath.Join(dir, "_lakeops", "outcomes", "products", "*.json"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, %v", recs, err)
	}
	if err := os.WriteFile(recs[0], []byte(`{"rules": "`), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var msgs []string
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Files: []string{"bronze_layer/products.csv"}, Force: true, Progress: func(e pipeline.Event) {
		mu.Lock()
		defer mu.Unlock()
		msgs = append(msgs, e.Message)
	}})
	if err != nil || sum.Failed() || sum.Totals.Unchanged != 2 {
		t.Fatalf("forced run: %v %+v", err, sum)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "warning: the outcomes run") || !strings.Contains(all, "are unreadable") || strings.Contains(all, "not checked again") {
		t.Fatalf("messages:\n%s", all)
	}
}
