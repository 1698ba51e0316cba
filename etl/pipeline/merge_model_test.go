package pipeline_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// tableByKey reads a silver table through the row path (a row at a time,
// Go values) as rendered rows by key, failing on a key held twice.
func tableByKey(t *testing.T, lk *lake.Lake, ds, key string) (map[int64][]string, int64) {
	t.Helper()
	ctx := context.Background()
	snap, err := lk.Silver(ds).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := snap.Schema().Names()
	ki := slices.Index(names, key)
	out := map[int64][]string{}
	for row, err := range snap.Rows(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		k := row[ki].(int64)
		if _, dup := out[k]; dup {
			t.Fatalf("%s: key %d twice", ds, k)
		}
		text := make([]string, len(row))
		for i, v := range row {
			text[i] = rowfmt.Text(v)
		}
		out[k] = text
	}
	return out, snap.Version()
}

// redelivery is a raw file made from a loaded one: some rows changed, some
// new, the rest as they were.
type redelivery struct {
	body     string
	changed  map[int64]bool  // keys whose row changed
	inserted map[int64]int64 // new keys, with the key of the row they copy
}

// redeliver copies a raw file, changing column col (an integer, given one
// more) of rows whose key occurs once in the file, is in the table and is
// picked, and adding a copy of some picked rows under new keys from next.
func redeliver(t *testing.T, raw []byte, table map[int64][]string, col string, rng *rand.Rand, share float64, next *int64) redelivery {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	header := strings.Split(lines[0], ",")
	ci := slices.Index(header, col)
	count := map[string]int{}
	for _, l := range lines[1:] {
		count[strings.SplitN(l, ",", 2)[0]]++
	}
	r := redelivery{changed: map[int64]bool{}, inserted: map[int64]int64{}}
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for _, l := range lines[1:] {
		fields := strings.Split(l, ",")
		k, err := strconv.ParseInt(fields[0], 10, 64)
		v, verr := strconv.ParseInt(fields[ci], 10, 64)
		if err != nil || verr != nil || len(fields) != len(header) || strings.Contains(l, `"`) || count[fields[0]] != 1 || table[k] == nil || rng.Float64() >= share {
			b.WriteString(l + "\n")
			continue
		}
		if rng.IntN(3) == 0 { // a copy under a new key, the row itself unchanged
			b.WriteString(l + "\n")
			*next++
			fields[0] = strconv.FormatInt(*next, 10)
			r.inserted[*next] = k
			b.WriteString(strings.Join(fields, ",") + "\n")
			continue
		}
		fields[ci] = strconv.FormatInt(v+1, 10)
		r.changed[k] = true
		b.WriteString(strings.Join(fields, ",") + "\n")
	}
	r.body = b.String()
	return r
}

// TestMergeCountsAndContentOnGeneratedLakes: a generated lake (dense ids:
// the dense match index) and a lake of orders with widely spread ids (the
// map) get re-deliveries with some rows changed, some new and the rest
// unchanged; the MERGE's inserted, updated and unchanged counts, its
// metrics and the table read back through the row path are what a model of
// the table says, only files holding a changed key are rewritten, and a
// forced re-run of the same files writes nothing. The generated lake's
// four days are all re-delivered, so that more files are rewritten than
// the rewrite decodes ahead.
func TestMergeCountsAndContentOnGeneratedLakes(t *testing.T) {
	ctx := context.Background()
	t.Run("generated order_items", func(t *testing.T) {
		lk, _ := newLake(t)
		raw := t.TempDir()
		if _, err := gen.Generate(ctx, raw, gen.Options{Orders: 2400, Days: 4, Dirty: 0.04, Seed: 11}, nil); err != nil {
			t.Fatal(err)
		}
		putTree(t, lk, raw)
		if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
			t.Fatal(err)
		}
		// The two days forced first, so that the table holds what they say
		// of their keys (a row another day superseded goes back).
		days := []string{"order_items_2025_04_01.csv", "order_items_2025_04_02.csv", "order_items_2025_04_03.csv", "order_items_2025_04_04.csv"}
		var forced []string
		for _, day := range days {
			forced = append(forced, "bronze_layer/order_items/"+day)
		}
		if _, err := pipeline.Run(ctx, lk, pipeline.Options{Force: true, Files: forced}); err != nil {
			t.Fatal(err)
		}
		table, _ := tableByKey(t, lk, "order_items", "id")
		next := slices.Max(slices.Collect(maps.Keys(table))) + 1000
		rng := rand.New(rand.NewPCG(5, 6))
		var res []redelivery
		var keys []string
		for i, day := range days {
			b, err := os.ReadFile(filepath.Join(raw, "order_items", day))
			if err != nil {
				t.Fatal(err)
			}
			res = append(res, redeliver(t, b, table, "add_to_cart_order", rng, 0.05+0.15*float64(i), &next))
			keys = append(keys, fmt.Sprintf("bronze_layer/order_items/redelivered_%d.csv", i))
			putFile(t, lk.Store, keys[i], res[i].body)
		}
		checkMerge(t, lk, "order_items", "id", table, res, keys, func(row []string, names []string) {
			ci := slices.Index(names, "add_to_cart_order")
			v, _ := strconv.Atoi(row[ci])
			row[ci] = strconv.Itoa(v + 1)
		})
	})
	t.Run("orders with spread ids", func(t *testing.T) {
		lk, _ := newLake(t)
		var b strings.Builder
		b.WriteString("order_num,order_id,user_id,order_timestamp,total_amount,date\n")
		for i := range 300 {
			fmt.Fprintf(&b, "%d,%d,%d,2025-04-0%dT10:%02d:00,%d.25,2025-04-0%d\n", i, int64(i)*1_000_000_007-150_000_000_000, i%17, 1+i%3, i%60, 10+i, 1+i%3)
		}
		putFile(t, lk.Store, "bronze_layer/orders/orders_1.csv", b.String())
		if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
			t.Fatal(err)
		}
		table, _ := tableByKey(t, lk, "orders", "order_id")
		rng := rand.New(rand.NewPCG(7, 8))
		next := int64(1) << 50
		// Key the copy by order_id: move the key to the front and back.
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		var swapped strings.Builder
		for _, l := range lines {
			f := strings.Split(l, ",")
			f[0], f[1] = f[1], f[0]
			swapped.WriteString(strings.Join(f, ",") + "\n")
		}
		r := redeliver(t, []byte(swapped.String()), table, "user_id", rng, 0.3, &next)
		putFile(t, lk.Store, "bronze_layer/orders/orders_redelivered.csv", r.body)
		checkMerge(t, lk, "orders", "order_id", table, []redelivery{r}, []string{"bronze_layer/orders/orders_redelivered.csv"}, func(row []string, names []string) {
			ci := slices.Index(names, "user_id")
			v, _ := strconv.Atoi(row[ci])
			row[ci] = strconv.Itoa(v + 1)
		})
	})
}

// checkMerge runs the re-deliveries and checks counts, metrics and content
// against the model: table with change applied to the changed keys' rows
// and the inserted rows added; then a forced re-run of the same files.
func checkMerge(t *testing.T, lk *lake.Lake, ds, key string, table map[int64][]string, res []redelivery, keys []string, change func(row, names []string)) {
	t.Helper()
	ctx := context.Background()
	before, _ := lk.Silver(ds).Snapshot(ctx)
	names := before.Schema().Names()
	changed, inserted := map[int64]bool{}, map[int64]int64{}
	for _, r := range res {
		for k := range r.changed {
			changed[k] = true
		}
		for k, src := range r.inserted {
			inserted[k] = src
		}
	}
	if len(changed) == 0 || len(inserted) == 0 {
		t.Fatalf("the re-deliveries change %d rows and add %d: the test needs both", len(changed), len(inserted))
	}
	holding := map[string]bool{} // files holding a changed key
	for _, a := range before.Files() {
		for row, err := range before.ProjectFile(ctx, a, key) {
			if err != nil {
				t.Fatal(err)
			}
			if changed[row[0].(int64)] {
				holding[a.Path] = true
			}
		}
	}
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Files: keys})
	if err != nil {
		t.Fatal(err)
	}
	tot := sum.Totals
	if tot.Updated != int64(len(changed)) || tot.Inserted != int64(len(inserted)) || tot.Unchanged != tot.Accepted-tot.Updated-tot.Inserted || tot.Unchanged == 0 {
		t.Fatalf("inserted %d updated %d unchanged %d of %d accepted; want %d inserted, %d updated, the rest unchanged",
			tot.Inserted, tot.Updated, tot.Unchanged, tot.Accepted, len(inserted), len(changed))
	}
	hist, err := lk.Silver(ds).History(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := hist[0].Metrics
	if m["numTargetRowsUpdated"] != fmt.Sprint(len(changed)) || m["numTargetRowsInserted"] != fmt.Sprint(len(inserted)) ||
		m["numTargetFilesRemoved"] != fmt.Sprint(len(holding)) || m["numSourceRowsUnchanged"] != fmt.Sprint(tot.Unchanged) {
		t.Fatalf("MERGE metrics %v; want %d updated, %d inserted, %d files removed, %d unchanged", m, len(changed), len(inserted), len(holding), tot.Unchanged)
	}
	after, _ := lk.Silver(ds).Snapshot(ctx)
	for _, a := range before.Files() {
		if after.State().HasFile(a.Path) == holding[a.Path] {
			t.Fatalf("file %s kept %v, holds a changed key %v", a.Path, after.State().HasFile(a.Path), holding[a.Path])
		}
	}
	got, version := tableByKey(t, lk, ds, key)
	want := map[int64][]string{}
	for k, row := range table {
		row = slices.Clone(row)
		if changed[k] {
			change(row, names)
		}
		want[k] = row
	}
	ki := slices.Index(names, key)
	for k, src := range inserted {
		row := slices.Clone(table[src])
		row[ki] = strconv.FormatInt(k, 10)
		want[k] = row
	}
	for k, row := range want {
		if !slices.Equal(got[k], row) {
			t.Fatalf("key %d: %v, want %v", k, got[k], row)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	// Forced over what is now in the table: nothing changes, nothing is written.
	sum, err = pipeline.Run(ctx, lk, pipeline.Options{Files: keys, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if tot := sum.Totals; tot.Inserted != 0 || tot.Updated != 0 || tot.Unchanged != tot.Accepted || tot.Accepted == 0 {
		t.Fatalf("forced re-run: inserted %d updated %d unchanged %d of %d accepted", tot.Inserted, tot.Updated, tot.Unchanged, tot.Accepted)
	}
	if _, v := tableByKey(t, lk, ds, key); v != version {
		t.Fatalf("forced re-run over unchanged rows committed version %d (was %d)", v, version)
	}
}

// putTree copies a folder of generated raw files into the lake's bronze layer.
func putTree(t *testing.T, lk *lake.Lake, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".csv") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		putFile(t, lk.Store, "bronze_layer/"+filepath.ToSlash(rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
