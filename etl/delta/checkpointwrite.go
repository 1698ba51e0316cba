package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parquet-go/parquet-go"
)

// CheckpointInterval is how many commits pass between checkpoints.
const CheckpointInterval = 10

// EncodeCheckpoint renders a state as a single-file Parquet checkpoint
// (Parquet 1.0 data pages, PLAIN, Snappy; the schema of checkpointSchema)
// and returns it with its number of actions: protocol, metaData, txns by
// appId, adds and unexpired removes by path. Removes whose deletion is
// older than the table's delta.deletedFileRetentionDuration (relative to
// now) are dropped, as Delta drops expired tombstones; an unreadable
// property keeps them for the default retention.
func EncodeCheckpoint(s *State, now time.Time) ([]byte, int64, error) {
	if s.Protocol == nil || s.Metadata == nil {
		return nil, 0, fmt.Errorf("encode checkpoint of version %d: no protocol or metaData action", s.Version)
	}
	rows := []parquet.Row{protocolRow(s.Protocol), metaDataRow(s.Metadata)}
	for _, t := range s.Txns() {
		rows = append(rows, txnRow(t))
	}
	for _, a := range s.Files() {
		rows = append(rows, addRow(a))
	}
	retention, err := DeletedFileRetention(s.Metadata.Configuration)
	if err != nil {
		retention = DefaultDeletedFileRetention
	}
	cutoff := now.Add(-retention).UnixMilli()
	for _, r := range s.Tombstones() {
		if r.DeletionTimestamp == nil || *r.DeletionTimestamp >= cutoff {
			rows = append(rows, removeRow(r))
		}
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, checkpointSchema(), parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(1))
	if _, err := w.WriteRows(rows); err != nil {
		return nil, 0, fmt.Errorf("encode checkpoint of version %d: %w", s.Version, err)
	}
	if err := w.Close(); err != nil {
		return nil, 0, fmt.Errorf("encode checkpoint of version %d: %w", s.Version, err)
	}
	return buf.Bytes(), int64(len(rows)), nil
}

// lastCheckpointHint is what WriteCheckpoint puts in _last_checkpoint: the
// fields Spark writes that lakeops knows (version and number of actions are
// what the protocol requires; sizeInBytes and numOfAddFiles are what
// Spark, delta-rs and kernel readers use to plan).
type lastCheckpointHint struct {
	Version       int64 `json:"version"`
	Size          int64 `json:"size"`
	SizeInBytes   int64 `json:"sizeInBytes"`
	NumOfAddFiles int64 `json:"numOfAddFiles"`
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
	hint, err := json.Marshal(lastCheckpointHint{Version: v, Size: size, SizeInBytes: int64(len(data)), NumOfAddFiles: int64(snap.state.NumFiles())})
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
