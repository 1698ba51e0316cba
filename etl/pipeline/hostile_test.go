package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
)

const hostileDir = "../../testdata/hostile"

// hostileCase is one hostile input and the outcome the README promises.
type hostileCase struct {
	name    string
	key     string                    // where the file goes in the lake
	body    func(t *testing.T) []byte // its content
	limits  pipeline.Limits
	status  string   // succeeded or failed
	errPart []string // for failed files: parts of the error (besides the file name)
	reasons map[string]int64
	rows    int64   // rows read
	lines   []int64 // lines of the rejected rows
	heapMiB uint64
}

func fixture(name string) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		b, err := os.ReadFile(filepath.Join(hostileDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

const ordersHeader = "order_num,order_id,user_id,order_timestamp,total_amount,date\n"

// TestHostileInputs runs the pipeline over each file of the hostile corpus
// (testdata/hostile, plus the big ones generated here) and checks its
// outcome, conservation, bounded memory and that nothing raw reaches the
// screen. See testdata/hostile/README.md.
func TestHostileInputs(t *testing.T) {
	cases := []hostileCase{
		{name: "invalid utf-8", key: "bronze_layer/products_invalid_utf8.csv", body: fixture("products_invalid_utf8.csv"),
			status: "succeeded", rows: 3, reasons: map[string]int64{"encoding": 1}, lines: []int64{3}},
		{name: "nul bytes", key: "bronze_layer/products_nul.csv", body: fixture("products_nul.csv"),
			status: "succeeded", rows: 2, reasons: map[string]int64{"type:product_id": 1}, lines: []int64{3}},
		{name: "escape sequences", key: "bronze_layer/products_escapes.csv", body: fixture("products_escapes.csv"),
			status: "succeeded", rows: 5, reasons: map[string]int64{"type:product_id": 1}, lines: []int64{5}},
		{name: "formula injection", key: "bronze_layer/products_formula.csv", body: fixture("products_formula.csv"),
			status: "succeeded", rows: 5, reasons: map[string]int64{"type:product_id": 1}, lines: []int64{6}},
		{name: "unterminated quote at eof", key: "bronze_layer/orders/orders_unterminated.csv", body: fixture("orders_unterminated.csv"),
			status: "succeeded", rows: 2, reasons: map[string]int64{"malformed": 1}, lines: []int64{3}},
		{name: "empty", key: "bronze_layer/orders/orders_empty.csv", body: fixture("orders_empty.csv"),
			status: "failed", errPart: []string{"file is empty"}},
		{name: "header only", key: "bronze_layer/orders/orders_header_only.csv", body: fixture("orders_header_only.csv"),
			status: "succeeded"},
		{name: "10 MB field", key: "bronze_layer/products_big_field.csv", heapMiB: 256,
			body: func(*testing.T) []byte {
				var b bytes.Buffer
				b.WriteString("product_id,department_id,department,product_name\n1,4,Books,ok\n2,4,Books,")
				b.Write(bytes.Repeat([]byte("x"), 10<<20))
				b.WriteString("\n3,4,Books,after\n")
				return b.Bytes()
			},
			status: "succeeded", rows: 3, reasons: map[string]int64{"malformed": 1}, lines: []int64{3}},
		{name: "million columns", key: "bronze_layer/orders/orders_million_columns.csv", heapMiB: 256,
			body: func(*testing.T) []byte {
				var b bytes.Buffer
				b.WriteString(strings.TrimSuffix(ordersHeader, "\n"))
				for i := range 1_000_000 {
					fmt.Fprintf(&b, ",c%06d", i)
				}
				b.WriteString("\n1,100,7,2025-04-01T10:00:00,10.50,2025-04-01\n")
				return b.Bytes()
			},
			status: "failed", errPart: []string{":1:", "header", "exceeds"}},
		{name: "gzip bomb", key: "bronze_layer/orders/orders_bomb.csv.gz", heapMiB: 256,
			limits: pipeline.Limits{MaxDecompressedBytes: 1 << 20},
			body: func(t *testing.T) []byte {
				var b bytes.Buffer
				w := gzip.NewWriter(&b)
				w.Write([]byte(ordersHeader))
				row := []byte("1,100,7,2025-04-01T10:00:00,10.50,2025-04-01\n")
				for range (64 << 20) / len(row) {
					w.Write(row)
				}
				w.Close()
				if b.Len() > 1<<20 {
					t.Fatalf("bomb is %d bytes compressed", b.Len())
				}
				return b.Bytes()
			},
			status: "failed", errPart: []string{"decompressed size exceeds the limit"}},
		{name: "odd key", key: "bronze_layer/orders/orders 2025 #1 +50% ünïcødé.csv",
			body: func(*testing.T) []byte {
				return []byte(ordersHeader + "1,100,7,2025-04-01T10:00:00,10.50,2025-04-01\n")
			},
			status: "succeeded", rows: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			lk, _ := newLake(t)
			body := c.body(t)
			if err := lk.Store.Put(ctx, c.key, bytes.NewReader(body)); err != nil {
				t.Fatal(err)
			}
			body = nil
			var sum *pipeline.Summary
			peak, total := measure(func() {
				var err error
				sum, err = pipeline.Run(ctx, lk, pipeline.Options{Limits: c.limits})
				if err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%s: peak heap %.1f MiB, allocated %.1f MiB", c.name, float64(peak)/(1<<20), float64(total)/(1<<20))
			if c.heapMiB > 0 && peak > c.heapMiB<<20 {
				t.Errorf("peak heap %d MiB, want < %d MiB", peak>>20, c.heapMiB)
			}
			if len(sum.Files) != 1 {
				t.Fatalf("%d results: %+v", len(sum.Files), sum.Files)
			}
			f := sum.Files[0]
			t.Logf("%s: %s read=%d accepted=%d rejected=%d %v %q", f.File, f.Status, f.RowsRead, f.Accepted, f.Rejected, f.RejectedByReason, f.Error)
			if f.File != c.key || f.Status != c.status {
				t.Fatalf("%s: status %s (%q), want %s", f.File, f.Status, f.Error, c.status)
			}
			checkOutcome(t, ctx, lk, f, c)
		})
	}
}

func checkOutcome(t *testing.T, ctx context.Context, lk *lake.Lake, f pipeline.FileResult, c hostileCase) {
	t.Helper()
	if c.status == "failed" {
		if !strings.Contains(f.Error, f.File) {
			t.Errorf("error %q does not name the file", f.Error)
		}
		for _, p := range c.errPart {
			if !strings.Contains(f.Error, p) {
				t.Errorf("error %q lacks %q", f.Error, p)
			}
		}
		if len(f.Error) > 1024 {
			t.Errorf("error is %d bytes long", len(f.Error))
		}
		assertClean(t, "error", f.Error)
	} else {
		if f.Error != "" {
			t.Errorf("error %q on a succeeded file", f.Error)
		}
		if f.RowsRead != c.rows {
			t.Errorf("read %d rows, want %d", f.RowsRead, c.rows)
		}
		if fmt.Sprint(f.RejectedByReason) != fmt.Sprint(orEmpty(c.reasons)) {
			t.Errorf("rejected by reason %v, want %v", f.RejectedByReason, c.reasons)
		}
	}
	// Conservation: every row read is accepted or rejected, and the tables
	// hold exactly that (nothing at all for a failed file).
	if f.RowsRead != f.Accepted+f.Rejected {
		t.Errorf("read %d != accepted %d + rejected %d", f.RowsRead, f.Accepted, f.Rejected)
	}
	ds := f.Dataset
	if got := silverRows(t, lk, ds); int64(len(got)) != f.Accepted {
		t.Errorf("silver %s holds %d rows, accepted %d", ds, len(got), f.Accepted)
	} else {
		renderClean(t, "silver rows", got)
	}
	rows, err := rejects.Read(ctx, lk, ds, rejects.Filter{})
	if err != nil && !errors.Is(err, storage.ErrNotExist) {
		t.Fatal(err)
	}
	if int64(len(rows)) != f.Rejected {
		t.Errorf("rejected/%s holds %d rows, run rejected %d", ds, len(rows), f.Rejected)
	}
	var cells [][]string
	for i, r := range rows {
		if i < len(c.lines) && r.Line != c.lines[i] {
			t.Errorf("reject at line %d, want line %d", r.Line, c.lines[i])
		}
		t.Logf("reject line %d %v: %d raw bytes (escaped %v)", r.Line, r.Reasons, len(r.Raw), r.RawEscaped)
		if r.File != f.File || r.Line < 1 || len(r.Reasons) == 0 {
			t.Errorf("reject lacks its place or reason: %+v", r)
		}
		// The raw text is kept (escaped when it is not UTF-8) and round-trips.
		if r.Raw == "" {
			t.Errorf("reject at line %d lost its raw text", r.Line)
		}
		if r.RawEscaped && !strings.Contains(r.Raw, `\x`) {
			t.Errorf("escaped raw %q has no escapes", r.Raw)
		}
		cells = append(cells, []string{r.File, fmt.Sprint(r.Line), strings.Join(r.Reasons, ";"), r.Raw})
		assertClean(t, "sanitized raw", textfmt.Sanitize(r.Raw))
	}
	renderClean(t, "rejects", cells)
	assertClean(t, "sanitized file name", textfmt.Sanitize(f.File))
}

func orEmpty(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// silverRows reads a silver table as text cells (none when it does not exist).
func silverRows(t *testing.T, lk *lake.Lake, ds string) [][]string {
	t.Helper()
	snap, err := lk.Silver(ds).Snapshot(context.Background())
	if err != nil {
		if errors.Is(err, storage.ErrNotExist) || strings.Contains(err.Error(), "not a Delta table") || strings.Contains(err.Error(), "no Delta") {
			return nil
		}
		t.Fatal(err)
	}
	var out [][]string
	for row, err := range snap.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		var cells []string
		for _, v := range row {
			cells = append(cells, fmt.Sprint(v))
		}
		out = append(out, cells)
	}
	return out
}

// renderClean draws cells with the console's table component and checks no
// terminal control byte is in the frame.
func renderClean(t *testing.T, what string, cells [][]string) {
	t.Helper()
	if len(cells) == 0 {
		return
	}
	var cols []table.Column
	for i := range cells[0] {
		cols = append(cols, table.Column{Title: fmt.Sprint("c", i), Max: 200})
	}
	m := table.New(cols...)
	m.SetRows(cells)
	// With a style-free theme the frame must hold no control byte at all;
	// with the colour theme, only the theme's own SGR sequences.
	assertClean(t, what+" frame", m.Render(400, len(cells)+5, &ui.Theme{}))
	frame := m.Render(400, len(cells)+5, ui.NewTheme(true, false))
	assertClean(t, what+" styled frame", sgr.ReplaceAllString(frame, ""))
}

// sgr matches a Select Graphic Rendition sequence (what themes emit).
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// assertClean fails when s holds ESC, BEL or a C1 control (raw or UTF-8 encoded).
func assertClean(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		if r == 0x1b || r == 0x07 || r == 0 || (r >= 0x80 && r < 0xa0) {
			t.Errorf("%s: control %U at byte %d: %q", what, r, i, s[max(0, i-20):min(len(s), i+20)])
			return
		}
	}
	if strings.ContainsAny(s, "\x1b\x07\x9b\x9d") {
		t.Errorf("%s: raw control byte in %q", what, s)
	}
}

// measure runs fn, sampling the live heap every millisecond; it returns the
// peak HeapAlloc and the bytes allocated during fn.
func measure(fn func()) (peak, total uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	start := ms.TotalAlloc
	peak = ms.HeapAlloc
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		var s runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				runtime.ReadMemStats(&s)
				mu.Lock()
				peak = max(peak, s.HeapAlloc)
				mu.Unlock()
			}
		}
	}()
	fn()
	close(stop)
	<-done
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapAlloc), ms.TotalAlloc - start
}

// TestHostileFileChangesWhileRead rewrites a raw file while the pipeline
// validates it: the file fails with "changed while" and nothing is written
// for it (no silver rows, no rejects); the other file of the run commits.
func TestHostileFileChangesWhileRead(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	const key = "bronze_layer/orders/orders_changing.csv"
	putFile(t, lk.Store, key, ordersHeader+"1,100,7,2025-04-01T10:00:00,10.50,2025-04-01\n2,200,8,bad,20.00,2025-04-01\n")
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV)
	var once sync.Once
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Progress: func(e pipeline.Event) {
		if e.File == key && e.Stage == pipeline.StageScan {
			once.Do(func() {
				putFile(t, lk.Store, key, ordersHeader+"3,300,9,2025-04-02T10:00:00,30.00,2025-04-02\n4,400,9,2025-04-02T11:00:00,40.00,2025-04-02\n")
			})
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		t.Logf("%s: %s %q", f.File, f.Status, f.Error)
		switch f.File {
		case key:
			if f.Status != "failed" || !strings.Contains(f.Error, "changed while") || !strings.Contains(f.Error, key) {
				t.Errorf("changing file: %s %q", f.Status, f.Error)
			}
		default:
			if f.Status != "succeeded" {
				t.Errorf("%s: %s %q", f.File, f.Status, f.Error)
			}
		}
	}
	if n := len(silverRows(t, lk, "orders")); n != 0 {
		t.Errorf("orders holds %d rows from a file that failed", n)
	}
	rows, err := rejects.Read(ctx, lk, "orders", rejects.Filter{})
	if err != nil && !errors.Is(err, storage.ErrNotExist) {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("rejected/orders holds %d rows from a file that failed", len(rows))
	}
	if n := countRows(t, lk, "products"); n != 2 {
		t.Errorf("products holds %d rows, want 2", n)
	}
}

// TestHostileKeys: the folder store refuses keys that would leave its root
// and keeps odd-but-safe names as they are.
func TestHostileKeys(t *testing.T) {
	ctx := context.Background()
	lk, dir := newLake(t)
	for _, k := range []string{"../escape.csv", "bronze_layer/../../escape.csv", "/etc/passwd", "bronze_layer/a/../../../x.csv",
		"..", "bronze_layer/..", "bronze_layer/./x.csv", "bronze_layer//x.csv", "bronze_layer\\..\\..\\x.csv", "bronze_layer/x\x00.csv"} {
		err := lk.Store.Put(ctx, k, strings.NewReader("x"))
		if !errors.Is(err, storage.ErrInvalidKey) {
			// A backslash is an ordinary character on POSIX: accept only if it stayed inside.
			if err == nil && strings.Contains(k, `\`) {
				if _, serr := os.Stat(filepath.Join(dir, filepath.FromSlash(k))); serr == nil {
					continue
				}
			}
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", k, err)
		}
		if _, err := lk.Store.Open(ctx, k, 0, -1); err == nil {
			t.Errorf("Open(%q) succeeded", k)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.csv")); err == nil {
		t.Fatal("a key escaped the store root")
	}
	for _, k := range []string{"bronze_layer/a b.csv", "bronze_layer/ünïcødé.csv", "bronze_layer/50%.csv", "bronze_layer/a+b.csv",
		"bronze_layer/#1.csv", "bronze_layer/%2e%2e/x.csv", "bronze_layer/..x.csv", "bronze_layer/x...csv"} {
		putFile(t, lk.Store, k, "x")
		info, err := lk.Store.Stat(ctx, k)
		if err != nil || info.Key != k {
			t.Errorf("Stat(%q) = %+v, %v", k, info, err)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k))); err != nil {
			t.Errorf("%q not stored under its own name: %v", k, err)
		}
	}
}
