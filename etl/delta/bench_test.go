package delta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
)

// buildLongLog writes a table of n commits straight into dir's log: commit 0
// creates it, each later commit appends one file, and every 10th also
// removes the five oldest live files (as a MERGE rewrite would); a
// checkpoint is written every 10 commits with _last_checkpoint. It returns
// the number of live files at the end.
func buildLongLog(tb testing.TB, dir string, n int) int {
	tb.Helper()
	logDir := filepath.Join(dir, delta.LogDir)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		tb.Fatal(err)
	}
	schema, err := delta.SchemaString(itemsSchema())
	if err != nil {
		tb.Fatal(err)
	}
	st := delta.NewState()
	var live []string
	now := time.Now().UnixMilli()
	for v := 0; v < n; v++ {
		var actions []delta.Action
		ci := delta.CommitInfo{"timestamp": now, "operation": "WRITE"}
		actions = append(actions, delta.Action{CommitInfo: &ci})
		if v == 0 {
			actions = append(actions,
				delta.Action{Protocol: &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}},
				delta.Action{MetaData: &delta.Metadata{ID: "bench", Format: delta.Format{Provider: "parquet"}, SchemaString: schema,
					PartitionColumns: []string{"date"}, Configuration: map[string]string{}}})
		}
		if v > 0 && v%10 == 0 && len(live) > 5 {
			for _, p := range live[:5] {
				ts := now
				actions = append(actions, delta.Action{Remove: &delta.Remove{Path: p, DeletionTimestamp: &ts, DataChange: true}})
			}
			live = live[5:]
		}
		day := fmt.Sprintf("2024-%02d-%02d", 1+v%12, 1+v%28)
		p := fmt.Sprintf("date=%s/part-%05d-0b0e6d1c-2f43-4d0e-9f6e-%012d.c000.snappy.parquet", day, v, v)
		stats := fmt.Sprintf(`{"numRecords":100,"minValues":{"id":%d},"maxValues":{"id":%d},"nullCount":{"id":0}}`, v*100, v*100+99)
		actions = append(actions, delta.Action{Add: &delta.Add{Path: p, PartitionValues: map[string]*string{"date": &day},
			Size: 4096, ModificationTime: now, DataChange: true, Stats: stats}})
		live = append(live, p)
		data, err := delta.EncodeCommit(actions)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(logDir, delta.CommitName(int64(v))), data, 0o644); err != nil {
			tb.Fatal(err)
		}
		if err := st.ApplyCommit(int64(v), actions); err != nil {
			tb.Fatal(err)
		}
		if v > 0 && v%delta.CheckpointInterval == 0 {
			ck, size, err := delta.EncodeCheckpoint(st, time.Now())
			if err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(logDir, delta.CheckpointName(int64(v))), ck, 0o644); err != nil {
				tb.Fatal(err)
			}
			hint, _ := json.Marshal(map[string]int64{"version": int64(v), "size": size})
			if err := os.WriteFile(filepath.Join(logDir, "_last_checkpoint"), hint, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return len(live)
}

func TestLongLogSnapshot(t *testing.T) {
	dir := t.TempDir()
	live := buildLongLog(t, dir, 257)
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := delta.NewTable(st, "").Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version() != 256 || len(snap.Files()) != live {
		t.Fatalf("version %d with %d files; want 256 with %d", snap.Version(), len(snap.Files()), live)
	}
	// The same answer without the checkpoint hint, and at an older version.
	if err := os.Remove(filepath.Join(dir, delta.LogDir, "_last_checkpoint")); err != nil {
		t.Fatal(err)
	}
	old, err := delta.NewTable(st, "").SnapshotAt(context.Background(), 15)
	if err != nil {
		t.Fatal(err)
	}
	if old.Version() != 15 || len(old.Files()) != 11 {
		t.Fatalf("version 15: got version %d with %d files, want 11 files", old.Version(), len(old.Files()))
	}
}

// BenchmarkSnapshot10kCommits loads the latest snapshot of a table with
// 10,000 commits and a checkpoint every 10 (goal: under 300 ms).
func BenchmarkSnapshot10kCommits(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "lakeops-bench-10k-commits-v1")
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		os.RemoveAll(dir)
		buildLongLog(b, dir, 10000)
		if err := os.WriteFile(filepath.Join(dir, "done"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	st, err := folder.New(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var files int
	b.ResetTimer()
	for b.Loop() {
		snap, err := delta.NewTable(st, "").Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		files = len(snap.Files())
	}
	b.ReportMetric(float64(files), "files")
}
