package delta_test

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/internal/interop"
)

// rowsOf reads a snapshot's rows as sorted text: a multiset to compare.
func rowsOf(t *testing.T, snap *delta.Snapshot) []string {
	t.Helper()
	var out []string
	for row, err := range snap.Rows(context.Background()) {
		if err != nil {
			t.Fatalf("version %d: %v", snap.Version(), err)
		}
		out = append(out, rowText(row))
	}
	slices.Sort(out)
	return out
}

// timedHistory creates a partitioned table and commits versions 1..n: each
// appends a file per partition it touches; from version 3 on each also
// rewrites the oldest live file without its even ids (a remove with
// dataChange true and an add). Commits are pause apart, so that removes
// of different versions have different deletion times. It returns each
// version's rows and commit time (the commitInfo timestamp, in ms).
func timedHistory(t *testing.T, tbl *delta.Table, n int, pause time.Duration) (rows [][]string, commitMs []int64) {
	t.Helper()
	ctx := context.Background()
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema(), PartitionColumns: []string{"date"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	fileRows := map[string][][]any{}
	id := int64(1)
	record := func() {
		if snap, err = tbl.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rowsOf(t, snap))
		hist, err := tbl.History(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		commitMs = append(commitMs, hist[0].Timestamp.UnixMilli())
	}
	record()
	for v := 1; v <= n; v++ {
		time.Sleep(pause)
		fw, err := delta.NewFileWriterFor(snap)
		if err != nil {
			t.Fatal(err)
		}
		tx := snap.NewTransaction()
		groups := map[string][][]any{}
		for range 12 {
			row := makeRow(r, id)
			id++
			if row[7] == nil {
				continue // no null partition here: the test compares partition folders
			}
			k := partitionOf(row)["date"]
			groups[*k] = append(groups[*k], row)
		}
		for _, day := range slices.Sorted(maps.Keys(groups)) {
			add, err := fw.WriteFile(ctx, map[string]*string{"date": &day}, groups[day])
			if err != nil {
				t.Fatal(err)
			}
			tx.Add(add)
			fileRows[add.Path] = groups[day]
		}
		if v >= 3 {
			old := snap.Files()[0]
			tx.Remove(old, true)
			var keep [][]any
			for _, row := range fileRows[old.Path] {
				if row[0].(int64)%2 == 1 {
					keep = append(keep, row)
				}
			}
			if len(keep) > 0 {
				add, err := fw.WriteFile(ctx, old.PartitionValues, keep)
				if err != nil {
					t.Fatal(err)
				}
				tx.Add(add)
				fileRows[add.Path] = keep
			}
		}
		if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
			t.Fatal(err)
		}
		record()
	}
	return rows, commitMs
}

// readsFully reports whether every row of a version can be read.
func readsFully(tbl *delta.Table, version int64) error {
	snap, err := tbl.SnapshotAt(context.Background(), version)
	if err != nil {
		return err
	}
	for _, err := range snap.Rows(context.Background()) {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestVacuumKeepsWhatTimeTravelInsideTheRetentionReads(t *testing.T) {
	ctx := context.Background()
	tbl, dir := newFolderTable(t)
	rows, commitMs := timedHistory(t, tbl, 12, 5*time.Millisecond)
	latest := int64(len(rows) - 1)
	// A retention of one hour, and "now" one hour (and a millisecond) after
	// version 8 committed: versions 8 and later must stay readable.
	if _, err := tbl.SetProperties(ctx, map[string]string{delta.DeletedFileRetentionProperty: "interval 1 hour"}, nil); err != nil {
		t.Fatal(err)
	}
	const keepFrom = 8
	now := time.UnixMilli(commitMs[keepFrom] + 1).Add(time.Hour)
	// A file no commit added, written long ago (a failed write), one written
	// just now (a write in progress), and hidden files: only the first goes.
	stray := filepath.Join(dir, "date=2024-03-01", "part-00000-stray.c000.snappy.parquet")
	fresh := filepath.Join(dir, "date=2024-03-01", "part-00000-fresh.c000.snappy.parquet")
	hidden := []string{filepath.Join(dir, "_SUCCESS"), filepath.Join(dir, "date=2024-03-01", ".part-1.crc")}
	for _, p := range append([]string{stray, fresh}, hidden...) {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.UnixMilli(commitMs[0]).Add(-time.Hour)
	for _, p := range append([]string{stray}, hidden...) {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(fresh, now, now); err != nil {
		t.Fatal(err)
	}
	before := treeOf(t, dir)

	minute := time.Minute
	short := delta.VacuumOptions{Retention: &minute, Now: now, DryRun: true}
	var re *delta.RetentionError
	if _, err := tbl.Vacuum(ctx, short); !errors.As(err, &re) {
		t.Fatalf("vacuum with a retention under the table's: %v, want a RetentionError", err)
	}
	dry, err := tbl.Vacuum(ctx, delta.VacuumOptions{Now: now, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := treeOf(t, dir); !slices.Equal(after, before) {
		t.Fatal("a dry run changed the table")
	}
	res, err := tbl.Vacuum(ctx, delta.VacuumOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Files, dry.Files) || len(res.Files) < 2 || res.Retention != time.Hour {
		t.Fatalf("vacuum deleted %d files (dry run listed %d), retention %s", len(res.Files), len(dry.Files), res.Retention)
	}
	for _, f := range res.Files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path))); !os.IsNotExist(err) {
			t.Errorf("%s is still there", f.Path)
		}
	}
	for _, p := range append([]string{fresh}, hidden...) {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was deleted: %v", p, err)
		}
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("the old stray file is still there")
	}
	// The content is unchanged; versions inside the retention read in full;
	// older ones lost files.
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, snap); !slices.Equal(got, rows[latest]) {
		t.Fatalf("latest version: %d rows after vacuum, %d before", len(got), len(rows[latest]))
	}
	for v := int64(keepFrom); v <= latest; v++ {
		s, err := tbl.SnapshotAt(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if got := rowsOf(t, s); !slices.Equal(got, rows[v]) {
			t.Errorf("version %d inside the retention reads %d rows, want %d", v, len(got), len(rows[v]))
		}
	}
	for v := int64(1); v < keepFrom-1; v++ {
		if err := readsFully(tbl, v); err == nil {
			t.Errorf("version %d (outside the retention) still reads: vacuum kept its removed files", v)
		}
	}
	// With force, a shorter retention goes further.
	forced, err := tbl.Vacuum(ctx, delta.VacuumOptions{Retention: &minute, Force: true, Now: now})
	if err != nil || len(forced.Files) == 0 {
		t.Fatalf("forced vacuum: %v, %d files", err, len(forced.Files))
	}
	if got := rowsOf(t, mustSnapshot(t, tbl)); !slices.Equal(got, rows[latest]) {
		t.Fatal("a forced vacuum changed the latest version")
	}
}

func mustSnapshot(t *testing.T, tbl *delta.Table) *delta.Snapshot {
	t.Helper()
	s, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// treeOf lists every file under dir with its size.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel+":"+info.ModTime().String())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ageLog sets the modification time of commit v and its checkpoint to
// base + v hours.
func ageLog(t *testing.T, dir string, base time.Time) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, delta.LogDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		f, ok := delta.ParseLogFile(e.Name())
		if !ok {
			continue
		}
		at := base.Add(time.Duration(f.Version) * time.Hour)
		if err := os.Chtimes(filepath.Join(dir, delta.LogDir, e.Name()), at, at); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLogCleanupKeepsEveryVersionInsideTheRetention(t *testing.T) {
	ctx := context.Background()
	tbl, dir := newFolderTable(t)
	rows, _ := timedHistory(t, tbl, 26, 0)
	latest := int64(len(rows) - 1)
	base := time.Now().Add(-60 * 24 * time.Hour) // version v committed base + v hours
	ageLog(t, dir, base)
	retention := delta.DefaultLogRetention
	// Cutoff between versions 8 and 9: no checkpoint at or before version 8, nothing goes.
	res, err := tbl.CleanupLog(ctx, delta.LogCleanupOptions{Now: base.Add(8*time.Hour + 30*time.Minute).Add(retention)})
	if err != nil || len(res.Files) != 0 {
		t.Fatalf("cleanup before the first checkpoint: %v, deleted %v", err, res.Files)
	}
	// Cutoff between versions 23 and 24: the cutoff commit is 23, its
	// checkpoint 20; every commit below 20 and checkpoint 10 go.
	now := base.Add(23*time.Hour + 30*time.Minute).Add(retention)
	dry, err := tbl.CleanupLog(ctx, delta.LogCleanupOptions{Now: now, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, delta.LogDir, delta.CommitName(0))); err != nil {
		t.Fatal("a dry run deleted commit 0")
	}
	res, err = tbl.CleanupLog(ctx, delta.LogCleanupOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 21 || len(dry.Files) != 21 {
		t.Fatalf("deleted %d log files (dry run %d), want commits 0-19 and checkpoint 10", len(res.Files), len(dry.Files))
	}
	for v := int64(0); v < 20; v++ {
		if _, err := os.Stat(filepath.Join(dir, delta.LogDir, delta.CommitName(v))); !os.IsNotExist(err) {
			t.Errorf("commit %d is still there", v)
		}
	}
	for _, name := range []string{delta.CheckpointName(20), delta.CommitName(20), "_last_checkpoint"} {
		if _, err := os.Stat(filepath.Join(dir, delta.LogDir, name)); err != nil {
			t.Errorf("%s was deleted", name)
		}
	}
	for v := int64(20); v <= latest; v++ {
		s, err := tbl.SnapshotAt(ctx, v)
		if err != nil {
			t.Fatalf("version %d inside the retention: %v", v, err)
		}
		if got := rowsOf(t, s); !slices.Equal(got, rows[v]) {
			t.Errorf("version %d reads %d rows, want %d", v, len(got), len(rows[v]))
		}
	}
	var nf *delta.VersionNotFoundError
	if _, err := tbl.SnapshotAt(ctx, 19); !errors.As(err, &nf) {
		t.Errorf("version 19 after cleanup: %v, want VersionNotFoundError", err)
	}
	hist, err := tbl.History(ctx, 0)
	if err != nil || len(hist) != int(latest)-19 || hist[len(hist)-1].Version != 20 {
		t.Errorf("history after cleanup: %d entries (%v), want versions 20..%d", len(hist), err, latest)
	}
}

func TestLogCleanupRunsAfterCheckpoints(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		ctx := context.Background()
		tbl, dir := newFolderTable(t)
		rows, _ := timedHistory(t, tbl, 25, 0)
		if !enabled {
			if _, err := tbl.SetProperties(ctx, map[string]string{delta.ExpiredLogCleanupProperty: "false"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		// Versions 0..26 committed long ago; the next commits (27..30) now.
		ageLog(t, dir, time.Now().Add(-90*24*time.Hour))
		snap := mustSnapshot(t, tbl)
		for snap.Version() < 30 {
			tx := snap.NewTransaction()
			tx.SetTxn("tick", snap.Version())
			if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
				t.Fatal(err)
			}
			snap = mustSnapshot(t, tbl)
		}
		// The checkpoint of version 30 cleaned up: the cutoff commit is 26
		// (the newest older than 30 days), its checkpoint 20.
		_, err := os.Stat(filepath.Join(dir, delta.LogDir, delta.CommitName(19)))
		if gone := os.IsNotExist(err); gone != enabled {
			t.Errorf("cleanup enabled %v: commit 19 gone %v", enabled, gone)
		}
		if _, err := os.Stat(filepath.Join(dir, delta.LogDir, delta.CommitName(20))); err != nil {
			t.Errorf("commit 20 was deleted")
		}
		if got := rowsOf(t, mustSnapshot(t, tbl)); !slices.Equal(got, rows[len(rows)-1]) {
			t.Errorf("the latest version reads different rows after the cleanup")
		}
	}
}

func TestOptimizePacksSmallFilesWithoutChangingContent(t *testing.T) {
	ctx := context.Background()
	tbl, dir := newFolderTable(t)
	rows, _ := timedHistory(t, tbl, 14, 0)
	before := mustSnapshot(t, tbl)
	parts := map[string]int{}
	for _, a := range before.Files() {
		parts[*a.PartitionValues["date"]]++
	}
	res, err := tbl.Optimize(ctx, delta.OptimizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after := mustSnapshot(t, tbl)
	if res.Version != before.Version()+1 || after.Version() != res.Version || res.Attempts != 1 {
		t.Fatalf("optimize result %+v, table at version %d", res, after.Version())
	}
	// One file per partition that had more than one; the rows are the same.
	wantFiles := 0
	for _, n := range parts {
		if n > 1 {
			wantFiles++
		} else {
			wantFiles += n
		}
	}
	if len(after.Files()) != wantFiles || res.FilesRemoved != len(before.Files())-(wantFiles-res.FilesAdded) {
		t.Errorf("%d files after optimize (result %+v), want %d", len(after.Files()), res, wantFiles)
	}
	if got := rowsOf(t, after); !slices.Equal(got, rows[len(rows)-1]) {
		t.Fatalf("optimize changed the rows: %d after, %d before", len(got), len(rows[len(rows)-1]))
	}
	// Every action of the commit says dataChange false; time travel to
	// the version before still reads what it read; the new files are
	// compatible Parquet.
	b, err := storage.ReadAll(ctx, tbl.Store(), "tbl/_delta_log/"+delta.CommitName(res.Version))
	if err != nil {
		t.Fatal(err)
	}
	actions, err := delta.ParseCommit(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range actions {
		if (a.Add != nil && a.Add.DataChange) || (a.Remove != nil && a.Remove.DataChange) {
			t.Errorf("optimize commit has a dataChange true action: %s", b)
		}
	}
	if got := rowsOf(t, mustSnapshotAt(t, tbl, before.Version())); !slices.Equal(got, rows[len(rows)-1]) {
		t.Error("the version before optimize no longer reads the same")
	}
	for _, a := range after.Files() {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(a.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := interop.CheckPages(data); err != nil {
			t.Errorf("%s: %v", a.Path, err)
		}
	}
	if h, _ := tbl.History(ctx, 1); h[0].Operation != "OPTIMIZE" || h[0].Metrics["numRemovedFiles"] == "" {
		t.Errorf("history: %+v", h[0])
	}
	again, err := tbl.Optimize(ctx, delta.OptimizeOptions{})
	if err != nil || again.Version != -1 {
		t.Errorf("second optimize: %+v, %v; want nothing to do", again, err)
	}
	// A small target keeps bins under it.
	tbl2, _ := newFolderTable(t)
	timedHistory(t, tbl2, 6, 0)
	var sizes []int64
	for _, a := range mustSnapshot(t, tbl2).Files() {
		sizes = append(sizes, a.Size)
	}
	slices.Sort(sizes)
	target := sizes[0] + sizes[1] + 1 // room for the two smallest files of a partition at most
	res2, err := tbl2.Optimize(ctx, delta.OptimizeOptions{TargetSize: target})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Version >= 0 && res2.FilesRemoved > 2*res2.FilesAdded {
		t.Errorf("target %d: removed %d files for %d added; bins over the target", target, res2.FilesRemoved, res2.FilesAdded)
	}
}

func mustSnapshotAt(t *testing.T, tbl *delta.Table, v int64) *delta.Snapshot {
	t.Helper()
	s, err := tbl.SnapshotAt(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSetPropertiesChecksValues(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	timedHistory(t, tbl, 1, 0)
	for _, bad := range []map[string]string{
		{delta.EncodingsProperty: "zstd"},
		{delta.LogRetentionProperty: "interval 1 month"},
		{delta.ExpiredLogCleanupProperty: "maybe"},
		{"delta.enableChangeDataFeed": "true"},
	} {
		if _, err := tbl.SetProperties(ctx, bad, nil); err == nil {
			t.Errorf("SetProperties(%v) succeeded", bad)
		}
	}
	v, err := tbl.SetProperties(ctx, map[string]string{delta.EncodingsProperty: delta.EncodingsDelta, "owner": "ops"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustSnapshotAt(t, tbl, v).Metadata().Configuration
	if cfg[delta.EncodingsProperty] != delta.EncodingsDelta || cfg["owner"] != "ops" {
		t.Fatalf("configuration %v", cfg)
	}
	if _, err := tbl.SetProperties(ctx, nil, []string{"owner"}); err != nil {
		t.Fatal(err)
	}
	if cfg := mustSnapshot(t, tbl).Metadata().Configuration; cfg["owner"] != "" || cfg[delta.EncodingsProperty] != delta.EncodingsDelta {
		t.Fatalf("after unset: %v", cfg)
	}
	if !strings.Contains(mustSnapshot(t, tbl).Metadata().SchemaString, "order_timestamp") {
		t.Fatal("the schema was lost")
	}
}

// TestMaintenanceRefusesTablesItCannotWrite: a table with deletion vectors
// (reader 3 / writer 7, from the corpus) is read, but vacuum, optimize,
// log cleanup and property changes refuse it and delete nothing.
func TestMaintenanceRefusesTablesItCannotWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(corpus, "golden", "dv-partitioned-with-checkpoint", "delta"))); err != nil {
		t.Fatal(err)
	}
	tbl := openCorpusTable(t, dir)
	before := treeOf(t, dir)
	zero := time.Duration(0)
	far := time.Now().Add(10 * 365 * 24 * time.Hour)
	var uf *delta.UnsupportedFeatureError
	if _, err := tbl.Vacuum(ctx, delta.VacuumOptions{Retention: &zero, Force: true, Now: far}); !errors.As(err, &uf) {
		t.Errorf("vacuum: %v, want an UnsupportedFeatureError", err)
	}
	if _, err := tbl.Optimize(ctx, delta.OptimizeOptions{}); !errors.As(err, &uf) {
		t.Errorf("optimize: %v, want an UnsupportedFeatureError", err)
	}
	if _, err := tbl.CleanupLog(ctx, delta.LogCleanupOptions{Now: far}); !errors.As(err, &uf) {
		t.Errorf("clean-log: %v, want an UnsupportedFeatureError", err)
	}
	if _, err := tbl.SetProperties(ctx, map[string]string{"owner": "ops"}, nil); !errors.As(err, &uf) {
		t.Errorf("set-property: %v, want an UnsupportedFeatureError", err)
	}
	if after := treeOf(t, dir); !slices.Equal(after, before) {
		t.Fatal("a refused maintenance command changed the table")
	}
}
