package delta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// randomState builds a state with every shape of action a checkpoint
// holds: partition values with nulls and empty maps, tags, stats or none,
// removes with and without extended metadata or a deletion time, txns with
// and without lastUpdated, metadata with and without name and options, and
// protocols with and without feature lists.
func randomState(r *rand.Rand) *delta.State {
	s := delta.NewState()
	str := func(prefix string) string { return fmt.Sprintf("%s-%d \"é\"\n", prefix, r.IntN(1000)) }
	opt := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		v := str("v")
		return &v
	}
	pv := func() map[string]*string {
		m := map[string]*string{}
		for i := range r.IntN(3) {
			m[fmt.Sprintf("p%d", i)] = opt()
		}
		return m
	}
	proto := &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}
	if r.IntN(2) == 0 {
		proto = &delta.Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{}, WriterFeatures: []string{"appendOnly", "invariants"}[:r.IntN(3)]}
	}
	md := &delta.Metadata{ID: str("id"), Format: delta.Format{Provider: "parquet", Options: map[string]string{}}, SchemaString: `{"type":"struct","fields":[]}`,
		PartitionColumns: []string{"p0", "p1"}[:r.IntN(3)], Configuration: map[string]string{}}
	if r.IntN(2) == 0 {
		md.Name, md.Description = str("name"), str("desc")
		md.Format.Options["k"] = str("o")
		md.Configuration["delta.appendOnly"] = "false"
		ct := r.Int64()
		md.CreatedTime = &ct
	}
	var actions []delta.Action
	actions = append(actions, delta.Action{Protocol: proto}, delta.Action{MetaData: md})
	for i := range r.IntN(4) {
		t := delta.Txn{AppID: fmt.Sprintf("app%d", i), Version: r.Int64N(3)}
		if r.IntN(2) == 0 {
			lu := r.Int64()
			t.LastUpdated = &lu
		}
		actions = append(actions, delta.Action{Txn: &t})
	}
	for i := range r.IntN(6) {
		a := &delta.Add{Path: fmt.Sprintf("p%%20%d.parquet", i), PartitionValues: pv(), Size: r.Int64N(3), ModificationTime: r.Int64N(3), DataChange: true}
		if r.IntN(2) == 0 {
			a.Stats = `{"numRecords":` + fmt.Sprint(r.IntN(9)) + `}`
		}
		if r.IntN(3) == 0 {
			a.Tags = map[string]string{"t": str("tag")}
		}
		actions = append(actions, delta.Action{Add: a})
	}
	for i := range r.IntN(6) {
		rm := &delta.Remove{Path: fmt.Sprintf("gone-%d.parquet", i), DataChange: r.IntN(2) == 0}
		if r.IntN(3) > 0 {
			ts := time.Now().UnixMilli() - r.Int64N(1000)
			rm.DeletionTimestamp = &ts
		}
		if r.IntN(2) == 0 {
			size := r.Int64N(3)
			rm.ExtendedFileMetadata, rm.PartitionValues, rm.Size = true, pv(), &size
		}
		actions = append(actions, delta.Action{Remove: rm})
	}
	if err := s.ApplyCommit(0, actions); err != nil {
		panic(err)
	}
	return s
}

// TestCheckpointRoundTripsRandomStates encodes random states and reads the
// checkpoints back with our reader (every value as written, absent ones
// absent) and with DuckDB (no NULL where the protocol requires a value).
func TestCheckpointRoundTripsRandomStates(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 8))
	dir := t.TempDir()
	for i := range 40 {
		s := randomState(r)
		data, n, err := delta.EncodeCheckpoint(s, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		actions, err := delta.ParseCheckpoint(data)
		if err != nil {
			t.Fatalf("state %d: %v", i, err)
		}
		if int64(len(actions)) != n {
			t.Fatalf("state %d: read %d actions, wrote %d", i, len(actions), n)
		}
		back := delta.NewState()
		if err := back.ApplyCheckpoint(0, actions); err != nil {
			t.Fatal(err)
		}
		if got, want := stateText(back), stateText(s); got != want {
			t.Fatalf("state %d read back differs:\n got %s\nwant %s", i, got, want)
		}
		path := filepath.Join(dir, fmt.Sprintf("%d.checkpoint.parquet", i))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		broken, _, err := interop.CheckpointNulls(ctx, path)
		if err != nil || len(broken) > 0 {
			t.Fatalf("state %d: %v %v", i, err, broken)
		}
	}
}

// stateText renders a state's actions as a checkpoint keeps them (adds and
// removes with dataChange false).
func stateText(s *delta.State) string {
	var b strings.Builder
	pv := func(m map[string]*string) string {
		keys := slices.Sorted(maps.Keys(m))
		var parts []string
		for _, k := range keys {
			v := "<nil>"
			if m[k] != nil {
				v = *m[k]
			}
			parts = append(parts, k+"="+v)
		}
		return fmt.Sprintf("%v:%d", parts, len(m))
	}
	i64 := func(p *int64) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprint(*p)
	}
	p := s.Protocol
	fmt.Fprintf(&b, "protocol %d %d %q %q\n", p.MinReaderVersion, p.MinWriterVersion, p.ReaderFeatures, p.WriterFeatures)
	m := s.Metadata
	fmt.Fprintf(&b, "meta %q %q %q %q %v %q %q %v %s\n", m.ID, m.Name, m.Description, m.Format.Provider, m.Format.Options, m.SchemaString,
		m.PartitionColumns, m.Configuration, i64(m.CreatedTime))
	for _, t := range s.Txns() {
		fmt.Fprintf(&b, "txn %q %d %s\n", t.AppID, t.Version, i64(t.LastUpdated))
	}
	for _, a := range s.Files() {
		fmt.Fprintf(&b, "add %q %s %d %d %q %v\n", a.Path, pv(a.PartitionValues), a.Size, a.ModificationTime, a.Stats, a.Tags)
	}
	for _, r := range s.Tombstones() {
		fmt.Fprintf(&b, "remove %q %s %v %s %s\n", r.Path, i64(r.DeletionTimestamp), r.ExtendedFileMetadata, pv(r.PartitionValues), i64(r.Size))
	}
	return b.String()
}
