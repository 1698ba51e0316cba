//go:build cgo

package duck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/delta"
)

// tableState is what the engine knows of one lake table.
type tableState struct {
	LakeTable
	logPrefix string          // store key prefix of the table's _delta_log/
	snap      *delta.Snapshot // latest snapshot seen; nil while the table does not exist
	checked   time.Time       // when snap was last checked against the log
	view      int64           // version the DuckDB view shows; -1: no view
}

func newTableState(lt LakeTable) (*tableState, error) {
	// DataKey of a relative path is the table prefix joined with it.
	probe := delta.LogDir + "/probe"
	key, err := lt.Table.DataKey(probe)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", lt.Name, err)
	}
	return &tableState{LakeTable: lt, logPrefix: strings.TrimSuffix(key, "probe"), view: -1}, nil
}

// freshen brings the snapshot up to date unless it was checked less than
// interval ago. A known table costs one listing of its log past the known
// version; the snapshot is loaded again only when a newer commit exists.
func (ts *tableState) freshen(ctx context.Context, interval time.Duration, force bool) error {
	now := time.Now()
	if !force && ts.snap != nil && interval > 0 && now.Sub(ts.checked) < interval {
		return nil
	}
	if ts.snap != nil {
		newer, err := ts.hasNewerCommit(ctx, ts.snap.Version())
		if err != nil {
			return fmt.Errorf("table %s: check for new commits: %w", ts.Name, err)
		}
		if !newer {
			ts.checked = now
			return nil
		}
	}
	snap, err := ts.Table.Snapshot(ctx)
	switch {
	case errors.Is(err, delta.ErrNotATable):
		ts.snap = nil
	case err != nil:
		return fmt.Errorf("table %s: %w", ts.Name, err)
	default:
		ts.snap = snap
	}
	ts.checked = now
	return nil
}

// hasNewerCommit lists the log after version v's commit file.
func (ts *tableState) hasNewerCommit(ctx context.Context, v int64) (bool, error) {
	store := ts.Table.Store()
	opts := storage.ListOptions{StartAfter: ts.logPrefix + delta.CommitName(v)}
	for info, err := range store.List(ctx, ts.logPrefix, opts) {
		if err != nil {
			return false, err
		}
		f, ok := delta.ParseLogFile(strings.TrimPrefix(info.Key, ts.logPrefix))
		if ok && f.Kind == delta.KindCommit && f.Version > v {
			return true, nil
		}
	}
	return false, nil
}

// info describes the table at its latest known snapshot.
func (ts *tableState) info() (query.TableInfo, error) {
	cols, err := viewColumns(ts.snap)
	if err != nil {
		return query.TableInfo{}, fmt.Errorf("table %s: %w", ts.Name, err)
	}
	out := query.TableInfo{
		Name:       ts.Name,
		Location:   ts.Table.URI(),
		Version:    ts.snap.Version(),
		Columns:    make([]query.Column, len(cols)),
		Partitions: append([]string(nil), ts.snap.PartitionColumns()...),
	}
	for i, c := range cols {
		out.Columns[i] = query.Column{Name: c.name, Type: c.typ}
	}
	return out, nil
}
