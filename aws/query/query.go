// Package query runs SQL over the lake: the Engine interface, owned here by
// its consumers (the CLI's `query` command and the console's Query view),
// with a local implementation on embedded DuckDB over the lake's Delta
// snapshots (package duck) and an AWS implementation on Athena (package
// athena). Table names: products, orders, order_items, rejected_<dataset>,
// ingest_log.
package query

import (
	"context"
	"time"
)

// Column describes one result column.
type Column struct {
	Name string
	Type string // the engine's type name, e.g. "BIGINT", "VARCHAR", "DATE"
}

// Stats describe a finished (or running) query.
type Stats struct {
	QueryID      string        // Athena's query execution id; empty locally
	Elapsed      time.Duration // engine-side runtime when known, else wall time
	BytesScanned int64         // data scanned (Athena); 0 when unknown
	CostUSD      float64       // BytesScanned at the region's price (Athena); 0 locally
}

// Rows streams a result. Values are plain Go values: nil, bool, int64,
// float64, string, []byte, time.Time (instants, in UTC),
// parquetrows.LocalTimestamp (date-times without a time zone), and the
// engine's decimal/date values rendered as strings where Go has no type.
type Rows interface {
	Columns() []Column
	// Next returns the next row, or io.EOF after the last one.
	Next(ctx context.Context) ([]any, error)
	// Stats is available once Next has returned io.EOF (partial before).
	Stats() Stats
	Close() error
}

// TableInfo describes one table the engine can query.
type TableInfo struct {
	Name       string   // SQL name, e.g. "order_items"
	Location   string   // the Delta table's URI
	Version    int64    // Delta version the engine sees
	Columns    []Column // schema
	Partitions []string // partition columns
}

// Engine runs SQL. Cancelling ctx cancels the query (Athena: StopQueryExecution).
type Engine interface {
	// Name is "local" or "athena".
	Name() string
	// Query starts a statement and returns its rows.
	Query(ctx context.Context, sql string) (Rows, error)
	// Tables lists the queryable tables (for completion and the Tables view).
	Tables(ctx context.Context) ([]TableInfo, error)
	// Close releases the engine.
	Close() error
}

// RefusedError is a statement an engine would not run: under --read-only
// one that does not only read; in the local engine's sandbox one that would
// write files, reach another database or change the engine's settings.
type RefusedError struct {
	Statement string // the statement refused; empty when not about one
	Reason    string // one line: what is off and how to turn it on
}

func (e *RefusedError) Error() string { return e.Reason }
