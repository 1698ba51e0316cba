// Package ledger keeps the ingest log: a Delta table with one row per raw
// file per run (identity, dataset, run, times, status, counts, error). It is
// how a run knows which raw files are new.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// File statuses.
const (
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	StatusSkipped   = "skipped"
)

// Identity identifies one version of a raw file: its key plus ETag (S3) or
// size and modification time (folder).
type Identity struct {
	Key     string
	Size    int64
	ETag    string
	ModTime time.Time
}

// String renders the identity for txn app ids and messages.
func (id Identity) String() string {
	if id.ETag != "" {
		return fmt.Sprintf("%s@etag:%s", id.Key, id.ETag)
	}
	return fmt.Sprintf("%s@%d:%d", id.Key, id.Size, id.ModTime.UnixMicro())
}

// Entry is one row of the ingest log.
type Entry struct {
	File             string
	Size             int64
	ETag             string
	ModTime          time.Time
	Dataset          string
	RunID            string
	StartedAt        time.Time
	EndedAt          time.Time
	Status           string
	RowsRead         int64
	Accepted         int64
	Rejected         int64
	Inserted         int64
	Updated          int64
	Unchanged        int64
	RejectedByReason map[string]int64
	Error            string
}

// Identity is the file identity the entry records.
func (e Entry) Identity() Identity {
	return Identity{Key: e.File, Size: e.Size, ETag: e.ETag, ModTime: e.ModTime}
}

// Same reports whether two identities name the same file content.
func Same(a, b Identity) bool {
	if a.Key != b.Key {
		return false
	}
	if a.ETag != "" && b.ETag != "" {
		return a.ETag == b.ETag
	}
	return a.Size == b.Size && a.ModTime.UnixMicro() == b.ModTime.UnixMicro()
}

func schema() *delta.StructType {
	str := delta.Primitive(delta.TypeString)
	long := delta.Primitive(delta.TypeLong)
	ts := delta.Primitive(delta.TypeTimestamp)
	return &delta.StructType{Fields: []delta.StructField{
		{Name: "file", Type: str}, {Name: "size", Type: long}, {Name: "etag", Type: str, Nullable: true},
		{Name: "mtime", Type: ts, Nullable: true}, {Name: "dataset", Type: str, Nullable: true},
		{Name: "run_id", Type: str}, {Name: "started_at", Type: ts}, {Name: "ended_at", Type: ts},
		{Name: "status", Type: str}, {Name: "rows_read", Type: long}, {Name: "accepted", Type: long},
		{Name: "rejected", Type: long}, {Name: "inserted", Type: long}, {Name: "updated", Type: long},
		{Name: "unchanged", Type: long}, {Name: "rejected_by_reason", Type: str}, {Name: "error", Type: str, Nullable: true},
	}}
}

// Ledger is the ingest log of a lake.
type Ledger struct {
	lake  *lake.Lake
	table *delta.Table
}

// Open returns the ledger of a lake (the table is created on first append).
func Open(l *lake.Lake) *Ledger { return &Ledger{lake: l, table: l.LedgerTable()} }

// Table is the ledger's Delta table.
func (lg *Ledger) Table() *delta.Table { return lg.table }

// Entries reads every entry; an absent ledger has none.
func (lg *Ledger) Entries(ctx context.Context) ([]Entry, error) {
	snap, err := lg.table.Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ingest log: %w", err)
	}
	var out []Entry
	for row, err := range snap.Rows(ctx) {
		if err != nil {
			return nil, fmt.Errorf("read ingest log: %w", err)
		}
		out = append(out, fromRow(row))
	}
	return out, nil
}

// Ingested reports whether the identity has a succeeded entry: the rule
// of which raw files are new (a default run takes the files that are not
// ingested). Index.Status tells the same from an index.
func Ingested(entries []Entry, id Identity) bool {
	for _, e := range entries {
		if ingests(e, id) {
			return true
		}
	}
	return false
}

// ingests reports whether an entry records the identity as ingested.
func ingests(e Entry, id Identity) bool { return e.Status == StatusSucceeded && Same(e.Identity(), id) }

// Append adds entries in one commit.
func (lg *Ledger) Append(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if err := lg.lake.CheckWritable("write ingest log"); err != nil {
		return err
	}
	snap, err := lake.OpenOrCreate(ctx, lg.table, delta.CreateOptions{Schema: schema(), Name: "ingest_log"})
	if err != nil {
		return fmt.Errorf("open ingest log: %w", err)
	}
	fw, err := delta.NewFileWriterFor(snap)
	if err != nil {
		return err
	}
	rows := make([][]any, len(entries))
	for i, e := range entries {
		rows[i] = toRow(e)
	}
	add, err := fw.WriteFile(ctx, nil, rows)
	if err != nil {
		return fmt.Errorf("write ingest log: %w", err)
	}
	tx := snap.NewTransaction()
	tx.Add(add)
	_, err = tx.Commit(ctx, delta.Operation{Name: "WRITE", Parameters: map[string]string{"mode": "Append"}})
	var ce *delta.CheckpointError
	if err != nil && !errors.As(err, &ce) {
		return fmt.Errorf("commit ingest log: %w", err)
	}
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func toRow(e Entry) []any {
	reasons, _ := json.Marshal(e.RejectedByReason)
	if e.RejectedByReason == nil {
		reasons = []byte("{}")
	}
	return []any{e.File, e.Size, nullStr(e.ETag), nullTime(e.ModTime), nullStr(e.Dataset), e.RunID,
		e.StartedAt.UTC(), e.EndedAt.UTC(), e.Status, e.RowsRead, e.Accepted, e.Rejected, e.Inserted,
		e.Updated, e.Unchanged, string(reasons), nullStr(e.Error)}
}

func fromRow(r []any) Entry {
	s := func(i int) string { v, _ := r[i].(string); return v }
	n := func(i int) int64 { v, _ := r[i].(int64); return v }
	t := func(i int) time.Time { v, _ := r[i].(time.Time); return v }
	e := Entry{File: s(0), Size: n(1), ETag: s(2), ModTime: t(3), Dataset: s(4), RunID: s(5), StartedAt: t(6),
		EndedAt: t(7), Status: s(8), RowsRead: n(9), Accepted: n(10), Rejected: n(11), Inserted: n(12),
		Updated: n(13), Unchanged: n(14), Error: s(16)}
	_ = json.Unmarshal([]byte(s(15)), &e.RejectedByReason)
	return e
}
