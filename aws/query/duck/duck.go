//go:build cgo

// Package duck is the local query engine: embedded DuckDB (duckdb-go) over
// the current Delta snapshots of a lake's tables. It implements query.Engine.
//
// Every lake table (products, orders, order_items, rejected_<dataset>,
// ingest_log) is a DuckDB view over the data files of its latest snapshot,
// with the Delta schema's columns in schema order and types (see DuckType).
// Partition columns, which the files do not hold, come from the add
// actions' partition values. A table with no files is an empty view with
// the right columns; a table that does not exist yet has no view (querying
// it fails with DuckDB's "Table ... does not exist").
//
// Views follow the log: before a statement runs, the tables it needs are
// checked for newer commits (at most every Options.RecheckInterval) and only
// the views of changed tables are rebuilt. A view is created when a
// statement first names its table, so that a fresh engine resolves only
// what its first statement reads. On a folder lake DuckDB reads the files
// in place, and once created every view is kept current; a statement that
// names no lake table or reads the catalog (SHOW TABLES, information_schema,
// duckdb_tables(), …) gets the views of every table. On other stores (S3)
// the data files are fetched through the storage layer into a local cache
// (immutable files, reused across runs) and only the tables a statement
// names are brought up to date and fetched.
//
// Time travel: <table>@v<N> in a statement (orders@v3) reads version N of
// the table; it is rewritten to the view "orders@v3", created on first use.
//
// Statements may create tables and views of their own in the in-memory
// database; one that drops or replaces a lake table's view does so until
// that table's next commit.
//
// The engine is sandboxed unless Options.UnsafeFileAccess is set (see
// sandbox.go): DuckDB may read only the lake's table folders or their
// cache, and statements that write files, attach databases, load
// extensions or change settings are refused by their prepared type (see
// policy.go). Options.ReadOnly runs only statements that read.
//
// Values: timestamps are instants (TIMESTAMPTZ) and every session runs with
// TimeZone UTC, so they print, truncate and cast to DATE in UTC; see Value
// for how results convert to Go values.
package duck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/sqllex"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/internal/textfmt"
)

const defaultRecheck = 500 * time.Millisecond

// Engine is the local query engine of one lake.
type Engine struct {
	lake   *lake.Lake
	opts   Options
	start  *start // DuckDB, started in the background (see database)
	files  *fileSource
	box    *sandbox
	policy policy

	mu     sync.Mutex // guards the fields below and view changes
	tables []*tableState
	byName map[string]*tableState // lower-case SQL name → table
	names  map[string]string      // lower-case SQL name → SQL name
	pinned map[string]fileSet     // views of pinned versions already created
}

var _ query.Engine = (*Engine)(nil)

// Open starts an in-memory DuckDB over the lake, in the background: the
// first statement resolves the snapshots of the tables it names, and reads
// their files' footers, while DuckDB starts (see database). Views are
// created on the first statement (or Refresh), not here.
func Open(ctx context.Context, lk *lake.Lake, opts Options) (*Engine, error) {
	if opts.CacheLimitBytes <= 0 {
		opts.CacheLimitBytes = DefaultCacheLimit
	}
	if opts.RecheckInterval == 0 {
		opts.RecheckInterval = defaultRecheck
	}
	files, err := newFileSource(lk.Store, opts.CacheDir, opts.Progress)
	if err != nil {
		return nil, err
	}
	e := &Engine{lake: lk, opts: opts, files: files, byName: map[string]*tableState{}, names: map[string]string{}, pinned: map[string]fileSet{},
		policy: policy{readOnly: opts.ReadOnly, fileAccess: opts.UnsafeFileAccess}}
	for _, lt := range LakeTables(lk) {
		ts, err := newTableState(lt)
		if err != nil {
			return nil, err
		}
		e.tables = append(e.tables, ts)
		e.byName[lt.Name] = ts
		e.names[lt.Name] = lt.Name
	}
	dirs, err := e.dataDirs()
	if err != nil {
		return nil, err
	}
	if e.box, err = newSandbox(dirs, opts.UnsafeFileAccess); err != nil {
		return nil, err
	}
	e.start = startDuckDB(context.WithoutCancel(ctx), e.box)
	return e, nil
}

// dataDirs are the local folders the views read: each table's folder on a
// folder lake, the file cache otherwise.
func (e *Engine) dataDirs() ([]string, error) {
	if !e.files.inPlace() {
		return []string{e.files.cache}, nil
	}
	var out []string
	for _, ts := range e.tables {
		prefix := strings.TrimSuffix(strings.TrimSuffix(ts.logPrefix, delta.LogDir+"/"), "/")
		p, err := localPath(e.files.dir, prefix)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", ts.Name, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Name is "local".
func (e *Engine) Name() string { return "local" }

// Close releases DuckDB (closing the sql.DB closes its connector too) and
// removes its temporary folder.
func (e *Engine) Close() error {
	return errors.Join(e.start.close(), e.box.close())
}

// Query brings the views the statement needs up to date, then runs it:
// a script's statements run in order on one connection and the last one's
// rows are returned. Each statement is checked against the engine's policy
// before it runs (with ReadOnly, all of them before the first runs); a
// refusal is a *query.RefusedError. Cancelling ctx interrupts it. SQL errors are
// DuckDB's messages, but for reaching outside the sandbox, which says how
// to allow it.
func (e *Engine) Query(ctx context.Context, sqlText string) (query.Rows, error) {
	start := time.Now()
	sc := scanSQL(sqlText, e.names)
	if err := e.prepare(ctx, sc); err != nil {
		return nil, err
	}
	stmts := sqllex.Statements(sc.sql)
	if len(stmts) == 0 {
		return nil, errors.New("no SQL statement to run (only white space and comments)")
	}
	db, err := e.database(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("DuckDB connection: %w", err)
	}
	r, err := e.run(ctx, conn, sc.sql, stmts)
	if err != nil {
		return nil, errors.Join(explainAccess(err), conn.Close())
	}
	out, err := newRows(r, start)
	if err != nil {
		return nil, errors.Join(err, r.Close(), conn.Close())
	}
	out.conn = conn
	return out, nil
}

// run checks and runs a script's statements on conn and returns the rows
// of the last one; without restrictions DuckDB runs the script as given.
func (e *Engine) run(ctx context.Context, conn *sql.Conn, script string, stmts []string) (*sql.Rows, error) {
	if e.policy.unrestricted() {
		return conn.QueryContext(ctx, script)
	}
	if e.policy.readOnly {
		// Reading statements change nothing a later one depends on, so
		// all are checked before the first runs.
		for _, s := range stmts {
			if err := e.policy.check(ctx, conn, s); err != nil {
				return nil, err
			}
		}
	}
	last := len(stmts) - 1
	for i, s := range stmts {
		if !e.policy.readOnly {
			if err := e.policy.check(ctx, conn, s); err != nil {
				return nil, err
			}
		}
		if i == last {
			return conn.QueryContext(ctx, s)
		}
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("no SQL statement to run")
}

// Tables checks every table against its log and describes those that exist,
// at the version the next statement will see. On error the list holds the
// tables that could be read.
func (e *Engine) Tables(ctx context.Context) ([]query.TableInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := e.freshen(ctx, e.tables, false)
	var out []query.TableInfo
	for _, ts := range e.tables {
		if ts.snap == nil {
			continue
		}
		info, ierr := ts.info()
		if ierr != nil {
			err = errors.Join(err, ierr)
			continue
		}
		out = append(out, info)
	}
	return out, err
}

// Refresh checks every table against its log now and rebuilds the views
// that changed (on a remote lake, of the tables already materialized).
func (e *Engine) Refresh(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.freshen(ctx, e.tables, true); err != nil {
		return err
	}
	for _, ts := range e.tables {
		if !e.files.inPlace() && ts.view < 0 {
			continue
		}
		if err := e.syncView(ctx, ts, e.newBudget()); err != nil {
			return err
		}
	}
	return nil
}

// forget drops what the engine knows of the tables, so that the next
// statement resolves every snapshot and rebuilds every view from scratch.
func (e *Engine) forget() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ts := range e.tables {
		ts.snap, ts.checked = nil, time.Time{}
		ts.view = -1
	}
}

// freshen checks tables against their logs concurrently.
func (e *Engine) freshen(ctx context.Context, tables []*tableState, force bool) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, ts := range tables {
		g.Go(func() error { return ts.freshen(gctx, e.opts.RecheckInterval, force) })
	}
	return g.Wait()
}

// prepare makes the views a statement needs current: those of the tables
// it names and, on a folder lake, every view already created (so that views
// of the statement's own making over lake tables stay current); on a folder
// lake a statement that names no lake table or reads the catalog (SHOW,
// information_schema, duckdb_tables(), …) gets every table's view. Only the
// tables the statement names can fail it.
func (e *Engine) prepare(ctx context.Context, sc scanned) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	every := e.files.inPlace() && (sc.catalog || (len(sc.refs) == 0 && len(sc.pins) == 0))
	var targets []*tableState
	for _, ts := range e.tables {
		if sc.refs[ts.Name] || every || (e.files.inPlace() && ts.view >= 0) {
			targets = append(targets, ts)
		}
	}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, ts := range targets {
		wg.Go(func() { errs[i] = ts.freshen(ctx, e.opts.RecheckInterval, false) })
	}
	wg.Wait()
	budget := e.newBudget()
	for i, ts := range targets {
		err := errs[i]
		if err == nil {
			err = e.syncView(ctx, ts, budget)
		}
		if err != nil && sc.refs[ts.Name] {
			return err
		}
	}
	for _, p := range sc.pins {
		if err := e.pinView(ctx, p, budget); err != nil {
			return err
		}
	}
	return nil
}

// syncView makes the table's view show its latest known snapshot, dropping
// it when the table is gone.
func (e *Engine) syncView(ctx context.Context, ts *tableState, budget *cacheBudget) error {
	if ts.snap == nil {
		if ts.view >= 0 {
			db, err := e.database(ctx)
			if err != nil {
				return err
			}
			if _, err := db.ExecContext(ctx, "DROP VIEW IF EXISTS "+QuoteIdent(ts.Name)); err != nil {
				return fmt.Errorf("table %s: drop view: %w", ts.Name, err)
			}
			ts.view = -1
		}
		return nil
	}
	if err := budget.take(ts.Name, dataSize(ts.snap)); err != nil {
		return err
	}
	if ts.view == ts.snap.Version() {
		return nil
	}
	if err := e.createView(ctx, ts.Name, ts.snap); err != nil {
		return err
	}
	ts.view = ts.snap.Version()
	return nil
}

// pinView creates the view of a table at a version on first use; versions
// never change, so it is never rebuilt.
func (e *Engine) pinView(ctx context.Context, p pin, budget *cacheBudget) error {
	name := p.viewName()
	if size, ok := e.pinned[name]; ok {
		return budget.take(name, size)
	}
	snap, err := e.byName[p.table].Table.SnapshotAt(ctx, p.version)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	size := dataSize(snap)
	if err := budget.take(name, size); err != nil {
		return err
	}
	if err := e.createView(ctx, name, snap); err != nil {
		return err
	}
	e.pinned[name] = size
	return nil
}

func (e *Engine) createView(ctx context.Context, name string, snap *delta.Snapshot) error {
	paths, err := e.files.paths(ctx, snap)
	if err != nil {
		return fmt.Errorf("table %s (version %d): %w", name, snap.Version(), err)
	}
	stmt, usedStats, err := viewSQL(ctx, e.database, name, snap, paths, true)
	if err != nil {
		return fmt.Errorf("table %s (version %d): %w", name, snap.Version(), err)
	}
	db, err := e.database(ctx)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, stmt)
	if err != nil && usedStats {
		// The stats named a column no file holds: ask the footers.
		if stmt, _, err = viewSQL(ctx, e.database, name, snap, paths, false); err != nil {
			return fmt.Errorf("table %s (version %d): %w", name, snap.Version(), err)
		}
		_, err = db.ExecContext(ctx, stmt)
	}
	if err != nil {
		return fmt.Errorf("table %s (version %d): create view: %w", name, snap.Version(), err)
	}
	return nil
}

// fileSet sizes the data files of a snapshot.
type fileSet struct {
	files int
	bytes int64
}

func dataSize(snap *delta.Snapshot) fileSet {
	var fs fileSet
	for _, a := range snap.Files() {
		fs.files++
		fs.bytes += a.Size
	}
	return fs
}

// cacheBudget counts the data one statement needs from a remote lake; a
// nil budget (folder lakes) does not count.
type cacheBudget struct {
	limit, used int64
	names       []string
}

// newBudget starts counting the data of a statement; nil on a folder lake.
func (e *Engine) newBudget() *cacheBudget {
	if e.files.inPlace() {
		return nil
	}
	return &cacheBudget{limit: e.opts.CacheLimitBytes}
}

func (b *cacheBudget) take(name string, fs fileSet) error {
	if b == nil {
		return nil
	}
	b.used += fs.bytes
	b.names = append(b.names, name)
	if b.used <= b.limit {
		return nil
	}
	if len(b.names) == 1 {
		return fmt.Errorf("table %s: its %d data files are %s, over the local query cache limit of %s",
			name, fs.files, sizeText(fs.bytes), sizeText(b.limit))
	}
	sorted := append([]string(nil), b.names...)
	sort.Strings(sorted)
	return fmt.Errorf("table %s (%s of data files) brings this statement's tables (%s) to %s, over the local query cache limit of %s",
		name, sizeText(fs.bytes), strings.Join(sorted, ", "), sizeText(b.used), sizeText(b.limit))
}

// sizeText renders a byte count for messages (textfmt.Bytes, the one
// unit style: 9.8 KiB).
func sizeText(n int64) string { return textfmt.Bytes(n) }
