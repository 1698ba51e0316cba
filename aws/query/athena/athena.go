// Package athena implements query.Engine on Amazon Athena with
// aws-sdk-go-v2.
//
// A query is started with StartQueryExecution (database and catalog as the
// query execution context, the workgroup, and the output location when one is
// configured), then GetQueryExecution is polled with exponential backoff
// (Options.PollMin doubling up to Options.PollMax) until the query SUCCEEDED,
// FAILED or was CANCELLED. Cancelling the context while the query runs sends
// StopQueryExecution (with its own short timeout, so the stop still goes out)
// and returns the context's error. A FAILED query returns a *QueryError that
// carries Athena's StateChangeReason and its error category and type exactly
// as Athena reports them.
//
// Results are read lazily with GetQueryResults, page by page (NextToken). For
// a SELECT, Athena sends the column labels as the first row of the first page;
// that row is skipped (see Rows). Values are converted by the column type that
// Athena reports in ResultSetMetadata.ColumnInfo:
//
//	tinyint, smallint, integer/int, bigint   int64
//	double, float, real                      float64 (NaN and ±Infinity included)
//	boolean                                  bool
//	timestamp                                time.Time in UTC (Athena's timestamps have no zone)
//	timestamp with time zone                 time.Time in the zone Athena names
//	varbinary                                []byte (Athena renders it as spaced hex)
//	decimal, date, time, varchar, char,      string, exactly as Athena renders it
//	  array, map, row, json, and the rest
//	SQL NULL (a Datum without VarCharValue)  nil
//
// A value that does not parse as its column's type is kept as the string
// Athena sent, so a surprising rendering never hides a result.
//
// Stats report the query execution id, the engine's execution time, the bytes
// scanned and an estimate of the cost at Options.PricePerTB (see EstimateCost
// for Athena's billing rules: rounded up to the megabyte, 10 MB minimum, DDL
// and failed queries free).
package athena

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/internal/bufferedhttp"
	"github.com/lakeops/lakeops/aws/query"
)

// Defaults for Options.
const (
	DefaultCatalog     = "AwsDataCatalog"
	DefaultPollMin     = 100 * time.Millisecond
	DefaultPollMax     = 2 * time.Second
	DefaultPageSize    = 1000 // the most GetQueryResults returns per page
	DefaultStopTimeout = 5 * time.Second
)

// Options configure an Engine. The zero value of every field selects its default.
type Options struct {
	Database       string // Glue database the query runs in (QueryExecutionContext.Database)
	Workgroup      string // Athena workgroup; empty lets Athena use "primary"
	OutputLocation string // s3://bucket/prefix/ for results; empty uses the workgroup's setting
	Catalog        string // data catalog; default AwsDataCatalog

	// ReadOnly refuses, before anything is sent, statements whose leading
	// keywords are not those of a query (see readOnlyRefusal). The
	// workgroup's IAM policy is the real guard; this one stops mistakes.
	ReadOnly bool

	// Hints are what an explained AWS failure (awserr) may name: the
	// profile in use.
	Hints awserr.Hints

	// PricePerTB is the price in USD per terabyte scanned used for Stats.CostUSD.
	// Zero selects the list price of the client's region (PriceForRegion).
	PricePerTB float64

	// PollMin and PollMax bound the wait between GetQueryExecution polls: the
	// first wait is PollMin, each next one doubles, capped at PollMax.
	PollMin, PollMax time.Duration

	// PageSize is GetQueryResults' MaxResults (1..1000); default 1000.
	PageSize int32

	// StopTimeout bounds the StopQueryExecution call sent when the context of
	// a running query is cancelled; default 5 s.
	StopTimeout time.Duration

	// Now and Sleep are the clock; tests replace them. Sleep waits d or until
	// ctx is done, returning ctx.Err() in the latter case.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Engine runs SQL on Athena. It is safe for concurrent use.
type Engine struct {
	client *athena.Client
	opts   Options
	price  float64
}

var _ query.Engine = (*Engine)(nil)

// New returns an Athena engine using cfg (region, credentials, endpoint) and opts.
func New(cfg aws.Config, opts Options) *Engine {
	if opts.Catalog == "" {
		opts.Catalog = DefaultCatalog
	}
	if opts.PollMin <= 0 {
		opts.PollMin = DefaultPollMin
	}
	if opts.PollMax <= 0 {
		opts.PollMax = DefaultPollMax
	}
	if opts.PollMax < opts.PollMin {
		opts.PollMax = opts.PollMin
	}
	if opts.PageSize <= 0 || opts.PageSize > DefaultPageSize {
		opts.PageSize = DefaultPageSize
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = DefaultStopTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	price := opts.PricePerTB
	if price <= 0 {
		price, _ = PriceForRegion(cfg.Region)
	}
	return &Engine{client: athena.NewFromConfig(bufferedhttp.Config(cfg)), opts: opts, price: price}
}

// Name is "athena".
func (e *Engine) Name() string { return "athena" }

// Close releases nothing: the engine holds no connection of its own.
func (e *Engine) Close() error { return nil }

// PricePerTB is the price in USD per terabyte scanned that Stats use.
func (e *Engine) PricePerTB() float64 { return e.price }

// QueryError is a query that ended FAILED or CANCELLED (by someone else),
// with Athena's own words.
type QueryError struct {
	QueryID string
	State   string // "FAILED" or "CANCELLED"
	// Reason is Status.StateChangeReason, verbatim.
	Reason string
	// Category and Type are AthenaError.ErrorCategory (1 system, 2 user,
	// 3 other) and AthenaError.ErrorType; 0 when Athena sent none.
	Category, Type int32
	// Message is AthenaError.ErrorMessage, verbatim.
	Message   string
	Retryable bool
}

func (e *QueryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "athena: query %s %s", e.QueryID, e.State)
	switch {
	case e.Reason != "":
		b.WriteString(": " + e.Reason)
	case e.Message != "":
		b.WriteString(": " + e.Message)
	}
	if e.Category != 0 || e.Type != 0 {
		fmt.Fprintf(&b, " (error category %d", e.Category)
		if name := categoryName(e.Category); name != "" {
			b.WriteString(" " + name)
		}
		fmt.Fprintf(&b, ", error type %d)", e.Type)
	}
	if e.Message != "" && e.Reason != "" && e.Message != e.Reason {
		b.WriteString(": " + e.Message)
	}
	if e.Retryable {
		b.WriteString(" [retryable]")
	}
	return b.String()
}

func categoryName(c int32) string {
	switch c {
	case 1:
		return "(system)"
	case 2:
		return "(user)"
	case 3:
		return "(other)"
	}
	return ""
}

// Query starts sql, waits for it to finish and returns its rows. Cancelling
// ctx before the query finishes stops it on Athena and returns ctx's error.
func (e *Engine) Query(ctx context.Context, sql string) (query.Rows, error) {
	if e.opts.ReadOnly {
		if err := readOnlyRefusal(sql); err != nil {
			return nil, err
		}
	}
	started := e.opts.Now()
	in := &athena.StartQueryExecutionInput{
		QueryString: aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{
			Catalog: aws.String(e.opts.Catalog),
		},
	}
	if e.opts.Database != "" {
		in.QueryExecutionContext.Database = aws.String(e.opts.Database)
	}
	if e.opts.Workgroup != "" {
		in.WorkGroup = aws.String(e.opts.Workgroup)
	}
	if e.opts.OutputLocation != "" {
		if !strings.HasPrefix(e.opts.OutputLocation, "s3://") {
			return nil, fmt.Errorf("athena: output location %q is not an s3:// URI", e.opts.OutputLocation)
		}
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(e.opts.OutputLocation)}
	}
	out, err := e.client.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("athena: start query: %w", awserr.Explain(err, e.opts.Hints))
	}
	id := aws.ToString(out.QueryExecutionId)
	if id == "" {
		return nil, errors.New("athena: start query: no query execution id in the response")
	}
	qe, err := e.wait(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &rows{e: e, id: id, stats: e.stats(id, qe, started)}
	if err := r.fetch(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// wait polls GetQueryExecution until the query reaches a final state.
func (e *Engine) wait(ctx context.Context, id string) (*types.QueryExecution, error) {
	delay := e.opts.PollMin
	for {
		out, err := e.client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() != nil {
				return nil, e.stop(ctx, id)
			}
			return nil, fmt.Errorf("athena: query %s: get query execution: %w", id, awserr.Explain(err, e.opts.Hints))
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return nil, fmt.Errorf("athena: query %s: get query execution: no status in the response", id)
		}
		switch qe.Status.State {
		case types.QueryExecutionStateSucceeded:
			return qe, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return nil, queryError(id, qe.Status)
		}
		if err := e.opts.Sleep(ctx, delay); err != nil {
			return nil, e.stop(ctx, id)
		}
		delay = min(2*delay, e.opts.PollMax)
	}
}

// stop sends StopQueryExecution for a query whose context is done, with a
// context of its own, and returns the cancelled context's error (wrapped).
func (e *Engine) stop(ctx context.Context, id string) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.StopTimeout)
	defer cancel()
	_, err := e.client.StopQueryExecution(sctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)})
	cause := ctx.Err()
	if cause == nil {
		cause = context.Canceled
	}
	if err != nil {
		return fmt.Errorf("athena: query %s cancelled, but stopping it failed (%v): %w", id, err, cause)
	}
	return fmt.Errorf("athena: query %s stopped: %w", id, cause)
}

func queryError(id string, st *types.QueryExecutionStatus) *QueryError {
	qerr := &QueryError{QueryID: id, State: string(st.State), Reason: aws.ToString(st.StateChangeReason)}
	if ae := st.AthenaError; ae != nil {
		qerr.Category = aws.ToInt32(ae.ErrorCategory)
		qerr.Type = aws.ToInt32(ae.ErrorType)
		qerr.Message = aws.ToString(ae.ErrorMessage)
		qerr.Retryable = ae.Retryable
	}
	return qerr
}

// stats turns a finished query execution into query.Stats.
func (e *Engine) stats(id string, qe *types.QueryExecution, started time.Time) query.Stats {
	st := query.Stats{QueryID: id}
	st.Elapsed = e.opts.Now().Sub(started)
	s := qe.Statistics
	if s == nil {
		return st
	}
	switch {
	case s.EngineExecutionTimeInMillis != nil:
		st.Elapsed = time.Duration(*s.EngineExecutionTimeInMillis) * time.Millisecond
	case s.TotalExecutionTimeInMillis != nil:
		st.Elapsed = time.Duration(*s.TotalExecutionTimeInMillis) * time.Millisecond
	}
	st.BytesScanned = aws.ToInt64(s.DataScannedInBytes)
	reused := s.ResultReuseInformation != nil && s.ResultReuseInformation.ReusedPreviousResult
	free := qe.StatementType == types.StatementTypeDdl || qe.StatementType == types.StatementTypeUtility
	if !free && !reused {
		st.CostUSD = EstimateCost(st.BytesScanned, e.price)
	}
	return st
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
