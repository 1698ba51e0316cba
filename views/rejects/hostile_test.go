package rejects

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

const hostileProducts = "bronze_layer/products_hostile.csv"

// Every row is rejected (product_id is not a number, or department_id is
// missing), so each raw record lands in rejected_products as it was.
var hostileRaws = []string{
	`"=cmd|' /C calc'!A0",4,Books,x`,
	"+1+1,4,Books,x",
	"-2,,Books,x",
	"@SUM(A1),4,Books,x",
	"\t=1+2,4,Books,tab",
	"\x1b]52;c;ZXZpbA==\x07,4,Books,osc52",
	"7\x1b[31m,4,Books,\x1b[2Jred",
	"8,,Books,\x1b]0;title\x07",
	"9x,4,Books,\xc2\x9b31m c1",
}

// sgrSeq matches a Select Graphic Rendition sequence (what themes emit).
var sgrSeq = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// TestHostileExportAndScreen exports rejected rows holding formula and
// escape-sequence cells: every formula cell is guarded with a single quote,
// the file keeps the data, and no escape sequence from data reaches the
// screen (list, file picker or detail pane).
func TestHostileExportAndScreen(t *testing.T) {
	ctx := context.Background()
	lk := opstest.EmptyLake(t)
	o, _ := opstest.Ops(t, lk)
	body := "product_id,department_id,department,product_name\n" + strings.Join(hostileRaws, "\n") + "\n"
	put(t, lk, hostileProducts, body)
	sum := opstest.Run(t, lk, hostileProducts)
	if f := sum.Files[0]; f.Status != "succeeded" || f.Rejected != int64(len(hostileRaws)) {
		t.Fatalf("run: %+v", f)
	}
	stored, err := o.Rejects(ctx, "products", ops.RejectFilter{})
	if err != nil || len(stored) != len(hostileRaws) {
		t.Fatalf("rejected_products: %d rows, %v", len(stored), err)
	}

	out := t.TempDir()
	m := New(o, ExportDir(out))
	m.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	h := viewtest.New(t, m)
	h.Send(ui.ShowRejects{Dataset: "products", File: hostileProducts})
	screens := []string{h.Frame()}

	h.Press("e", "c")
	path := filepath.Join(out, "rejects-products-20260102-030405.csv")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || n.Error || !strings.Contains(n.Text, path) {
		t.Fatalf("notify: %+v", h.Out)
	}
	screens = append(screens, h.Frame())
	recs := readCSV(t, path)
	if len(recs) != len(hostileRaws)+1 {
		t.Fatalf("export has %d records", len(recs))
	}
	byLine := map[string]ops.RejectRow{}
	for _, r := range stored {
		byLine[r.Raw] = r
	}
	for _, rec := range recs[1:] {
		cell := rec[7]
		raw := cell
		if strings.HasPrefix(cell, "'") {
			raw = cell[1:]
		}
		r, ok := byLine[raw]
		if !ok {
			t.Errorf("exported raw %q is not a stored reject (data altered)", cell)
			continue
		}
		guard := raw != "" && strings.ContainsRune("=+-@\t\r", rune(raw[0]))
		if guard != strings.HasPrefix(cell, "'") {
			t.Errorf("raw %q exported as %q: guard %v", raw, cell, guard)
		}
		for i, c := range rec {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("column %d holds an unguarded formula %q", i, c)
			}
		}
		if rec[1] != hostileProducts || rec[3] != strings.Join(r.Reasons, ";") {
			t.Errorf("export row %q does not match %+v", rec, r)
		}
		delete(byLine, raw)
	}
	if len(byLine) != 0 {
		t.Errorf("rows missing from the export: %v", byLine)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "\x1b]52;c;ZXZpbA==\x07") {
		t.Error("the export lost the escape bytes of the data")
	}

	// Every row's detail pane, and the file picker.
	for i := range m.shown {
		m.list.SelectRow(i)
		h.Press("enter")
		screens = append(screens, h.Frame())
		h.Press("esc")
	}
	h.Press("f")
	screens = append(screens, h.Frame())
	h.Press("esc")
	for _, s := range screens {
		checkScreen(t, sgrSeq.ReplaceAllString(s, ""))
	}
	// With a style-free theme there is no escape byte at all.
	h.Ctx.Theme = &ui.Theme{}
	checkScreen(t, h.Frame())
	h.Press("enter")
	checkScreen(t, h.Frame())
	if s := h.Screen(); !strings.Contains(s, `\x9b31m`) {
		t.Errorf("the detail pane does not show the escaped control bytes:\n%s", s)
	}
}

func checkScreen(t *testing.T, s string) {
	t.Helper()
	for i, r := range s {
		if r == 0x1b || r == 0x07 || r == 0 || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("control %U reached the screen at byte %d: %q", r, i, s[max(0, i-30):min(len(s), i+30)])
		}
	}
}
