// Package lake knows the layout of a lakeops lake on a store: where raw
// files land, where the silver, rejected and ledger Delta tables live, and
// where processed raw files are archived.
package lake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/delta"
)

// Layout holds the key prefixes of a lake (DefaultLayout; the README's
// "The pipeline" section lists them).
type Layout struct {
	Bronze   string // raw CSV files
	Silver   string // silver tables, one folder per dataset
	Rejected string // rejected-row tables, one folder per dataset
	Ledger   string // the ingest log table
	Archive  string // archived raw files
	Outcomes string // what each load's files contributed, one JSON object per run and dataset
}

// DefaultLayout is the layout of every lakeops lake: bronze_layer/ raw
// files, silver_layer/<dataset> and rejected/<dataset> Delta tables, the
// ingest log in _lakeops/ingest_log, archived raw files in archive/, the
// loads' recorded outcomes in _lakeops/outcomes/.
func DefaultLayout() Layout {
	return Layout{Bronze: "bronze_layer/", Silver: "silver_layer/", Rejected: "rejected/", Ledger: "_lakeops/ingest_log", Archive: "archive/", Outcomes: "_lakeops/outcomes/"}
}

// Lake is a store with a layout.
type Lake struct {
	Store  storage.Store
	Layout Layout
	// ReadOnly makes every write path refuse.
	ReadOnly bool
}

// New returns a lake with the default layout.
func New(store storage.Store) *Lake { return &Lake{Store: store, Layout: DefaultLayout()} }

// ErrReadOnly is returned by write paths of a read-only lake.
var ErrReadOnly = errors.New("the lake is opened read-only (--read-only): refusing to write")

// CheckWritable returns ErrReadOnly, naming the action, when the lake is read-only.
func (l *Lake) CheckWritable(action string) error {
	if l.ReadOnly {
		return fmt.Errorf("%s: %w", action, ErrReadOnly)
	}
	return nil
}

// Silver is the silver table of a dataset.
func (l *Lake) Silver(dataset string) *delta.Table {
	return delta.NewTable(l.Store, strings.TrimSuffix(l.Layout.Silver, "/")+"/"+dataset)
}

// Rejected is the rejected-rows table of a dataset.
func (l *Lake) Rejected(dataset string) *delta.Table {
	return delta.NewTable(l.Store, strings.TrimSuffix(l.Layout.Rejected, "/")+"/"+dataset)
}

// LedgerTable is the ingest log table.
func (l *Lake) LedgerTable() *delta.Table { return delta.NewTable(l.Store, l.Layout.Ledger) }

// URI names the lake root.
func (l *Lake) URI() string { return l.Store.URI() }

// OpenOrCreate returns the latest snapshot of a table, creating it with the
// given schema when it does not exist yet (a concurrent creator is fine).
func OpenOrCreate(ctx context.Context, t *delta.Table, opts delta.CreateOptions) (*delta.Snapshot, error) {
	snap, err := t.Snapshot(ctx)
	if err == nil {
		return snap, nil
	}
	if !errors.Is(err, delta.ErrNotATable) {
		return nil, err
	}
	snap, err = t.Create(ctx, opts)
	if errors.Is(err, delta.ErrTableExists) {
		return t.Snapshot(ctx)
	}
	return snap, err
}
