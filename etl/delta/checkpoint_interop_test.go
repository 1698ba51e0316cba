package delta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/internal/interop"
)

// TestCheckpointsHaveEveryRequiredValue grows tables past two checkpoints
// (versions 10 and 20) with appends, rewrites (removes with dataChange
// true) and txns (one at version 0), then reads every checkpoint with
// DuckDB: no field the protocol requires is NULL, and each action kind is
// there. It also checks _last_checkpoint and that our reader sees the
// state the commits built.
func TestCheckpointsHaveEveryRequiredValue(t *testing.T) {
	for _, partitioned := range []bool{false, true} {
		t.Run(fmt.Sprintf("partitioned=%v", partitioned), func(t *testing.T) {
			ctx := context.Background()
			tbl, dir := newFolderTable(t)
			writeVersions(t, tbl, partitioned, 23)
			latest, err := tbl.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []int64{10, 20} {
				path := filepath.Join(dir, delta.LogDir, delta.CheckpointName(v))
				broken, counts, err := interop.CheckpointNulls(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				if len(broken) > 0 {
					t.Errorf("checkpoint %d breaks the protocol: %s", v, strings.Join(broken, "; "))
				}
				snap, err := tbl.SnapshotAt(ctx, v)
				if err != nil {
					t.Fatal(err)
				}
				want := interop.ActionCounts{Txn: 2, Add: len(snap.Files()), Remove: len(snap.State().Tombstones()), MetaData: 1, Protocol: 1}
				if counts != want || counts.Remove == 0 {
					t.Errorf("checkpoint %d holds %+v actions, want %+v (with removes)", v, counts, want)
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := interop.CheckPages(data); err != nil {
					t.Errorf("checkpoint %d: %v", v, err)
				}
			}
			var hint map[string]int64
			b, err := storage.ReadAll(ctx, tbl.Store(), "tbl/_delta_log/_last_checkpoint")
			if err != nil || json.Unmarshal(b, &hint) != nil {
				t.Fatalf("_last_checkpoint %s: %v", b, err)
			}
			st, _ := os.Stat(filepath.Join(dir, delta.LogDir, delta.CheckpointName(20)))
			snap20, _ := tbl.SnapshotAt(ctx, 20)
			wantHint := map[string]int64{"version": 20, "size": int64(2 + 2 + len(snap20.Files()) + len(snap20.State().Tombstones())),
				"sizeInBytes": st.Size(), "numOfAddFiles": int64(len(snap20.Files()))}
			if fmt.Sprint(hint) != fmt.Sprint(wantHint) {
				t.Errorf("_last_checkpoint = %v, want %v", hint, wantHint)
			}
			if latest.Version() != 23 {
				t.Errorf("latest version %d, want 23", latest.Version())
			}
		})
	}
}

// sparkCheckpoint is the newest Spark-written checkpoint of the corpus
// (Delta 3 on parquet-mr 1.13.1); older ones are compared without
// repetition, which Spark has changed (required columns in Delta 0.x).
const sparkCheckpoint = "../../testdata/delta-conformance/golden/checkpoint/delta/_delta_log/00000000000000000010.checkpoint.parquet"

var olderSparkCheckpoints = []string{
	"../../testdata/delta-conformance/golden/basic-with-inserts-deletes-checkpoint/delta/_delta_log/00000000000000000010.checkpoint.parquet",
	"../../testdata/delta-conformance/golden/update-deleted-directory/delta/_delta_log/00000000000000000000.checkpoint.parquet",
}

// sparkOnly are the Spark checkpoint columns lakeops leaves out: the
// features it does not write (deletion vectors, row tracking, domain
// metadata) and Delta 0.x's commitInfo.
var sparkOnly = []string{"add.deletionVector", "add.baseRowId", "add.defaultRowCommitVersion",
	"remove.deletionVector", "remove.baseRowId", "remove.defaultRowCommitVersion", "domainMetadata", "commitInfo"}

// TestCheckpointSchemaMatchesSpark compares the schema of our checkpoint
// with Spark-written ones, read with arrow-go: every column we write is in
// Spark's, with the same physical type, logical and converted type and (for
// the newest) repetition, in Spark's order; Spark's columns we lack are
// only those of features we do not write.
func TestCheckpointSchemaMatchesSpark(t *testing.T) {
	ctx := context.Background()
	tbl, dir := newFolderTable(t)
	writeVersions(t, tbl, true, 10)
	ours := checkpointColumns(t, filepath.Join(dir, delta.LogDir, delta.CheckpointName(10)))
	for _, ref := range append([]string{sparkCheckpoint}, olderSparkCheckpoints...) {
		spark := checkpointColumns(t, ref)
		newest := ref == sparkCheckpoint
		pos := map[string]int{}
		for i, c := range spark {
			pos[c.path] = i
		}
		last := -1
		for _, c := range ours {
			i, ok := pos[c.path]
			if !ok {
				if newest || !oldSparkLacks(c.path) {
					t.Errorf("%s: our column %s is not in Spark's checkpoint", filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(ref)))), c.path)
				}
				continue
			}
			s := spark[i]
			if c.typ != s.typ || (newest && c.rep != s.rep) {
				t.Errorf("%s: column %s is %s %s, Spark's %s %s", filepath.Base(ref), c.path, c.rep, c.typ, s.rep, s.typ)
			}
			if i < last && newest {
				t.Errorf("column %s comes before a column Spark puts before it", c.path)
			}
			last = i
		}
		if newest {
			have := map[string]bool{}
			for _, c := range ours {
				have[c.path] = true
			}
			for _, s := range spark {
				if !have[s.path] && !omitted(s.path) {
					t.Errorf("Spark's column %s is missing from ours", s.path)
				}
			}
		}
	}
	if _, err := tbl.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
}

// oldSparkLacks are columns older Spark versions did not have yet.
func oldSparkLacks(path string) bool {
	for _, p := range []string{"remove.extendedFileMetadata", "remove.partitionValues", "remove.size", "protocol.readerFeatures", "protocol.writerFeatures"} {
		if path == p || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

func omitted(path string) bool {
	for _, p := range sparkOnly {
		if path == p || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

type column struct{ path, rep, typ string }

// checkpointColumns lists every node of a Parquet file's schema, groups
// included, depth first: its dotted path, repetition and type (physical
// type, logical and converted type).
func checkpointColumns(t *testing.T, path string) []column {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []column
	var walk func(prefix string, n schema.Node)
	walk = func(prefix string, n schema.Node) {
		p := n.Name()
		if prefix != "" {
			p = prefix + "." + p
		}
		c := column{path: p, rep: n.RepetitionType().String()}
		switch n := n.(type) {
		case *schema.GroupNode:
			c.typ = fmt.Sprintf("group %s/%s", n.LogicalType(), n.ConvertedType())
			out = append(out, c)
			for i := 0; i < n.NumFields(); i++ {
				walk(p, n.Field(i))
			}
		case *schema.PrimitiveNode:
			c.typ = fmt.Sprintf("%s %s/%s", n.PhysicalType(), n.LogicalType(), n.ConvertedType())
			out = append(out, c)
		}
	}
	root := r.MetaData().Schema.Root()
	for i := 0; i < root.NumFields(); i++ {
		walk("", root.Field(i))
	}
	return out
}

// TestRemoveCarriesExtendedFileMetadata: a remove that says
// extendedFileMetadata has partitionValues (an empty map on an
// unpartitioned table) and size in the commit JSON, as the protocol asks.
func TestRemoveCarriesExtendedFileMetadata(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	writeVersions(t, tbl, false, 3) // version 3 rewrites a file
	b, err := storage.ReadAll(ctx, tbl.Store(), "tbl/_delta_log/"+delta.CommitName(3))
	if err != nil {
		t.Fatal(err)
	}
	var removes int
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a map[string]map[string]any
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		rm, ok := a["remove"]
		if !ok {
			continue
		}
		removes++
		pv, hasPV := rm["partitionValues"].(map[string]any)
		if rm["extendedFileMetadata"] != true || !hasPV || len(pv) != 0 || rm["size"] == nil || rm["dataChange"] != true {
			t.Errorf("remove %s: want extendedFileMetadata with partitionValues {} and size", line)
		}
	}
	if removes != 1 {
		t.Fatalf("commit 3 has %d removes, want 1:\n%s", removes, b)
	}
}
