//go:build cgo

package duck

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// rows streams a DuckDB result as query.Rows.
type rows struct {
	r       *sql.Rows
	conn    *sql.Conn // the connection the statement runs on, released on Close
	cols    []query.Column
	dest    []any
	ptrs    []any
	start   time.Time
	elapsed time.Duration
	done    bool
	n       int
}

func newRows(r *sql.Rows, start time.Time) (*rows, error) {
	types, err := r.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("result columns: %w", err)
	}
	out := &rows{r: r, start: start, cols: make([]query.Column, len(types))}
	out.dest = make([]any, len(types))
	out.ptrs = make([]any, len(types))
	for i, t := range types {
		out.cols[i] = query.Column{Name: t.Name(), Type: t.DatabaseTypeName()}
		out.ptrs[i] = &out.dest[i]
	}
	return out, nil
}

func (r *rows) Columns() []query.Column { return r.cols }

// Next returns the next row as plain values (see Value), or io.EOF.
func (r *rows) Next(ctx context.Context) ([]any, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.n%256 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return nil, err
		}
		r.done = true
		r.elapsed = time.Since(r.start)
		return nil, io.EOF
	}
	if err := r.r.Scan(r.ptrs...); err != nil {
		return nil, fmt.Errorf("read row %d: %w", r.n+1, err)
	}
	r.n++
	row := make([]any, len(r.dest))
	for i, v := range r.dest {
		row[i] = Value(v, r.cols[i].Type)
	}
	return row, nil
}

// Stats has the wall time from the start of Query (view refresh included)
// to the end of the result, or so far while rows remain.
func (r *rows) Stats() query.Stats {
	if r.done {
		return query.Stats{Elapsed: r.elapsed}
	}
	return query.Stats{Elapsed: time.Since(r.start)}
}

func (r *rows) Close() error {
	var err error
	if cerr := r.r.Close(); cerr != nil {
		err = fmt.Errorf("close result: %w", cerr)
	}
	if r.conn != nil {
		if cerr := r.conn.Close(); cerr != nil && !errors.Is(cerr, sql.ErrConnDone) {
			err = errors.Join(err, fmt.Errorf("release connection: %w", cerr))
		}
		r.conn = nil
	}
	return err
}

// Value converts a DuckDB value to the plain values of query.Rows: nil,
// bool, int64, float64, string, []byte, time.Time (TIMESTAMPTZ, in UTC) and
// parquetrows.LocalTimestamp (TIMESTAMP, which has no time zone).
// Smaller integers widen to int64; UBIGINT above int64, HUGEINT and DECIMAL
// become plain decimal text (a DECIMAL at its scale: "77.00"); DATE is
// "YYYY-MM-DD", TIME "15:04:05.999999", UUID its canonical text, INTERVAL
// text; lists, maps and structs are JSON text (struct fields in name order).
// dbType is the column's DuckDB type name.
func Value(v any, dbType string) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return fmt.Sprint(x)
	case float32:
		return float64(x)
	case []byte:
		if dbType == "UUID" && len(x) == 16 {
			return uuidText(x)
		}
		return x
	case time.Time:
		switch dbType {
		case "DATE":
			return x.Format(time.DateOnly)
		case "TIME":
			return x.Format("15:04:05.999999")
		case "TIMETZ":
			return x.Format("15:04:05.999999-07:00")
		case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
			// No time zone (a Delta timestamp_ntz): a local date-time.
			return parquetrows.LocalTimestampOf(x)
		}
		return x.UTC()
	case duckdb.Decimal:
		return decimal(x).String()
	case *big.Int:
		return x.String()
	case duckdb.Interval:
		return intervalText(x)
	case []any, map[string]any, duckdb.OrderedMap, duckdb.Union:
		return rowfmt.Text(nested(x))
	}
	return fmt.Sprint(v)
}

func decimal(d duckdb.Decimal) parquetrows.Decimal {
	return parquetrows.Decimal{Unscaled: d.Value, Scale: int32(d.Scale), Precision: int32(d.Width)}
}

func uuidText(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func intervalText(iv duckdb.Interval) string {
	var parts []string
	if iv.Months != 0 {
		parts = append(parts, fmt.Sprintf("%d months", iv.Months))
	}
	if iv.Days != 0 {
		parts = append(parts, fmt.Sprintf("%d days", iv.Days))
	}
	if iv.Micros != 0 || len(parts) == 0 {
		parts = append(parts, (time.Duration(iv.Micros) * time.Microsecond).String())
	}
	return strings.Join(parts, " ")
}

// nested converts a nested DuckDB value to the parquetrows values that
// rowfmt renders as JSON.
func nested(v any) any {
	switch x := v.(type) {
	case []any:
		l := make(parquetrows.List, len(x))
		for i, e := range x {
			l[i] = nested(e)
		}
		return l
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		s := make(parquetrows.Struct, len(names))
		for i, k := range names {
			s[i] = parquetrows.Field{Name: k, Value: nested(x[k])}
		}
		return s
	case duckdb.OrderedMap:
		keys, vals := x.Keys(), x.Values()
		m := make(parquetrows.Map, len(keys))
		for i := range keys {
			m[i] = parquetrows.MapEntry{Key: nested(keys[i]), Value: nested(vals[i])}
		}
		return m
	case duckdb.Union:
		return nested(x.Value)
	case duckdb.Decimal:
		return decimal(x)
	case time.Time:
		return x.UTC()
	}
	return Value(v, "")
}
