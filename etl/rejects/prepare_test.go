package rejects

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

func testLake(t *testing.T) (*lake.Lake, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return lake.New(st), dir
}

func rowsOf(file, id string, lines ...int64) []Row {
	var out []Row
	for _, l := range lines {
		out = append(out, NewRow("run-1", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), file, id, "id,name", l, []byte("x,"), []string{"required:name"}))
	}
	return out
}

// parquetFiles lists the data files in the rejects table's folder.
func parquetFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") && strings.Contains(p, "rejected") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// An aborted append leaves neither rows nor a data file behind.
func TestPreparedAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	l, dir := testLake(t)
	p, err := Prepare(ctx, l, "products", []string{"id-a"}, slices.Values(rowsOf("a.csv", "id-a", 2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if got := parquetFiles(t, dir); len(got) != 1 {
		t.Fatalf("after Prepare: %d data files, want the prepared one", len(got))
	}
	p.Abort(ctx)
	if got := parquetFiles(t, dir); len(got) != 0 {
		t.Fatalf("after Abort: data files left: %v", got)
	}
	rows, err := Read(ctx, l, "products", Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Fatalf("after Abort: %d rows, want 0", len(rows))
	}
	if err := p.Commit(ctx); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
}

// When another writer commits the rejects of a file between Prepare and
// Commit, Commit drops its file and writes only the files still fresh:
// no row is written twice.
func TestPreparedCommitAfterARivalWritesNoDuplicate(t *testing.T) {
	ctx := context.Background()
	l, dir := testLake(t)
	mine := append(rowsOf("a.csv", "id-a", 2, 3), rowsOf("b.csv", "id-b", 4)...)
	p, err := Prepare(ctx, l, "products", []string{"id-a", "id-b"}, slices.Values(mine))
	if err != nil {
		t.Fatal(err)
	}
	if err := Append(ctx, l, "products", []string{"id-a"}, rowsOf("a.csv", "id-a", 2, 3)); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := Read(ctx, l, "products", Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.File+":"+strings.Repeat("I", int(r.Line)))
	}
	want := []string{"a.csv:II", "a.csv:III", "b.csv:IIII"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if n := len(parquetFiles(t, dir)); n != 2 {
		t.Fatalf("%d data files, want 2 (the rival's and the rewritten one; the dropped one deleted)", n)
	}
	done, err := Written(ctx, l, "products", []string{"id-a", "id-b"})
	if err != nil {
		t.Fatal(err)
	}
	if !done["id-a"] || !done["id-b"] {
		t.Fatalf("written marks %v, want both", done)
	}
}

// The rejects' Parquet files keep no min and max of their text columns,
// only of the others; the Delta statistics keep both.
func TestRejectsFilesSkipTextBounds(t *testing.T) {
	ctx := context.Background()
	l, dir := testLake(t)
	if err := Append(ctx, l, "products", []string{"id-a"}, rowsOf("a.csv", "id-a", 2, 3, 9)); err != nil {
		t.Fatal(err)
	}
	files := parquetFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("%d data files, want 1", len(files))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]bool{}
	for _, c := range textColumns() {
		text[c] = true
	}
	if len(text) != 8 || !text["raw"] || !text["file"] || text["line"] {
		t.Fatalf("text columns %v", textColumns())
	}
	for _, cc := range f.Metadata().RowGroups[0].Columns {
		name, st := cc.MetaData.PathInSchema[0], cc.MetaData.Statistics
		has := st.MinValue != nil || st.MaxValue != nil
		if name == "resolved_run_id" || name == "resolved_at" { // all null
			continue
		}
		if has == text[name] {
			t.Errorf("column %s: Parquet min/max present = %v", name, has)
		}
	}
	snap, err := l.Rejected("products").Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := delta.ParseStats(snap.Files()[0].Stats)
	if err != nil {
		t.Fatal(err)
	}
	if st.MinValues["file"] != "a.csv" || st.MaxValues["line"] == nil {
		t.Fatalf("Delta stats %+v", st)
	}
}
