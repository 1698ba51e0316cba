package athena

import (
	"context"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakeops/lakeops/aws/query"
)

const queryID = "5c1e2f3a-9b7d-4e21-8f60-0a1b2c3d4e5f"

// fakeClock replaces Options.Now and Options.Sleep: sleeping advances the
// clock at once and is recorded.
type fakeClock struct {
	now     time.Time
	sleeps  []time.Duration
	onSleep func(n int) // called after the n-th sleep is recorded
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	if c.onSleep != nil {
		c.onSleep(len(c.sleeps))
	}
	return ctx.Err()
}

func (c *fakeClock) options(o Options) Options {
	o.Now, o.Sleep = c.Now, c.Sleep
	return o
}

func count(ops []string, op string) int {
	n := 0
	for _, o := range ops {
		if o == op {
			n++
		}
	}
	return n
}

func readAll(t *testing.T, r query.Rows) [][]any {
	t.Helper()
	var out [][]any
	for {
		row, err := r.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, row)
	}
}

func TestProtocolSelectAcrossTwoPages(t *testing.T) {
	f := newFakeService(t, "AmazonAthena.",
		reply{Op: "StartQueryExecution", File: "start-query-execution.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-queued.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-running.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-running.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-succeeded.json"},
		reply{Op: "GetQueryResults", File: "get-query-results-page1.json"},
		reply{Op: "GetQueryResults", File: "get-query-results-page2.json"},
	)
	clock := newFakeClock()
	e := New(f.Config(), clock.options(Options{
		Database:       "lakeops",
		Workgroup:      "lakeops",
		OutputLocation: "s3://lakeops-athena-results/queries/",
	}))
	const sql = "SELECT order_id, add_to_cart_order, total_amount, date, order_timestamp, reordered, ratio, department FROM order_items"
	rows, err := e.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	defer rows.Close()

	// The start request.
	start := f.Requests()[0]
	if got := field(start.Body, "QueryString"); got != sql {
		t.Errorf("QueryString = %v", got)
	}
	if got := field(start.Body, "WorkGroup"); got != "lakeops" {
		t.Errorf("WorkGroup = %v", got)
	}
	if got := field(start.Body, "ResultConfiguration", "OutputLocation"); got != "s3://lakeops-athena-results/queries/" {
		t.Errorf("ResultConfiguration.OutputLocation = %v", got)
	}
	wantCtx := map[string]any{"Database": "lakeops", "Catalog": "AwsDataCatalog"}
	if got := field(start.Body, "QueryExecutionContext"); !reflect.DeepEqual(got, wantCtx) {
		t.Errorf("QueryExecutionContext = %v, want %v", got, wantCtx)
	}
	if tok, _ := field(start.Body, "ClientRequestToken").(string); tok == "" {
		t.Errorf("no ClientRequestToken (idempotency token) in %v", start.Body)
	}

	// Polling: 4 GetQueryExecution calls with 3 sleeps between them, doubling;
	// only the first result page is read before Query returns.
	ops := f.Ops()
	if n := count(ops, "GetQueryExecution"); n != 4 {
		t.Errorf("%d GetQueryExecution polls, want 4 (ops %v)", n, ops)
	}
	if n := count(ops, "GetQueryResults"); n != 1 {
		t.Errorf("%d GetQueryResults before the first Next, want 1", n)
	}
	if want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}; !reflect.DeepEqual(clock.sleeps, want) {
		t.Errorf("sleeps = %v, want %v", clock.sleeps, want)
	}
	for _, c := range f.Requests()[1:5] {
		if got := field(c.Body, "QueryExecutionId"); got != queryID {
			t.Errorf("%s QueryExecutionId = %v", c.Op, got)
		}
	}

	wantCols := []query.Column{
		{Name: "order_id", Type: "bigint"},
		{Name: "add_to_cart_order", Type: "integer"},
		{Name: "total_amount", Type: "decimal(12,2)"},
		{Name: "date", Type: "date"},
		{Name: "order_timestamp", Type: "timestamp"},
		{Name: "reordered", Type: "boolean"},
		{Name: "ratio", Type: "double"},
		{Name: "department", Type: "varchar"},
	}
	if got := rows.Columns(); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("Columns = %v\nwant %v", got, wantCols)
	}

	got := readAll(t, rows)
	ts := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05.000", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := [][]any{
		{int64(2539329), int64(1), "113.50", "2026-11-20", ts("2026-11-20 08:15:42.000"), true, 0.25, "dairy eggs"},
		{int64(2398795), int64(2), "7.05", "2026-11-21", ts("2026-11-21 23:59:59.123"), false, 0.001, "produce"},
		{int64(473747), int64(3), "21.99", "2026-11-22", ts("2026-11-22 00:00:00.000"), nil, math.NaN(), ""},
		{int64(2254736), nil, nil, nil, nil, true, math.Inf(-1), nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d (header skipped, two pages): %v", len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			if !sameValue(got[i][j], want[i][j]) {
				t.Errorf("row %d col %s = %#v (%T), want %#v (%T)", i, wantCols[j].Name, got[i][j], got[i][j], want[i][j], want[i][j])
			}
		}
	}
	if tsv, ok := got[0][4].(time.Time); ok && tsv.Location() != time.UTC {
		t.Errorf("timestamp location %v, want UTC", tsv.Location())
	}
	if _, err := rows.Next(context.Background()); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}

	// The second page was asked for with the first page's token.
	reqs := f.Requests()
	p1, p2 := reqs[5], reqs[6]
	if field(p1.Body, "NextToken") != nil {
		t.Errorf("first GetQueryResults has a NextToken: %v", p1.Body)
	}
	if got := field(p1.Body, "MaxResults"); got != float64(1000) {
		t.Errorf("MaxResults = %v, want 1000", got)
	}
	if got := field(p2.Body, "NextToken"); got != "AVdDz1EbqYbH0OtUQhPXZ2rdK3sYvkPA6ZHTdvjJ6PLk7YbbqaXDHLzsOPsm6b5d2VyoHPfTlxYI1kqbSDyvWmCzW8VsQKEuig==" {
		t.Errorf("second GetQueryResults NextToken = %v", got)
	}
	if got := field(p2.Body, "QueryExecutionId"); got != queryID {
		t.Errorf("second GetQueryResults QueryExecutionId = %v", got)
	}

	// Stats: engine time, data scanned, cost at us-east-1's $5/TB with
	// 123456789 bytes rounded up to 124 MB.
	st := rows.Stats()
	if st.QueryID != queryID || st.Elapsed != 1834*time.Millisecond || st.BytesScanned != 123456789 {
		t.Errorf("Stats = %+v", st)
	}
	if want := 124e6 / 1e12 * 5.0; math.Abs(st.CostUSD-want) > 1e-12 {
		t.Errorf("CostUSD = %v, want %v", st.CostUSD, want)
	}
	f.Done()
}

func sameValue(a, b any) bool {
	if fa, ok := a.(float64); ok {
		if fb, ok := b.(float64); ok {
			return fa == fb || (math.IsNaN(fa) && math.IsNaN(fb))
		}
	}
	if ta, ok := a.(time.Time); ok {
		if tb, ok := b.(time.Time); ok {
			return ta.Equal(tb)
		}
	}
	return reflect.DeepEqual(a, b)
}

// A utility statement with default options: no workgroup or output location
// sent, the poll interval capped at PollMax, no header row to skip, no cost.
func TestProtocolUtilityStatementBackoffCapped(t *testing.T) {
	script := []reply{{Op: "StartQueryExecution", File: "start-query-execution.json"}}
	for range 7 {
		script = append(script, reply{Op: "GetQueryExecution", File: "get-query-execution-running.json"})
	}
	script = append(script,
		reply{Op: "GetQueryExecution", File: "get-query-execution-succeeded-utility.json"},
		reply{Op: "GetQueryResults", File: "get-query-results-show-tables.json"},
	)
	f := newFakeService(t, "AmazonAthena.", script...)
	clock := newFakeClock()
	e := New(f.Config(), clock.options(Options{}))
	rows, err := e.Query(context.Background(), "SHOW TABLES")
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	start := f.Requests()[0]
	for _, k := range []string{"WorkGroup", "ResultConfiguration"} {
		if v, ok := start.Body[k]; ok {
			t.Errorf("%s sent without being configured: %v", k, v)
		}
	}
	if got := field(start.Body, "QueryExecutionContext"); !reflect.DeepEqual(got, map[string]any{"Catalog": "AwsDataCatalog"}) {
		t.Errorf("QueryExecutionContext = %v", got)
	}
	ms := time.Millisecond
	if want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 2000 * ms, 2000 * ms}; !reflect.DeepEqual(clock.sleeps, want) {
		t.Errorf("sleeps = %v, want %v", clock.sleeps, want)
	}
	if n := count(f.Ops(), "GetQueryExecution"); n != 8 {
		t.Errorf("%d polls, want 8", n)
	}
	got := readAll(t, rows)
	want := [][]any{{"order_items"}, {"orders"}, {"products"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v, want %v (no header row to skip)", got, want)
	}
	if st := rows.Stats(); st.CostUSD != 0 || st.Elapsed != 211*ms {
		t.Errorf("Stats = %+v, want no cost and 211ms", st)
	}
	f.Done()
}

func TestProtocolFailedSurfacesAthenaReason(t *testing.T) {
	f := newFakeService(t, "AmazonAthena.",
		reply{Op: "StartQueryExecution", File: "start-query-execution.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-running.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-failed.json"},
	)
	clock := newFakeClock()
	e := New(f.Config(), clock.options(Options{Database: "lakeops"}))
	_, err := e.Query(context.Background(), "SELECT totl_amount FROM orders")
	var qerr *QueryError
	if !errors.As(err, &qerr) {
		t.Fatalf("err = %v, want a *QueryError", err)
	}
	const reason = "COLUMN_NOT_FOUND: line 1:8: Column 'totl_amount' cannot be resolved or requester is not authorized to access requested resources"
	want := QueryError{QueryID: queryID, State: "FAILED", Reason: reason, Category: 2, Type: 1006, Message: reason}
	if *qerr != want {
		t.Errorf("QueryError = %+v\nwant %+v", *qerr, want)
	}
	msg := err.Error()
	for _, s := range []string{queryID, "FAILED", reason, "error category 2", "error type 1006"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	if ops := f.Ops(); count(ops, "StopQueryExecution") != 0 || count(ops, "GetQueryResults") != 0 {
		t.Errorf("ops after FAILED: %v", ops)
	}
	f.Done()
}

func TestProtocolCancelStopsQuery(t *testing.T) {
	f := newFakeService(t, "AmazonAthena.",
		reply{Op: "StartQueryExecution", File: "start-query-execution.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-running.json"},
		reply{Op: "GetQueryExecution", File: "get-query-execution-running.json"},
		reply{Op: "StopQueryExecution", File: "stop-query-execution.json"},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock()
	clock.onSleep = func(n int) {
		if n == 2 {
			cancel() // the user cancels during the second wait
		}
	}
	e := New(f.Config(), clock.options(Options{Database: "lakeops"}))
	_, err := e.Query(ctx, "SELECT * FROM order_items")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	reqs := f.Requests()
	last := reqs[len(reqs)-1]
	if last.Op != "StopQueryExecution" {
		t.Fatalf("last request %s, want StopQueryExecution (ops %v)", last.Op, f.Ops())
	}
	if got := field(last.Body, "QueryExecutionId"); got != queryID {
		t.Errorf("StopQueryExecution QueryExecutionId = %v, want %s", got, queryID)
	}
	if n := count(f.Ops(), "GetQueryExecution"); n != 2 {
		t.Errorf("%d polls, want 2", n)
	}
	f.Done()
}

func TestProtocolStartErrorAsAthenaGivesIt(t *testing.T) {
	f := newFakeService(t, "AmazonAthena.",
		reply{Op: "StartQueryExecution", File: "start-query-execution-invalid.json", Status: 400},
	)
	e := New(f.Config(), newFakeClock().options(Options{Database: "lakeops"}))
	_, err := e.Query(context.Background(), "SELEC 1")
	var inv *types.InvalidRequestException
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want an InvalidRequestException", err)
	}
	if inv.AthenaErrorCode == nil || *inv.AthenaErrorCode != "INVALID_INPUT" {
		t.Errorf("AthenaErrorCode = %v", inv.AthenaErrorCode)
	}
	if !strings.Contains(err.Error(), "line 1:1: mismatched input 'SELEC'") {
		t.Errorf("error %q lacks Athena's message", err)
	}
	if strings.Contains(err.Error(), "not-a-secret") {
		t.Errorf("error leaks the secret key: %q", err)
	}
	f.Done()
}

func TestProtocolTablesPaginated(t *testing.T) {
	f := newFakeService(t, "AmazonAthena.",
		reply{Op: "ListTableMetadata", File: "list-table-metadata-page1.json"},
		reply{Op: "ListTableMetadata", File: "list-table-metadata-page2.json"},
	)
	e := New(f.Config(), Options{Database: "lakeops", Workgroup: "lakeops"})
	tables, err := e.Tables(context.Background())
	if err != nil {
		t.Fatalf("Tables: %v", err)
	}
	want := []query.TableInfo{
		{
			Name: "order_items", Location: "s3://lakeops-lake/silver_layer/order_items", Version: -1,
			Columns: []query.Column{
				{Name: "id", Type: "bigint"}, {Name: "order_id", Type: "bigint"},
				{Name: "reordered", Type: "boolean"}, {Name: "date", Type: "date"},
			},
			Partitions: []string{"date"},
		},
		{
			Name: "products", Location: "s3://lakeops-lake/silver_layer/products", Version: -1,
			Columns: []query.Column{{Name: "product_id", Type: "bigint"}, {Name: "department", Type: "string"}},
		},
	}
	if !reflect.DeepEqual(tables, want) {
		t.Errorf("Tables = %+v\nwant %+v", tables, want)
	}
	reqs := f.Requests()
	for _, r := range reqs {
		if field(r.Body, "CatalogName") != "AwsDataCatalog" || field(r.Body, "DatabaseName") != "lakeops" || field(r.Body, "WorkGroup") != "lakeops" {
			t.Errorf("ListTableMetadata body %v", r.Body)
		}
	}
	if got := field(reqs[1].Body, "NextToken"); got != "ZXlKMFlXSnNaU0k2SW05eVpHVnljeUo5" {
		t.Errorf("second page NextToken = %v", got)
	}
	f.Done()
}
