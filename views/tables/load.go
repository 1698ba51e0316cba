package tablesview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// loadTimeout bounds one load (listing, stats or a table's detail).
const loadTimeout = 2 * time.Minute

// historyLimit is how many versions the detail shows.
const historyLimit = 50

// tableStats are what the Delta snapshot of a table tells about it.
type tableStats struct {
	version    int64
	files      int
	rows       int64
	rowsKnown  bool // every file has numRecords stats
	size       int64
	partitions []string
	last       time.Time
	lastOp     string
	err        error
}

// listedMsg carries the tables, from the engine or (without one) the lake.
type listedMsg struct {
	gen    int
	infos  []query.TableInfo
	source string
	err    error
}

// statsMsg carries the snapshot facts of the listed tables, in list order
// (nil for a table that is not in the lake).
type statsMsg struct {
	gen   int
	stats []*tableStats
}

// field is one column of a table's schema.
type field struct {
	name, typ string
	nullable  string // "yes", "no", or "?" when only the engine's schema is known
	partition bool
}

// detailMsg carries one table's schema and history.
type detailMsg struct {
	gen        int
	name       string
	fields     []field
	partitions []string
	version    int64
	history    []delta.HistoryEntry
	histErr    error
	err        error
}

// lakeTable is a table of the lake with its SQL name.
type lakeTable struct {
	name  string
	table *delta.Table
}

// lakeTables are the tables every lake may have, by SQL name (DESIGN.md).
func lakeTables(lk *lake.Lake) []lakeTable {
	var out []lakeTable
	for _, d := range dataset.All() {
		out = append(out, lakeTable{d.Name, lk.Silver(d.Name)})
	}
	for _, d := range dataset.All() {
		out = append(out, lakeTable{"rejected_" + d.Name, lk.Rejected(d.Name)})
	}
	return append(out, lakeTable{"ingest_log", lk.LedgerTable()})
}

// resolve finds the Delta table behind an engine's table: by its location
// under the lake, else by its SQL name; nil when it is not in the lake.
func resolve(lk *lake.Lake, info query.TableInfo) *delta.Table {
	if lk == nil {
		return nil
	}
	root := strings.TrimSuffix(lk.URI(), "/") + "/"
	if rel, ok := strings.CutPrefix(strings.TrimSuffix(info.Location, "/"), root); ok && rel != "" {
		return delta.NewTable(lk.Store, rel)
	}
	for _, lt := range lakeTables(lk) {
		if strings.EqualFold(lt.name, info.Name) {
			return lt.table
		}
	}
	return nil
}

// listCmd lists the tables: the engine's when there is one, else the ones
// that exist in the lake.
func listCmd(eng query.Engine, lk *lake.Lake, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		if eng != nil {
			infos, err := eng.Tables(ctx)
			if err != nil {
				err = fmt.Errorf("list the %s engine's tables: %w", eng.Name(), err)
			}
			sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
			return listedMsg{gen: gen, infos: infos, source: eng.Name() + " engine", err: err}
		}
		if lk == nil {
			return listedMsg{gen: gen, err: errors.New("no query engine and no lake: nothing to list")}
		}
		infos, err := lakeInfos(ctx, lk)
		return listedMsg{gen: gen, infos: infos, source: "lake (no query engine)", err: err}
	}
}

// lakeInfos describes the lake's tables that exist.
func lakeInfos(ctx context.Context, lk *lake.Lake) ([]query.TableInfo, error) {
	var out []query.TableInfo
	for _, lt := range lakeTables(lk) {
		snap, err := lt.table.Snapshot(ctx)
		if errors.Is(err, delta.ErrNotATable) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("read table %s: %w", lt.name, err)
		}
		info := query.TableInfo{Name: lt.name, Location: lt.table.URI(), Version: snap.Version(),
			Partitions: append([]string(nil), snap.PartitionColumns()...)}
		for _, f := range snap.Schema().Fields {
			info.Columns = append(info.Columns, query.Column{Name: f.Name, Type: f.Type.String()})
		}
		out = append(out, info)
	}
	return out, nil
}

// statsCmd reads the snapshot facts of every table (a few at a time).
func statsCmd(tables []*delta.Table, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		out := make([]*tableStats, len(tables))
		var eg errgroup.Group
		eg.SetLimit(4)
		for i, t := range tables {
			if t == nil {
				continue
			}
			eg.Go(func() error {
				out[i] = snapshotStats(ctx, t)
				return nil
			})
		}
		_ = eg.Wait()
		return statsMsg{gen: gen, stats: out}
	}
}

func snapshotStats(ctx context.Context, t *delta.Table) *tableStats {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return &tableStats{err: fmt.Errorf("read %s: %w", t.URI(), err)}
	}
	s := &tableStats{version: snap.Version(), rowsKnown: true, last: snap.CommitTime,
		partitions: append([]string(nil), snap.PartitionColumns()...)}
	for _, a := range snap.Files() {
		s.files++
		s.size += a.Size
		st, err := delta.ParseStats(a.Stats)
		if a.Stats == "" || err != nil {
			s.rowsKnown = false
			continue
		}
		s.rows += st.NumRecords
	}
	hist, err := t.History(ctx, 1)
	if err != nil {
		s.err = fmt.Errorf("history of %s: %w", t.URI(), err)
		return s
	}
	if len(hist) > 0 {
		if !hist[0].Timestamp.IsZero() {
			s.last = hist[0].Timestamp
		}
		s.lastOp = hist[0].Operation
	}
	return s
}

// detailCmd reads a table's schema (from its snapshot, else the engine's
// columns) and its newest versions.
func detailCmd(t *delta.Table, info query.TableInfo, gen int) tea.Cmd {
	return func() tea.Msg {
		msg := detailMsg{gen: gen, name: info.Name, version: info.Version, partitions: info.Partitions}
		if t == nil {
			for _, c := range info.Columns {
				msg.fields = append(msg.fields, field{name: c.Name, typ: c.Type, nullable: "?"})
			}
			msg.histErr = errors.New("no history: the table is not in this lake")
			markPartitions(msg.fields, msg.partitions)
			return msg
		}
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		snap, err := t.Snapshot(ctx)
		if err != nil {
			msg.err = fmt.Errorf("read table %s: %w", info.Name, err)
			return msg
		}
		msg.version, msg.partitions = snap.Version(), snap.PartitionColumns()
		for _, f := range snap.Schema().Fields {
			n := "no"
			if f.Nullable {
				n = "yes"
			}
			msg.fields = append(msg.fields, field{name: f.Name, typ: f.Type.String(), nullable: n})
		}
		markPartitions(msg.fields, msg.partitions)
		msg.history, err = t.History(ctx, historyLimit)
		if err != nil {
			msg.histErr = fmt.Errorf("history of %s: %w", info.Name, err)
		}
		return msg
	}
}

func markPartitions(fields []field, parts []string) {
	for i := range fields {
		for _, p := range parts {
			if fields[i].name == p {
				fields[i].partition = true
			}
		}
	}
}

// metricsText renders operation metrics as sorted key=value pairs.
func metricsText(m map[string]string) string { return strings.Join(pairs(m), " ") }

// pairs are a map's entries as key=value, sorted by key.
func pairs[V any](m map[string]V) []string {
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
