package ops

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/sqllex"
	"github.com/lakeops/lakeops/etl/delta"
)

// TableVersion is one version of a table's history.
type TableVersion = delta.HistoryEntry

// TableFeatures are the protocol features a table uses: reader and writer
// versions and features, column mapping, deletion vectors.
type TableFeatures = delta.Features

// HistoryLimit is how many versions a table's detail shows.
const HistoryLimit = 50

// TableList is the tables an SQL engine lists, or without one the lake's
// tables that exist, by name.
type TableList struct {
	Tables []TableInfo
	Source string // "local engine", "athena engine", "lake (no query engine)"
}

// ListTables lists the tables: the engine's when there is one, else the
// lake's that exist.
func (o *Ops) ListTables(ctx context.Context) (TableList, error) {
	if o.engine != nil {
		infos, err := o.engine.Tables(ctx)
		if err != nil {
			err = fmt.Errorf("list the %s engine's tables: %w", o.engine.Name(), err)
		}
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
		return TableList{Tables: infos, Source: o.engine.Name() + " engine"}, err
	}
	list := TableList{Source: "lake (no query engine)"}
	for _, lt := range o.lake.Tables() {
		snap, err := lt.Table.Snapshot(ctx)
		if errors.Is(err, delta.ErrNotATable) {
			continue
		}
		if err != nil {
			return list, fmt.Errorf("read table %s: %w", lt.Name, err)
		}
		info := TableInfo{Name: lt.Name, Location: lt.Table.URI(), Version: snap.Version(),
			Partitions: append([]string(nil), snap.PartitionColumns()...)}
		for _, f := range snap.Schema().Fields {
			info.Columns = append(info.Columns, Column{Name: f.Name, Type: f.Type.String()})
		}
		list.Tables = append(list.Tables, info)
	}
	return list, nil
}

// TableSummary is what a table's latest Delta snapshot says about it.
type TableSummary struct {
	Name       string
	Location   string
	Version    int64
	Files      int
	Rows       int64
	RowsKnown  bool // every file has numRecords stats
	SizeBytes  int64
	Partitions []string
	LastCommit time.Time
	LastOp     string
	Err        error // reading the snapshot or its history failed (what was read is kept)
}

// Summaries summarizes the listed tables, a few at a time, in list order;
// nil for a table that is not in this lake.
func (o *Ops) Summaries(ctx context.Context, infos []TableInfo) []*TableSummary {
	out := make([]*TableSummary, len(infos))
	var eg errgroup.Group
	eg.SetLimit(4)
	for i, info := range infos {
		t := o.resolve(info)
		if t == nil {
			continue
		}
		eg.Go(func() error {
			out[i] = summarize(ctx, info.Name, t)
			return nil
		})
	}
	_ = eg.Wait()
	return out
}

// LakeSummaries summarizes the lake's tables that exist (lakeops table ls).
func (o *Ops) LakeSummaries(ctx context.Context) ([]TableSummary, error) {
	tables := o.lake.Tables()
	sums := make([]*TableSummary, len(tables))
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(8)
	for i, lt := range tables {
		eg.Go(func() error {
			s := summarize(gctx, lt.Name, lt.Table)
			if s != nil && s.Err != nil {
				return fmt.Errorf("table %s: %w", lt.Name, s.Err)
			}
			sums[i] = s
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	var out []TableSummary
	for _, s := range sums {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, nil
}

// summarize reads one table's latest snapshot and newest commit; nil when
// the table does not exist.
func summarize(ctx context.Context, name string, t *delta.Table) *TableSummary {
	s := &TableSummary{Name: name, Location: t.URI()}
	snap, err := t.Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return nil
	}
	if err != nil {
		s.Err = fmt.Errorf("read %s: %w", t.URI(), err)
		return s
	}
	s.Version, s.RowsKnown, s.LastCommit = snap.Version(), true, snap.CommitTime
	s.Partitions = append([]string{}, snap.PartitionColumns()...)
	for _, a := range snap.Files() {
		s.Files++
		s.SizeBytes += a.Size
		st, err := delta.ParseStats(a.Stats)
		if a.Stats == "" || err != nil {
			s.RowsKnown = false
			continue
		}
		s.Rows += st.NumRecords
	}
	hist, err := t.History(ctx, 1)
	if err != nil {
		s.Err = fmt.Errorf("history of %s: %w", t.URI(), err)
		return s
	}
	if len(hist) > 0 {
		if !hist[0].Timestamp.IsZero() {
			s.LastCommit = hist[0].Timestamp
		}
		s.LastOp = hist[0].Operation
	}
	return s
}

// resolve finds the Delta table behind a listed table: by its location
// under the lake, else by its SQL name; nil when it is not in the lake.
func (o *Ops) resolve(info TableInfo) *delta.Table {
	root := strings.TrimSuffix(o.lake.URI(), "/") + "/"
	if rel, ok := strings.CutPrefix(strings.TrimSuffix(info.Location, "/"), root); ok && rel != "" {
		return delta.NewTable(o.lake.Store, rel)
	}
	for _, lt := range o.lake.Tables() {
		if strings.EqualFold(lt.Name, info.Name) {
			return lt.Table
		}
	}
	return nil
}

// Field is one column of a table's schema.
type Field struct {
	Name, Type string
	Nullable   string // "yes", "no", or "?" when only the engine's schema is known
	Partition  bool
}

// TableDetail is one table's schema and newest versions.
type TableDetail struct {
	Name       string
	Version    int64
	Partitions []string
	Fields     []Field
	History    []TableVersion // newest first, up to HistoryLimit
	HistErr    error          // the history could not be read
	InLake     bool
	Features   *TableFeatures // nil when the table is not in this lake
	// PartitionStats are the table's partitions with their files, rows
	// and bytes (from the snapshot's add actions), by partition value.
	PartitionStats []PartitionStat
}

// PartitionStat is one partition of a table.
type PartitionStat struct {
	Values    string // "date=2025-04-01" (every partition column)
	Files     int
	Rows      int64
	RowsKnown bool // every file has numRecords stats
	Bytes     int64
}

// partitionStats groups a snapshot's files by partition values.
func partitionStats(files []*delta.Add, cols []string) []PartitionStat {
	by := map[string]*PartitionStat{}
	for _, a := range files {
		parts := make([]string, len(cols))
		for i, c := range cols {
			v := "null"
			if p := a.PartitionValues[c]; p != nil {
				v = *p
			}
			parts[i] = c + "=" + v
		}
		k := strings.Join(parts, "/")
		p := by[k]
		if p == nil {
			p = &PartitionStat{Values: k, RowsKnown: true}
			by[k] = p
		}
		p.Files++
		p.Bytes += a.Size
		if st, err := delta.ParseStats(a.Stats); a.Stats != "" && err == nil {
			p.Rows += st.NumRecords
		} else {
			p.RowsKnown = false
		}
	}
	out := make([]PartitionStat, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Values < out[j].Values })
	return out
}

// TableDetail reads a table's schema (from its snapshot, else the engine's
// columns) and its newest versions.
func (o *Ops) TableDetail(ctx context.Context, info TableInfo) (*TableDetail, error) {
	d := &TableDetail{Name: info.Name, Version: info.Version, Partitions: info.Partitions}
	t := o.resolve(info)
	if t == nil {
		for _, c := range info.Columns {
			d.Fields = append(d.Fields, Field{Name: c.Name, Type: c.Type, Nullable: "?"})
		}
		d.HistErr = errors.New("no history: the table is not in this lake")
		markPartitions(d.Fields, d.Partitions)
		return d, nil
	}
	d.InLake = true
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", info.Name, err)
	}
	d.Version, d.Partitions = snap.Version(), snap.PartitionColumns()
	f := snap.Features()
	d.Features = &f
	for _, f := range snap.Schema().Fields {
		n := "no"
		if f.Nullable {
			n = "yes"
		}
		d.Fields = append(d.Fields, Field{Name: f.Name, Type: f.Type.String(), Nullable: n})
	}
	markPartitions(d.Fields, d.Partitions)
	if len(d.Partitions) > 0 {
		d.PartitionStats = partitionStats(snap.Files(), d.Partitions)
	}
	d.History, err = t.History(ctx, HistoryLimit)
	if err != nil {
		d.HistErr = fmt.Errorf("history of %s: %w", info.Name, err)
	}
	return d, nil
}

func markPartitions(fields []Field, parts []string) {
	for i := range fields {
		for _, p := range parts {
			if fields[i].Name == p {
				fields[i].Partition = true
			}
		}
	}
}

// History returns a table's versions, newest first (limit <= 0: all).
func History(ctx context.Context, t *delta.Table, limit int) ([]TableVersion, error) {
	return t.History(ctx, limit)
}

// Pairs are a map's entries as key=value, sorted by key (a version's
// parameters and metrics).
func Pairs[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s=%v", k, m[k])
	}
	return out
}

// StatementAt is the statement of an SQL script under byte offset off
// (the nearest one with code; sqllex.StatementAt).
func StatementAt(script string, off int) string { return sqllex.StatementAt(script, off) }

// SelectSQL is the statement that shows a table's first rows.
func SelectSQL(table string) string {
	return fmt.Sprintf("SELECT * FROM %s LIMIT 100", query.QuoteIdent(table))
}

// Registered is one table put in a catalog.
type Registered struct {
	Name, Location string
	Version        int64
}

// RegisterTables registers (or updates) every lake table that exists in a
// catalog, so that SQL engines find them.
func (o *Ops) RegisterTables(ctx context.Context, cat catalog.Catalog) ([]Registered, error) {
	if err := o.lake.CheckWritable("register tables"); err != nil {
		return nil, err
	}
	var out []Registered
	for _, lt := range o.lake.Tables() {
		snap, err := lt.Table.Snapshot(ctx)
		if errors.Is(err, delta.ErrNotATable) {
			continue // not created yet
		}
		if err != nil {
			return out, err
		}
		def := catalog.DefFromDelta(lt.Name, lt.Table.URI(), snap.Schema(), snap.PartitionColumns())
		if err := cat.Register(ctx, def); err != nil {
			return out, fmt.Errorf("register %s: %w", lt.Name, err)
		}
		out = append(out, Registered{Name: lt.Name, Location: lt.Table.URI(), Version: snap.Version()})
	}
	return out, nil
}

// Statements splits an SQL script into its statements (sqllex.Statements).
func Statements(script string) []string { return sqllex.Statements(script) }
