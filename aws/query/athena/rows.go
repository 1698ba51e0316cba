package athena

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/query"
)

// rows reads a finished query's results page by page. The first page is read
// by Query (it carries the column metadata); later pages are read by Next as
// the caller gets to them.
//
// Header row: for a SELECT, Athena's first row of the first page holds the
// column labels. It is skipped when its values equal the columns' labels (or
// names), which a SELECT's header always does; statements whose results have
// no header (SHOW, DESCRIBE, ...) keep their first row. Only the first row of
// the first page is ever considered.
type rows struct {
	e     *Engine
	id    string
	stats query.Stats

	cols  []query.Column
	conv  []converter
	page  []types.Row
	pos   int
	token *string // NextToken of the last page read; nil after the last page
	read  bool    // the first page has been read
	err   error   // sticky error (closed, or a failed page)
}

var errClosed = errors.New("athena: rows are closed")

func (r *rows) Columns() []query.Column { return r.cols }

func (r *rows) Stats() query.Stats { return r.stats }

func (r *rows) Close() error {
	if r.err == nil {
		r.err = errClosed
	}
	r.page = nil
	return nil
}

// Next returns the next row converted to Go values, or io.EOF after the last.
func (r *rows) Next(ctx context.Context) ([]any, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if r.pos < len(r.page) {
			row := r.page[r.pos]
			r.pos++
			return r.convert(row), nil
		}
		if r.token == nil {
			return nil, io.EOF
		}
		if err := r.fetch(ctx); err != nil {
			return nil, err
		}
	}
}

// fetch reads the next page (the first when none was read yet).
func (r *rows) fetch(ctx context.Context) error {
	in := &athena.GetQueryResultsInput{
		QueryExecutionId: aws.String(r.id),
		MaxResults:       aws.Int32(r.e.opts.PageSize),
		NextToken:        r.token,
	}
	out, err := r.e.client.GetQueryResults(ctx, in)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("athena: query %s: get results: %w", r.id, ctx.Err())
		}
		return fmt.Errorf("athena: query %s: get results: %w", r.id, awserr.Explain(err, r.e.opts.Hints))
	}
	r.page, r.pos = nil, 0
	if rs := out.ResultSet; rs != nil {
		r.page = rs.Rows
		if !r.read {
			if rs.ResultSetMetadata != nil {
				r.setColumns(rs.ResultSetMetadata.ColumnInfo)
			}
			if len(r.page) > 0 && isHeader(r.page[0], rs.ResultSetMetadata) {
				r.pos = 1
			}
		}
	}
	r.read = true
	r.token = out.NextToken
	if aws.ToString(r.token) == "" {
		r.token = nil
	}
	return nil
}

func (r *rows) setColumns(info []types.ColumnInfo) {
	r.cols = make([]query.Column, len(info))
	r.conv = make([]converter, len(info))
	for i, c := range info {
		r.cols[i] = query.Column{Name: aws.ToString(c.Name), Type: columnType(c)}
		r.conv[i] = converterFor(aws.ToString(c.Type))
	}
}

// convert turns one Athena row into Go values, one per column. A row shorter
// than the metadata is padded with nils; without metadata every value is a string.
func (r *rows) convert(row types.Row) []any {
	n := len(r.cols)
	if n == 0 {
		n = len(row.Data)
	}
	vals := make([]any, n)
	for i := range vals {
		if i >= len(row.Data) || row.Data[i].VarCharValue == nil {
			continue // NULL
		}
		s := *row.Data[i].VarCharValue
		if i < len(r.conv) {
			vals[i] = r.conv[i](s)
		} else {
			vals[i] = s
		}
	}
	return vals
}

// isHeader reports whether row repeats the column labels (Athena's header row).
func isHeader(row types.Row, md *types.ResultSetMetadata) bool {
	if md == nil || len(md.ColumnInfo) == 0 || len(row.Data) != len(md.ColumnInfo) {
		return false
	}
	for i, c := range md.ColumnInfo {
		v := row.Data[i].VarCharValue
		if v == nil {
			return false
		}
		if *v != aws.ToString(c.Label) && *v != aws.ToString(c.Name) {
			return false
		}
	}
	return true
}
