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
	if len(keys) == 0 {
		return 0, nil
	}
	return closeRows(ctx, l, ds, func(r Row) bool { return keys[r.Key()] }, StatusResolved, "resolved by reprocess "+runID, runID, at)
}

// Replace marks the open rows of earlier versions of files that a run has
// loaded again replaced: current maps each file key the run loaded to the
// identity it loaded, and every open row of that key with another
// identity gets status "replaced", with the run and time. The rows of the
// version loaded now stay as they are. It returns how many rows it marked.
func Replace(ctx context.Context, l *lake.Lake, ds string, current map[string]string, runID string, at time.Time) (int, error) {
	if len(current) == 0 {
		return 0, nil
	}
	replaced := func(r Row) bool {
		id, loaded := current[r.File]
		return loaded && id != r.FileIdentity
	}
	return closeRows(ctx, l, ds, replaced, StatusReplaced, "replaced by a later version of the file, loaded by "+runID, runID, at)
}

// closeRows gives the open rows that match status, with the run and time
// that closed them, rewriting the data files that hold them; predicate is
// the commit's description.
func closeRows(ctx context.Context, l *lake.Lake, ds string, match func(Row) bool, status, predicate, runID string, at time.Time) (int, error) {
	if err := l.CheckWritable("close rejected rows"); err != nil {
		return 0, err
	}
	t := l.Rejected(ds)
	for attempt := 0; ; attempt++ {
		n, err := closeOnce(ctx, t, match, status, predicate, runID, at)
		var ce *delta.ConflictError
		if errors.As(err, &ce) && attempt < 5 {
			continue
		}
		return n, err
	}
}

func closeOnce(ctx context.Context, t *delta.Table, match func(Row) bool, status, predicate, runID string, at time.Time) (int, error) {
	snap, err := t.Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return 0, nil
	}
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
		// The columns a match reads first (holdsMatch): a file without an
		// open row to close is not decoded whole (raw text and headers are
		// most of it).
		if some, err := holdsMatch(ctx, snap, a, match); err != nil || !some {
			if err != nil {
				cleanup()
				return 0, err
			}
			continue
		}
		var rows []Row
		hit := false
		for v, err := range snap.FileRows(ctx, a) {
			if err != nil {
				cleanup()
				return 0, err
			}
			r := fromRow(v)
			if r.Status == StatusOpen && match(r) {
				r.Status, r.ResolvedRunID, r.ResolvedAt = status, runID, at
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
	_, err = tx.Commit(ctx, delta.Operation{Name: "UPDATE", Parameters: map[string]string{"predicate": predicate},
		Metrics: map[string]string{"numUpdatedRows": fmt.Sprint(marked)}})
	var cpe *delta.CheckpointError
	if err != nil && !errors.As(err, &cpe) {
		cleanup()
		return 0, err
	}
	return marked, nil
}

// holdsMatch reports whether a data file holds an open row that match
// takes, reading only the columns Row.Key and the matches of Resolve and
// Replace read, and the status.
func holdsMatch(ctx context.Context, snap *delta.Snapshot, a *delta.Add, match func(Row) bool) (bool, error) {
	for v, err := range snap.ProjectFile(ctx, a, "run_id", "file", "file_identity", "line", "status") {
		if err != nil {
			return false, err
		}
		s := func(i int) string { x, _ := v[i].(string); return x }
		line, _ := v[3].(int64)
		if r := (Row{RunID: s(0), File: s(1), FileIdentity: s(2), Line: line, Status: s(4)}); r.Status == StatusOpen && match(r) {
			return true, nil
		}
	}
	return false, nil
}
