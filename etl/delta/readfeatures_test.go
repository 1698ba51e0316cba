package delta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// idModeRow is a data file of an id-mode table whose column names have
// nothing to do with the physical names: only the field ids tie them to
// the schema. col-gone has the physical name of a schema column but no id,
// so it must not be read.
type idModeRow struct {
	X1      *int64     `parquet:"x1,optional,id(1)"`
	X2      *idModeSub `parquet:"x2,optional,id(2)"`
	ColGone *string    `parquet:"col-gone,optional"`
}

type idModeSub struct {
	Y *string `parquet:"y,optional,id(3)"`
}

const idModeSchema = `{"type":"struct","fields":[` +
	`{"name":"a","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-a"}},` +
	`{"name":"s","type":{"type":"struct","fields":[{"name":"inner","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":3,"delta.columnMapping.physicalName":"col-inner"}}]},"nullable":true,"metadata":{"delta.columnMapping.id":2,"delta.columnMapping.physicalName":"col-s"}},` +
	`{"name":"gone","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":9,"delta.columnMapping.physicalName":"col-gone"}},` +
	`{"name":"p","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":4,"delta.columnMapping.physicalName":"col-p"}}]}`

func writeLog(t *testing.T, root string, version int64, actions ...Action) {
	t.Helper()
	b, err := EncodeCommit(actions)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, LogDir, CommitName(version))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestColumnMappingByFieldID(t *testing.T) {
	ctx := context.Background()
	tbl, root := tempTable(t)
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[idModeRow](&buf)
	if _, err := w.Write([]idModeRow{
		{X1: n(1), X2: &idModeSub{Y: s("one")}, ColGone: s("not me")},
		{X1: n(2), X2: nil, ColGone: s("not me either")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "f.parquet"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	writeLog(t, root, 0,
		Action{Protocol: &Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{FeatureColumnMapping}, WriterFeatures: []string{FeatureColumnMapping}}},
		Action{MetaData: &Metadata{ID: "t", Format: Format{Provider: "parquet"}, SchemaString: idModeSchema, PartitionColumns: []string{"p"},
			Configuration: map[string]string{ColumnMappingModeKey: ColumnMappingID}}},
		Action{Add: &Add{Path: "f.parquet", PartitionValues: map[string]*string{"col-p": s("v")}, Size: int64(buf.Len()), DataChange: true}},
	)
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.ColumnMapping() != ColumnMappingID {
		t.Fatalf("mode %q", snap.ColumnMapping())
	}
	var got []string
	for row, err := range snap.Rows(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(row))
	}
	want := []string{"[1 [{inner one}] <nil> v]", "[2 <nil> <nil> v]"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	// Int64Column finds the column by id too.
	var keys []int64
	if err := snap.Int64Column(ctx, "a", func(v []int64) error { keys = append(keys, v...); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []int64{1, 2}) {
		t.Fatalf("keys %v", keys)
	}
	f := snap.Features()
	if f.ColumnMapping != ColumnMappingID || !slices.Equal(f.ReaderFeatures, []string{FeatureColumnMapping}) || f.DeletionVectors != 0 {
		t.Fatalf("features %+v", f)
	}
}

func TestColumnMappingNeedsPhysicalNames(t *testing.T) {
	tbl, root := tempTable(t)
	writeLog(t, root, 0,
		Action{Protocol: &Protocol{MinReaderVersion: 2, MinWriterVersion: 5}},
		Action{MetaData: &Metadata{ID: "t", Format: Format{Provider: "parquet"},
			SchemaString:  `{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}}]}`,
			Configuration: map[string]string{ColumnMappingModeKey: ColumnMappingName}}},
	)
	_, err := tbl.Snapshot(context.Background())
	if err == nil || !strings.Contains(err.Error(), "column a has no delta.columnMapping.physicalName") {
		t.Fatalf("want an error naming the column, got %v", err)
	}
}

func TestMapFieldsNested(t *testing.T) {
	schema, err := ParseSchema(`{"type":"struct","fields":[{"name":"m","type":{"type":"map","keyType":"string","valueType":{"type":"array","elementType":{"type":"struct","fields":[{"name":"v","type":"long","nullable":true,"metadata":{"delta.columnMapping.physicalName":"pv"}}]},"containsNull":true},"valueContainsNull":true},"nullable":true,"metadata":{"delta.columnMapping.physicalName":"pm"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	m := MapFields(schema.Fields, ColumnMappingName, nil)
	if m[0].Source != "pm" || !m[0].Renames || m[0].Value.Elem.Fields[0].Source != "pv" {
		t.Fatalf("mapping %+v", m[0])
	}
	raw := parquetrows.Map{{Key: "k", Value: parquetrows.List{parquetrows.Struct{{Name: "pv", Value: int64(7)}}, nil}}}
	got := fmt.Sprint(m[0].Logical(raw))
	if got != "[{k [[{v 7}] <nil>]}]" {
		t.Fatalf("logical value %s", got)
	}
	plain := MapFields(schema.Fields, "", nil)
	if plain[0].Source != "m" || plain[0].Renames {
		t.Fatalf("no mapping: %+v", plain[0])
	}
}

func dvOf(id string) *DeletionVector {
	off := int32(1)
	return &DeletionVector{StorageType: DVRelativeUUID, PathOrInlineDv: id, Offset: &off, SizeInBytes: 34, Cardinality: 1}
}

func TestReplayKeysFilesByPathAndDeletionVector(t *testing.T) {
	st := NewState()
	add := func(dv *DeletionVector) Action { return Action{Add: &Add{Path: "a%20b.parquet", DeletionVector: dv}} }
	remove := func(dv *DeletionVector) Action {
		return Action{Remove: &Remove{Path: "a b.parquet", DeletionVector: dv}}
	}
	dv1, dv2 := dvOf("11111111111111111111"), dvOf("22222222222222222222")
	for v, actions := range [][]Action{
		{{Protocol: &Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{FeatureDeletionVectors}}}, {MetaData: &Metadata{ID: "t"}}, add(nil)},
		{add(dv1), remove(nil)},
		{remove(dv1), add(dv2)}, // a remove listed before the add it goes with
	} {
		if err := st.ApplyCommit(int64(v), actions); err != nil {
			t.Fatal(err)
		}
	}
	files := st.Files()
	if len(files) != 1 || files[0].DeletionVector.UniqueID() != dv2.UniqueID() {
		t.Fatalf("live files %+v", files)
	}
	if !st.HasFile("a b.parquet") {
		t.Fatal("HasFile misses a file with a deletion vector")
	}
	tomb := st.Tombstones()
	if len(tomb) != 2 || tomb[0].DeletionVector != nil || tomb[1].DeletionVector.UniqueID() != dv1.UniqueID() {
		t.Fatalf("tombstones %+v", tomb)
	}
	// Removing the data file without its vector does not remove the logical file.
	if err := st.ApplyCommit(3, []Action{remove(nil)}); err != nil {
		t.Fatal(err)
	}
	if st.NumFiles() != 1 {
		t.Fatalf("a remove without the vector removed the file with it")
	}
	if err := st.ApplyCommit(4, []Action{remove(dv2)}); err != nil {
		t.Fatal(err)
	}
	if st.NumFiles() != 0 {
		t.Fatalf("%d files left", st.NumFiles())
	}
}

func TestReplayDomainMetadata(t *testing.T) {
	st := NewState()
	for v, actions := range [][]Action{
		{{DomainMetadata: &DomainMetadata{Domain: "b", Configuration: "1"}}, {DomainMetadata: &DomainMetadata{Domain: "a", Configuration: "x"}}},
		{{DomainMetadata: &DomainMetadata{Domain: "b", Configuration: "2"}}, {DomainMetadata: &DomainMetadata{Domain: "a", Removed: true}}},
		{{CheckpointMetadata: &CheckpointMetadata{Version: 9}}, {Sidecar: &Sidecar{Path: "x.parquet"}}},
	} {
		if err := st.ApplyCommit(int64(v), actions); err != nil {
			t.Fatal(err)
		}
	}
	d := st.Domains()
	if len(d) != 1 || d[0].Domain != "b" || d[0].Configuration != "2" || st.NumFiles() != 0 {
		t.Fatalf("domains %+v", d)
	}
}

func TestUUIDNamedCheckpoints(t *testing.T) {
	const u = "6374b053-df23-479b-b2cf-c9c550132b49"
	for name, want := range map[string]bool{
		"00000000000000000002.checkpoint." + u + ".json":    true,
		"00000000000000000002.checkpoint." + u + ".parquet": true,
		"00000000000000000002.checkpoint.6374b053.json":     false,
		"00000000000000000002.checkpoint." + u + ".crc":     false,
	} {
		f, ok := ParseLogFile(name)
		if ok != want || (ok && (f.Kind != KindCheckpoint || f.UUID != u || f.Version != 2)) {
			t.Errorf("%s: %+v %v", name, f, ok)
		}
	}
	var files []LogFile
	for _, n := range []string{CommitName(0), CommitName(1), CommitName(2), CommitName(3), "00000000000000000002.checkpoint." + u + ".json"} {
		f, _ := ParseLogFile(n)
		files = append(files, f)
	}
	seg, err := BuildSegment(files, -1)
	if err != nil || seg.CheckpointV != 2 || len(seg.Checkpoint) != 1 || !seg.Checkpoint[0].JSON() || len(seg.Commits) != 1 {
		t.Fatalf("segment %+v, %v", seg, err)
	}
}

func TestV2CheckpointReadsSidecars(t *testing.T) {
	// Only the checkpoint and its sidecars describe the files: a table
	// rebuilt from them has the files of the commits it replaces.
	ctx := context.Background()
	for _, name := range []string{"v2-checkpoint-json", "v2-checkpoint-parquet"} {
		dir := filepath.Join("../../testdata/delta-conformance/golden", name, "delta")
		tbl := openDir(t, dir)
		seg, err := tbl.segment(ctx, -1)
		if err != nil || seg.CheckpointV != 2 || seg.Checkpoint[0].UUID == "" {
			t.Fatalf("%s: segment %+v, %v", name, seg, err)
		}
		actions, err := tbl.readCheckpoint(ctx, seg.Checkpoint)
		if err != nil {
			t.Fatal(err)
		}
		var adds, meta int
		for _, a := range actions {
			switch {
			case a.Sidecar != nil:
				t.Fatalf("%s: a sidecar action was left in place of its file", name)
			case a.Add != nil:
				adds++
			case a.CheckpointMetadata != nil:
				meta++
			}
		}
		if adds != 4 || meta != 1 {
			t.Fatalf("%s: %d adds and %d checkpointMetadata from the checkpoint and its sidecars, want 4 and 1", name, adds, meta)
		}
	}
}

func TestCheckReadable(t *testing.T) {
	p := &Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{FeatureDeletionVectors, "variantType", FeatureColumnMapping, "catalogManaged"}}
	err := CheckReadable(p, nil)
	var ue *UnsupportedFeatureError
	if !errors.As(err, &ue) || ue.Feature != "catalogManaged, variantType" || !ue.Reading {
		t.Fatalf("want a refusal naming only the unknown features, got %v", err)
	}
	p.ReaderFeatures = []string{FeatureColumnMapping, FeatureDeletionVectors, FeatureTimestampNtz, FeatureV2Checkpoint, FeatureVacuumProtocolCheck}
	if err := CheckReadable(p, &Metadata{Configuration: map[string]string{ColumnMappingModeKey: "name"}}); err != nil {
		t.Fatal(err)
	}
	if err := CheckReadable(p, &Metadata{Configuration: map[string]string{ColumnMappingModeKey: "hash"}}); err == nil || !strings.Contains(err.Error(), "mode hash") {
		t.Fatalf("unknown column mapping mode: %v", err)
	}
	// A reader-1 table ignores the property.
	if err := CheckReadable(&Protocol{MinReaderVersion: 1, MinWriterVersion: 2}, &Metadata{Configuration: map[string]string{ColumnMappingModeKey: "hash"}}); err != nil {
		t.Fatal(err)
	}
	if err := CheckReadable(&Protocol{MinReaderVersion: 4}, nil); err == nil || !strings.Contains(err.Error(), "reader version 4") {
		t.Fatalf("reader 4: %v", err)
	}
	// Writing stays reader 1 / writer 2.
	if err := CheckWritable(&Protocol{MinReaderVersion: 3, MinWriterVersion: 2}, nil); err == nil || !strings.Contains(err.Error(), "reader version 3") {
		t.Fatalf("writing a reader-3 table: %v", err)
	}
}
