package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/query/duck"
)

// maxKeptRows bounds the rows kept per query for athena:getQueryResults
// (Athena returns at most 1000 per page).
const maxKeptRows = 1000

// queryRecord is a finished local query.
type queryRecord struct {
	id, sql        string
	state, reason  string
	submitted, end time.Time
	elapsed        time.Duration
	columns        []string
	types          []string
	rows           [][]*string
	rowCount       int64
	context        any
	result         any
}

func (r *LakeResources) queryEngine(ctx context.Context) (*duck.Engine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.engine != nil {
		return r.engine, nil
	}
	e, err := duck.Open(ctx, r.lake, duck.Options{})
	if err != nil {
		return nil, fmt.Errorf("athena: start the local engine: %w", err)
	}
	r.engine = e
	return e, nil
}

// startQuery runs QueryString on the local engine to the end. A failed
// query fails the task (with .sync as with the SDK call: locally the
// query has finished by the time the call returns).
func (r *LakeResources) startQuery(ctx context.Context, p map[string]any, sync bool) (any, error) {
	sql, _ := p["QueryString"].(string)
	if sql == "" {
		return nil, asl.NewTaskError("Athena.InvalidRequestException", "QueryString is required")
	}
	rec := &queryRecord{id: newID(), sql: sql, submitted: r.clock.Now().UTC(), context: p["QueryExecutionContext"], result: p["ResultConfiguration"]}
	err := r.runQuery(ctx, rec)
	rec.end = r.clock.Now().UTC()
	r.mu.Lock()
	r.queries[rec.id] = rec
	r.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, asl.NewTaskError("Athena.QueryFailed", fmt.Sprintf("query %s failed: %v", rec.id, err))
	}
	if !sync {
		return map[string]any{"QueryExecutionId": rec.id}, nil
	}
	return rec.execution(), nil
}

func (r *LakeResources) runQuery(ctx context.Context, rec *queryRecord) error {
	rec.state = "FAILED"
	eng, err := r.queryEngine(ctx)
	if err != nil {
		rec.reason = err.Error()
		return err
	}
	start := time.Now()
	rows, err := eng.Query(ctx, rec.sql)
	if err != nil {
		rec.reason = err.Error()
		return err
	}
	defer rows.Close()
	for _, c := range rows.Columns() {
		rec.columns = append(rec.columns, c.Name)
		rec.types = append(rec.types, c.Type)
	}
	for {
		row, err := rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rec.reason = err.Error()
			return err
		}
		rec.rowCount++
		if len(rec.rows) < maxKeptRows {
			cells := make([]*string, len(row))
			for i, v := range row {
				cells[i] = cellText(v)
			}
			rec.rows = append(rec.rows, cells)
		}
	}
	rec.state = "SUCCEEDED"
	rec.elapsed = time.Since(start)
	return nil
}

// cellText renders a value as Athena's VarCharValue (nil for NULL).
func cellText(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.000")
	case fmt.Stringer:
		s = x.String()
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// execution renders a query as GetQueryExecution's output.
func (q *queryRecord) execution() any {
	status := map[string]any{"State": q.state, "SubmissionDateTime": q.submitted.Format(time.RFC3339Nano), "CompletionDateTime": q.end.Format(time.RFC3339Nano)}
	if q.reason != "" {
		status["StateChangeReason"] = q.reason
	}
	ms := q.elapsed.Milliseconds()
	return map[string]any{"QueryExecution": map[string]any{
		"QueryExecutionId": q.id, "Query": q.sql, "StatementType": "DML", "Status": status,
		"QueryExecutionContext": q.context, "ResultConfiguration": q.result, "WorkGroup": "local",
		"Statistics": map[string]any{"EngineExecutionTimeInMillis": ms, "TotalExecutionTimeInMillis": ms, "DataScannedInBytes": 0},
		"ResultRows": q.rowCount,
	}}
}

func (r *LakeResources) query(p map[string]any) (*queryRecord, error) {
	id, _ := p["QueryExecutionId"].(string)
	r.mu.Lock()
	q, ok := r.queries[id]
	r.mu.Unlock()
	if !ok {
		return nil, asl.NewTaskError("Athena.InvalidRequestException", fmt.Sprintf("no query execution %q in this process", id))
	}
	return q, nil
}

func (r *LakeResources) getQueryExecution(p map[string]any) (any, error) {
	q, err := r.query(p)
	if err != nil {
		return nil, err
	}
	return q.execution(), nil
}

// getQueryResults renders the kept rows as Athena's ResultSet: a header
// row of column names, then the data rows.
func (r *LakeResources) getQueryResults(p map[string]any) (any, error) {
	q, err := r.query(p)
	if err != nil {
		return nil, err
	}
	if q.state != "SUCCEEDED" {
		return nil, asl.NewTaskError("Athena.InvalidRequestException", "query "+q.id+" did not succeed")
	}
	limit := maxKeptRows
	if n, ok := p["MaxResults"].(float64); ok && n > 0 {
		limit = int(n)
	}
	header := []any{}
	info := []any{}
	for i, c := range q.columns {
		name := c
		header = append(header, map[string]any{"VarCharValue": name})
		info = append(info, map[string]any{"Name": name, "Label": name, "Type": q.types[i]})
	}
	rows := []any{map[string]any{"Data": header}}
	for _, row := range q.rows {
		if len(rows) >= limit {
			break
		}
		data := []any{}
		for _, c := range row {
			if c == nil {
				data = append(data, map[string]any{})
			} else {
				data = append(data, map[string]any{"VarCharValue": *c})
			}
		}
		rows = append(rows, map[string]any{"Data": data})
	}
	return map[string]any{
		"ResultSet":   map[string]any{"Rows": rows, "ResultSetMetadata": map[string]any{"ColumnInfo": info}},
		"UpdateCount": 0,
		"RowCount":    json.Number(strconv.FormatInt(q.rowCount, 10)),
	}, nil
}
