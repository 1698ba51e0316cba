package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// CheckpointInterval is how many commits pass between checkpoints.
const CheckpointInterval = 10

// ParseCheckpoint decodes the actions of one checkpoint Parquet file.
func ParseCheckpoint(data []byte) ([]Action, error) {
	f, err := parquetrows.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	// Project onto the action columns the file has; a writer may leave some
	// out (sidecars hold only add and remove).
	want := checkpointColumns()
	have := map[string]bool{}
	for _, c := range f.Columns() {
		have[c.Name] = true
	}
	var proj []string
	pos := make([]int, len(want))
	for i, c := range want {
		pos[i] = -1
		if have[c] {
			pos[i] = len(proj)
			proj = append(proj, c)
		}
	}
	var out []Action
	full := make([]any, len(want))
	for row, err := range f.Rows(proj...) {
		if err != nil {
			return nil, err
		}
		for i, p := range pos {
			full[i] = nil
			if p >= 0 {
				full[i] = row[p]
			}
		}
		a, err := checkpointAction(full)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}

// checkpointAction converts one checkpoint row (the checkpointColumns;
// absent columns are nil) into an action, or nil for an empty row.
func checkpointAction(row []any) (*Action, error) {
	get := func(i int) parquetrows.Struct {
		if i < len(row) {
			if s, ok := row[i].(parquetrows.Struct); ok {
				return s
			}
		}
		return nil
	}
	if s := get(0); s != nil {
		return &Action{Txn: &Txn{AppID: str(s, "appId"), Version: i64(s, "version"), LastUpdated: i64p(s, "lastUpdated")}}, nil
	}
	if s := get(1); s != nil {
		a := &Add{Path: str(s, "path"), PartitionValues: strMapP(s, "partitionValues"), Size: i64(s, "size"),
			ModificationTime: i64(s, "modificationTime"), DataChange: boolean(s, "dataChange"), Stats: str(s, "stats"),
			Tags: strMap(s, "tags")}
		a.DeletionVector = checkpointDV(s)
		if a.Path == "" {
			return nil, fmt.Errorf("add action without a path")
		}
		return &Action{Add: a}, nil
	}
	if s := get(2); s != nil {
		r := &Remove{Path: str(s, "path"), DeletionTimestamp: i64p(s, "deletionTimestamp"), DataChange: boolean(s, "dataChange"),
			ExtendedFileMetadata: boolean(s, "extendedFileMetadata"), PartitionValues: strMapP(s, "partitionValues"), Size: i64p(s, "size"),
			DeletionVector: checkpointDV(s)}
		if r.Path == "" {
			return nil, fmt.Errorf("remove action without a path")
		}
		return &Action{Remove: r}, nil
	}
	if s := get(3); s != nil {
		m := &Metadata{ID: str(s, "id"), Name: str(s, "name"), Description: str(s, "description"),
			SchemaString: str(s, "schemaString"), PartitionColumns: strList(s, "partitionColumns"),
			Configuration: strMap(s, "configuration"), CreatedTime: i64p(s, "createdTime")}
		if fs, ok := field(s, "format").(parquetrows.Struct); ok && fs != nil {
			m.Format = Format{Provider: str(fs, "provider"), Options: strMap(fs, "options")}
		}
		return &Action{MetaData: m}, nil
	}
	if s := get(4); s != nil {
		return &Action{Protocol: &Protocol{MinReaderVersion: int(i64(s, "minReaderVersion")), MinWriterVersion: int(i64(s, "minWriterVersion")),
			ReaderFeatures: strList(s, "readerFeatures"), WriterFeatures: strList(s, "writerFeatures")}}, nil
	}
	return checkpointV2Action(get(5), get(6), get(7))
}

func field(s parquetrows.Struct, name string) any {
	for _, f := range s {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

func str(s parquetrows.Struct, name string) string {
	v, _ := field(s, name).(string)
	return v
}

func i64p(s parquetrows.Struct, name string) *int64 {
	var n int64
	switch v := field(s, name).(type) {
	case int64:
		n = v
	case int32:
		n = int64(v)
	default:
		return nil
	}
	return &n
}

func i64(s parquetrows.Struct, name string) int64 {
	if p := i64p(s, name); p != nil {
		return *p
	}
	return 0
}

func boolean(s parquetrows.Struct, name string) bool {
	v, _ := field(s, name).(bool)
	return v
}

func strList(s parquetrows.Struct, name string) []string {
	l, _ := field(s, name).(parquetrows.List)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if v, ok := e.(string); ok {
			out = append(out, v)
		}
	}
	return out
}

func strMapP(s parquetrows.Struct, name string) map[string]*string {
	m, _ := field(s, name).(parquetrows.Map)
	out := make(map[string]*string, len(m))
	for _, e := range m {
		k, _ := e.Key.(string)
		if v, ok := e.Value.(string); ok {
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}

func strMap(s parquetrows.Struct, name string) map[string]string {
	m, _ := field(s, name).(parquetrows.Map)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, e := range m {
		k, _ := e.Key.(string)
		v, _ := e.Value.(string)
		out[k] = v
	}
	return out
}

// Checkpoint rows as parquet-go writes them, in the schema Spark uses.
type ckptTxn struct {
	AppID       string `parquet:"appId,optional"`
	Version     int64  `parquet:"version,optional"`
	LastUpdated *int64 `parquet:"lastUpdated,optional"`
}

type ckptAdd struct {
	Path             string             `parquet:"path,optional"`
	PartitionValues  map[string]*string `parquet:"partitionValues,optional"`
	Size             int64              `parquet:"size,optional"`
	ModificationTime int64              `parquet:"modificationTime,optional"`
	DataChange       bool               `parquet:"dataChange,optional"`
	Tags             map[string]*string `parquet:"tags,optional"`
	Stats            *string            `parquet:"stats,optional"`
}

type ckptRemove struct {
	Path                 string             `parquet:"path,optional"`
	DeletionTimestamp    *int64             `parquet:"deletionTimestamp,optional"`
	DataChange           bool               `parquet:"dataChange,optional"`
	ExtendedFileMetadata bool               `parquet:"extendedFileMetadata,optional"`
	PartitionValues      map[string]*string `parquet:"partitionValues,optional"`
	Size                 *int64             `parquet:"size,optional"`
}

type ckptFormat struct {
	Provider string             `parquet:"provider,optional"`
	Options  map[string]*string `parquet:"options,optional"`
}

type ckptMetadata struct {
	ID               string             `parquet:"id,optional"`
	Name             *string            `parquet:"name,optional"`
	Description      *string            `parquet:"description,optional"`
	Format           *ckptFormat        `parquet:"format,optional"`
	SchemaString     string             `parquet:"schemaString,optional"`
	PartitionColumns []string           `parquet:"partitionColumns,optional,list"`
	Configuration    map[string]*string `parquet:"configuration,optional"`
	CreatedTime      *int64             `parquet:"createdTime,optional"`
}

type ckptProtocol struct {
	MinReaderVersion int32    `parquet:"minReaderVersion,optional"`
	MinWriterVersion int32    `parquet:"minWriterVersion,optional"`
	ReaderFeatures   []string `parquet:"readerFeatures,optional,list"`
	WriterFeatures   []string `parquet:"writerFeatures,optional,list"`
}

type ckptRow struct {
	Txn      *ckptTxn      `parquet:"txn,optional"`
	Add      *ckptAdd      `parquet:"add,optional"`
	Remove   *ckptRemove   `parquet:"remove,optional"`
	MetaData *ckptMetadata `parquet:"metaData,optional"`
	Protocol *ckptProtocol `parquet:"protocol,optional"`
}

// TombstoneRetention is how long removes are kept in checkpoints by default
// (Delta's delta.deletedFileRetentionDuration default).
const TombstoneRetention = 7 * 24 * time.Hour

// EncodeCheckpoint renders a state as a single-file Parquet checkpoint.
// Tombstones older than the retention (relative to now) are dropped.
func EncodeCheckpoint(s *State, now time.Time) ([]byte, int64, error) {
	rows := []ckptRow{{Protocol: &ckptProtocol{
		MinReaderVersion: int32(s.Protocol.MinReaderVersion), MinWriterVersion: int32(s.Protocol.MinWriterVersion),
		ReaderFeatures: s.Protocol.ReaderFeatures, WriterFeatures: s.Protocol.WriterFeatures,
	}}}
	m := s.Metadata
	md := &ckptMetadata{ID: m.ID, Format: &ckptFormat{Provider: m.Format.Provider, Options: ptrMap(m.Format.Options)},
		SchemaString: m.SchemaString, PartitionColumns: m.PartitionColumns, Configuration: ptrMap(m.Configuration), CreatedTime: m.CreatedTime}
	if m.Name != "" {
		md.Name = &m.Name
	}
	if m.Description != "" {
		md.Description = &m.Description
	}
	rows = append(rows, ckptRow{MetaData: md})
	for _, t := range s.Txns() {
		rows = append(rows, ckptRow{Txn: &ckptTxn{AppID: t.AppID, Version: t.Version, LastUpdated: t.LastUpdated}})
	}
	for _, a := range s.Files() {
		ca := &ckptAdd{Path: a.Path, PartitionValues: a.PartitionValues, Size: a.Size, ModificationTime: a.ModificationTime,
			DataChange: false, Tags: ptrMap(a.Tags)}
		if a.Stats != "" {
			st := a.Stats
			ca.Stats = &st
		}
		if ca.PartitionValues == nil {
			ca.PartitionValues = map[string]*string{}
		}
		rows = append(rows, ckptRow{Add: ca})
	}
	cutoff := now.Add(-TombstoneRetention).UnixMilli()
	for _, r := range s.Tombstones() {
		if r.DeletionTimestamp != nil && *r.DeletionTimestamp < cutoff {
			continue
		}
		rows = append(rows, ckptRow{Remove: &ckptRemove{Path: r.Path, DeletionTimestamp: r.DeletionTimestamp,
			DataChange: false, ExtendedFileMetadata: r.ExtendedFileMetadata, PartitionValues: r.PartitionValues, Size: r.Size}})
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[ckptRow](&buf, parquet.Compression(&parquet.Snappy))
	if _, err := w.Write(rows); err != nil {
		return nil, 0, fmt.Errorf("encode checkpoint: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, 0, fmt.Errorf("encode checkpoint: %w", err)
	}
	return buf.Bytes(), int64(len(rows)), nil
}

func ptrMap(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

// WriteCheckpoint writes a checkpoint of the snapshot and points
// _last_checkpoint at it. Both writes replace content atomically, and the
// checkpoint's content is fully determined by the version, so racing writers
// are harmless.
func (t *Table) WriteCheckpoint(ctx context.Context, snap *Snapshot) error {
	data, size, err := EncodeCheckpoint(snap.state, time.Now())
	if err != nil {
		return err
	}
	v := snap.Version()
	if err := t.store.Put(ctx, t.logKey(CheckpointName(v)), bytes.NewReader(data)); err != nil {
		return fmt.Errorf("write checkpoint %d: %w", v, err)
	}
	hint, err := json.Marshal(lastCheckpoint{Version: v, Size: size})
	if err != nil {
		return err
	}
	if cur := t.readLastCheckpoint(ctx); cur > v {
		return nil // a newer checkpoint already exists; keep the hint pointing at it
	}
	if err := t.store.Put(ctx, t.logKey("_last_checkpoint"), bytes.NewReader(hint)); err != nil {
		return fmt.Errorf("write _last_checkpoint for %d: %w", v, err)
	}
	return nil
}
