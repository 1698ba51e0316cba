package rejects

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// RowKey identifies a rejected row: the file version, line and the run that rejected it.
type RowKey struct {
	FileIdentity string
	Line         int64
	RunID        string
}

// Key returns the row's key.
func (r Row) Key() RowKey { return RowKey{FileIdentity: r.FileIdentity, Line: r.Line, RunID: r.RunID} }

// Resolve marks rows resolved by a reprocess run. It rewrites the data files
// that hold them (copy-on-write): the rows stay, with status "resolved",
// the resolving run and time. It returns how many rows it marked.
func Resolve(ctx context.Context, l *lake.Lake, ds string, keys map[RowKey]bool, runID string, at time.Time) (int, error) {
	if err := l.CheckWritable("resolve rejected rows"); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	t := l.Rejected(ds)
	for attempt := 0; ; attempt++ {
		n, err := resolveOnce(ctx, t, keys, runID, at)
		var ce *delta.ConflictError
		if errors.As(err, &ce) && attempt < 5 {
			continue
		}
		return n, err
	}
}

func resolveOnce(ctx context.Context, t *delta.Table, keys map[RowKey]bool, runID string, at time.Time) (int, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	fw, err := delta.NewFileWriterFor(snap)
	if err != nil {
		return 0, err
	}
	tx := snap.NewTransaction()
	marked := 0
	var written []*delta.Add
	cleanup := func() {
		for _, a := range written {
			_ = t.DeleteFile(context.WithoutCancel(ctx), a)
		}
	}
	for _, a := range snap.Files() {
		var rows []Row
		hit := false
		for v, err := range snap.FileRows(ctx, a) {
			if err != nil {
				cleanup()
				return 0, err
			}
			r := fromRow(v)
			if r.Status == StatusOpen && keys[r.Key()] {
				r.Status, r.ResolvedRunID, r.ResolvedAt = StatusResolved, runID, at
				hit = true
				marked++
			}
			rows = append(rows, r)
		}
		if !hit {
			continue
		}
		add, _, err := writeFile(ctx, fw, slices.Values(rows), func(Row) bool { return true }, true)
		if err != nil {
			cleanup()
			return 0, fmt.Errorf("rewrite rejects file: %w", err)
		}
		written = append(written, add)
		tx.Remove(a, true)
		tx.Add(add)
	}
	if marked == 0 {
		return 0, nil
	}
	_, err = tx.Commit(ctx, delta.Operation{Name: "UPDATE", Parameters: map[string]string{"predicate": "resolved by reprocess " + runID},
		Metrics: map[string]string{"numUpdatedRows": fmt.Sprint(marked)}})
	var cpe *delta.CheckpointError
	if err != nil && !errors.As(err, &cpe) {
		cleanup()
		return 0, err
	}
	return marked, nil
}
