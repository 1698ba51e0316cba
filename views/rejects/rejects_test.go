package rejects

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

const (
	day1    = "bronze_layer/orders/orders_2025_04_01.csv"
	hostile = "bronze_layer/orders/orders_hostile.csv"
	// Line 3 of day 1 (from the generator, seed 1): total_amount out of range.
	day1Line3 = "74,8000000000,3946,2025-04-01T17:19:00,-363.2,2025-04-01"
)

func setup(t *testing.T) (*viewtest.Harness, string, *jobs.Manager) {
	t.Helper()
	lk := opstest.Lake(t)
	body := "order_num,order_id,user_id,order_timestamp,total_amount,date\n" +
		"=1+2,20001,5,2025-04-01T10:00:00Z,10.00,2025-04-01\n" +
		"-x,20002,\"\x1b[31mred\",2025-04-01T10:00:00Z,10.00,2025-04-01\n" +
		"@SUM(A1),20003,5,2025-04-01T10:00:00Z,10.00,2025-04-01\n"
	put(t, lk, hostile, body)
	opstest.Run(t, lk, "bronze_layer/products.csv", day1, hostile)
	dir := t.TempDir()
	o, jm := opstest.Ops(t, lk)
	m := New(o, ExportDir(dir))
	m.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	return viewtest.New(t, m), dir, jm
}

var put = opstest.Put

// readCSV reads an exported CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func moveToLine(t *testing.T, h *viewtest.Harness, file string, line int64) {
	t.Helper()
	m := h.View.(*Model)
	for i, idx := range m.shown {
		if r := m.rows[idx]; r.File == file && r.Line == line {
			if !m.list.SelectRow(i) {
				t.Fatalf("row %s:%d is filtered out", file, line)
			}
			return
		}
	}
	t.Fatalf("no rejected row %s:%d", file, line)
}

func TestRowsFiltersAndDetail(t *testing.T) {
	h, _, _ := setup(t)
	h.ExpectContains("[products]", "products.csv", "required:product_id")

	h.Send(ui.ShowRejects{Dataset: "orders", File: day1})
	s := h.ExpectContains("[orders]", "file: orders/orders_2025_04_01.csv", "range:total_amount", day1Line3)
	if strings.Contains(s, "orders_hostile") {
		t.Fatal("file filter not applied")
	}

	// Detail: raw record, reasons and parsed fields with the bad cell marked.
	moveToLine(t, h, day1, 3)
	h.Press("enter")
	s = h.ExpectContains("line 3 of orders/orders_2025_04_01.csv", "reasons: range:total_amount", day1Line3,
		"fields", "column", "raw cell", "order_id", "8000000000", "total_amount", "-363.2")
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "total_amount") && !strings.Contains(l, "range:total_amount"):
			t.Fatalf("total_amount not blamed: %q", l)
		case strings.HasPrefix(l, "user_id") && !strings.Contains(l, "ok"):
			t.Fatalf("user_id should be ok: %q", l)
		}
	}
	bad, _, _ := strings.Cut(h.Ctx.Theme.Bad.Render("Z"), "Z")
	if !strings.Contains(h.Frame(), bad+"-363.2") {
		t.Fatal("bad field not highlighted")
	}
	h.Press("y")
	if c, ok := viewtest.Last[ui.Copy](h); !ok || c.Text != day1Line3 {
		t.Fatalf("copy: %+v", c)
	}
	h.Press("down") // the next rejected row of the file, in the same pane
	h.ExpectContains("line 12 of orders/orders_2025_04_01.csv")
	h.Resize(80, 24)
	h.Frame()
	h.Press("esc")

	// The reason filter cycles through the codes present; esc clears filters.
	h.Press("c")
	s = h.ExpectContains("reason: ")
	h.Press("esc")
	if m := h.View.(*Model); m.fileF != "" || m.reasonF != "" {
		t.Fatal("esc should clear the filters")
	}

	// The file picker lists the files present.
	h.Press("f")
	h.ExpectContains("pick a file", "(all files)", "orders/orders_hostile.csv")
	h.Press("end", "enter")
	s = h.ExpectContains("file: orders/orders_hostile.csv", `\x1b[31mred`)
	if strings.Contains(h.Frame(), "\x1b[31mred") {
		t.Fatal("an escape sequence from data reached the screen")
	}

	// Free text.
	h.Filter("sum(")
	h.ExpectContains("@SUM(A1)")
	h.ExpectLacks("=1+2")
	h.Press("esc")

	h.Press("d")
	h.ExpectContains("[order_items]", "no rejected rows in order_items")
	h.Resize(40, 8)
	h.Frame()
}

func TestExportGuardsFormulas(t *testing.T) {
	h, dir, _ := setup(t)
	h.Send(ui.ShowRejects{Dataset: "orders", File: hostile})
	h.Press("e")
	h.ExpectContains("export 3 rows as (c)sv or (j)son?")
	h.Press("c")
	want := filepath.Join(dir, "rejects-orders-20260102-030405.csv")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || n.Error || !strings.Contains(n.Text, want) {
		t.Fatalf("notify: %+v", h.Out)
	}
	recs := readCSV(t, want)
	if len(recs) != 4 || recs[0][7] != "raw" {
		t.Fatalf("csv: %q", recs)
	}
	for _, r := range recs[1:] {
		if c := r[7][0]; c != '\'' {
			t.Fatalf("raw cell not guarded: %q", r[7])
		}
	}
	if recs[1][7] != "'=1+2,20001,5,2025-04-01T10:00:00Z,10.00,2025-04-01" {
		t.Fatalf("guarded raw: %q", recs[1][7])
	}

	h.Press("e", "j")
	data, err := os.ReadFile(filepath.Join(dir, "rejects-orders-20260102-030405.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(data, &out); err != nil || len(out) != 3 {
		t.Fatalf("json: %v %s", err, data)
	}
	if out[0]["raw"] != "=1+2,20001,5,2025-04-01T10:00:00Z,10.00,2025-04-01" || out[0]["file"] != hostile {
		t.Fatalf("json row: %v", out[0])
	}
	// A second CSV export in the same second gets a new name.
	h.Press("e", "c")
	if _, err := os.Stat(filepath.Join(dir, "rejects-orders-20260102-030405-1.csv")); err != nil {
		t.Fatal(err)
	}
	h.Press("e", "x")
	h.ExpectContains("export cancelled")
}

func TestReprocessAsJob(t *testing.T) {
	h, _, jm := setup(t)
	h.Send(ui.ShowRejects{Dataset: "orders", File: day1})
	h.Press("p")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !strings.Contains(n.Text, "reprocess orders_2025_04_01.csv") {
		t.Fatalf("notify: %+v", h.Out)
	}
	jobsList := jm.Jobs()
	if len(jobsList) != 1 || jobsList[0].Spec.Reprocess == nil || jobsList[0].Spec.Reprocess.File != day1 ||
		jobsList[0].Spec.Reprocess.Dataset != "orders" {
		t.Fatalf("job spec: %+v", jobsList)
	}
	h.Send(opstest.WaitJobs(t, jm))
	h.ExpectContains("range:total_amount")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || n.Error || !strings.Contains(n.Text, "job 1 succeeded: 0 of 16 open rows resolved") {
		t.Fatalf("the job's end: %+v", h.Out)
	}
}

func TestSmallSizes(t *testing.T) {
	o, _ := opstest.Ops(t, opstest.Lake(t))
	h := viewtest.New(t, New(o))
	h.SmallSizes()
}

var _ Service = (*ops.Ops)(nil) // the operations layer is the Rejects view's service

// o shows only the open rows (a reprocess resolved the others), and again all.
func TestOpenRowsOnly(t *testing.T) {
	h := viewtest.New(t, New(goldenRejects{}))
	h.ExpectContains("3 rows (2 open)", "resolved")
	h.Press("o")
	h.ExpectContains("open rows only", "1/2")
	h.ExpectLacks("resolved ")
	h.Press("o")
	h.ExpectContains("1/3")
}

// :export PATH writes the rows shown to the file the user names (its
// extension says the format), never replacing one, or into a folder; a
// path of no known kind is refused naming what would do.
func TestExportToPath(t *testing.T) {
	h, dir, _ := setup(t)
	h.Send(ui.ShowRejects{Dataset: "orders", File: hostile})
	lines := filepath.Join(dir, "picked.jsonl")
	h.Send(ui.ExportTo{Path: lines})
	if n, ok := viewtest.Last[ui.Notify](h); !ok || n.Error || !strings.Contains(n.Text, "exported 3 rows to "+lines) {
		t.Fatalf("notify: %+v", h.Out)
	}
	if s := h.Screen(); strings.Contains(s, "exporting…") {
		t.Fatalf("the export is over but the list still says so:\n%s", s)
	}
	data, err := os.ReadFile(lines)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(strings.TrimSpace(string(data)), "\n") + 1; got != 3 || !strings.HasPrefix(string(data), "{") {
		t.Fatalf("jsonl export: %d lines: %s", got, data)
	}
	h.Send(ui.ExportTo{Path: lines}) // never replaced
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !n.Error || !strings.Contains(n.Text, "exists") {
		t.Fatalf("second export to the same file: %+v", h.Out)
	}
	if again, _ := os.ReadFile(lines); string(again) != string(data) {
		t.Fatal("the first export was changed")
	}
	h.Send(ui.ExportTo{Path: dir})
	if recs := readCSV(t, filepath.Join(dir, "rejects-orders-20260102-030405.csv")); len(recs) != 4 {
		t.Fatalf("folder export: %q", recs)
	}
	h.Send(ui.ExportTo{Path: filepath.Join(dir, "rows.txt")})
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !n.Error || !strings.Contains(n.Text, "name a file ending in .csv, .json or .jsonl") {
		t.Fatalf("a .txt path: %+v", h.Out)
	}
}
