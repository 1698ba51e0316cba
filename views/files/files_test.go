package files

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

var put = opstest.Put

// moveTo puts the cursor on the row whose name cell is name.
func moveTo(t *testing.T, h *viewtest.Harness, name string) {
	t.Helper()
	m := h.View.(*Model)
	for i, e := range m.entries {
		if e.Name == name {
			if !m.list.SelectRow(i) {
				t.Fatalf("%q is filtered out", name)
			}
			return
		}
	}
	t.Fatalf("no entry %q", name)
}

func TestBrowseStatusesAndRun(t *testing.T) {
	lk := opstest.Lake(t)
	put(t, lk, "bronze_layer/orders/orders_bad_header.csv", "a,b\n1,2\n")
	put(t, lk, "bronze_layer/notes.txt", "not data")
	opstest.Run(t, lk, "bronze_layer/products.csv", "bronze_layer/orders/orders_bad_header.csv")
	o, jm := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	s := h.ExpectContains("bronze_layer/", "orders/", "order_items/", "products.csv")
	if l := viewtest.LineWith(t, s, "products.csv"); !strings.Contains(l, "products") || !strings.Contains(l, ops.RawPartial) {
		t.Fatalf("products.csv should be partially rejected: %q", l)
	}
	if l := viewtest.LineWith(t, s, "notes.txt"); !strings.Contains(l, "not a raw file") {
		t.Fatalf("notes.txt: %q", l)
	}

	moveTo(t, h, "orders/")
	h.Press("enter")
	s = h.ExpectContains("bronze_layer/orders/", "orders_2025_04_01.csv", "orders_bad_header.csv")
	if l := viewtest.LineWith(t, s, "orders_bad_header.csv"); !strings.Contains(l, ops.RawFailed) {
		t.Fatalf("bad header file should have failed: %q", l)
	}
	if l := viewtest.LineWith(t, s, "orders_2025_04_01.csv"); !strings.Contains(l, "orders") || !strings.Contains(l, ops.RawNew) {
		t.Fatalf("new orders file: %q", l)
	}

	// Validate: a dry run writes nothing and reports in the result line.
	moveTo(t, h, "orders_2025_04_01.csv")
	h.Press("v")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || n.Error || !strings.Contains(n.Text, "orders_2025_04_01.csv (dry run): 316 rows") {
		t.Fatalf("validate notification: %+v", n)
	}

	// Select two files with space, run them, and land on Runs.
	moveTo(t, h, "orders_2025_04_01.csv")
	h.Press("space")
	moveTo(t, h, "orders_2025_04_02.csv")
	h.Press("space")
	h.ExpectContains("2 selected")
	h.Press("r")
	g, ok := viewtest.Last[ui.Go](h)
	if !ok {
		t.Fatalf("run should follow the job: %+v", h.Out)
	}
	if _, ok := g.To.(ui.ShowJob); !ok {
		t.Fatalf("intent: %T", g.To)
	}
	if s := h.Screen(); !strings.Contains(viewtest.LineWith(t, s, "orders_2025_04_01.csv"), ops.RawRunning) {
		t.Fatalf("a submitted file shows as running:\n%s", s)
	}
	h.Send(opstest.WaitJobs(t, jm))
	s = h.Screen()
	for _, f := range []string{"orders_2025_04_01.csv", "orders_2025_04_02.csv"} {
		if l := viewtest.LineWith(t, s, f); !strings.Contains(l, ops.RawPartial) {
			t.Fatalf("%s after the run: %q", f, l)
		}
	}

	// Esc goes up; sort cycles; the filter has its own focused input.
	h.Press("esc")
	h.ExpectContains("order_items/")
	h.Press("s")
	h.ExpectContains("sort: size")
	h.Filter("PROD")
	h.ExpectContains("products.csv")
	h.ExpectLacks("order_items/")
	h.Press("enter")
	if h.View.InputFocused() {
		t.Fatal("enter should release the input")
	}
	h.Press("esc")
	h.ExpectContains("order_items/", "products.csv")

	h.Resize(80, 24)
	h.Frame()
	h.Resize(30, 5)
	h.Frame()
}

func TestPreviewHighlightsBadCells(t *testing.T) {
	o, _ := opstest.Ops(t, opstest.Lake(t))
	h := viewtest.New(t, New(o))
	moveTo(t, h, "orders/")
	h.Press("enter")
	moveTo(t, h, "orders_2025_04_01.csv")
	h.Press("o")
	s := h.ExpectContains("preview orders_2025_04_01.csv", "first 200 records", "break a rule",
		"duplicates and references are not checked", "total_amount", "reasons", "range:total_amount")
	frame := h.Frame()
	th := h.Ctx.Theme
	bad, _, _ := strings.Cut(th.Bad.Render("Z"), "Z")
	// Line 3 of the file has total_amount -363.2: that cell is highlighted.
	if !strings.Contains(frame, bad+"-363.2") {
		t.Fatalf("bad cell not highlighted:\n%q", frame)
	}
	if !strings.Contains(viewtest.LineWith(t, s, "-363.2"), "range:total_amount") {
		t.Fatal("reason code missing on the row")
	}
	// The preview has the list's filter too.
	h.Filter("-363.2")
	if s := h.Screen(); !strings.Contains(s, "-363.2") || strings.Count(s, "range:total_amount") != 1 || !strings.Contains(s, "/-363.2") {
		t.Fatalf("filtered preview:\n%s", s)
	}
	h.Press("esc")
	// At 60 columns the counts take a line of their own instead of being cut.
	h.Resize(60, 24)
	h.ExpectContains("preview orders_2025_04_01.csv", "first 200 records", "break a rule")
	h.Resize(80, 24)
	h.Frame()
	h.Press("esc")
	h.ExpectContains("bronze_layer/orders/")
}

func TestLazyPaging(t *testing.T) {
	lk := opstest.Lake(t)
	for i := 0; i < 1100; i++ {
		put(t, lk, fmt.Sprintf("bronze_layer/many/orders_%04d.csv", i), "")
	}
	o, _ := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	moveTo(t, h, "many/")
	h.Press("enter")
	m := h.View.(*Model)
	if len(m.entries) != pageSize || !m.more {
		t.Fatalf("first page: %d entries, more %v", len(m.entries), m.more)
	}
	h.ExpectContains("500 entries+")
	// G goes to the end of the whole folder, not of the pages loaded.
	h.Press("G")
	if len(m.entries) != 1100 || m.more {
		t.Fatalf("G: %d entries, more %v", len(m.entries), m.more)
	}
	h.ExpectContains("1,100 entries", "orders_1099.csv", "1,100/1,100")
	// A stale page (an older listing generation) is dropped.
	h.Send(listedMsg{gen: m.listGen - 1, page: ops.RawPage{More: true}})
	if m.more {
		t.Fatal("stale listing was applied")
	}
}

// Sorting a folder of several pages sorts all of it: the biggest file,
// listed last, comes first under sort: size.
func TestSortCoversTheWholeFolder(t *testing.T) {
	lk := opstest.Lake(t)
	for i := 0; i < 1200; i++ {
		body := "x"
		if i == 1150 {
			body = strings.Repeat("y", 5000)
		}
		put(t, lk, fmt.Sprintf("bronze_layer/many/orders_%04d.csv", i), body)
	}
	o, _ := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	moveTo(t, h, "many/")
	h.Press("enter")
	h.ExpectContains("500 entries+")
	h.Press("s") // size
	s := h.ExpectContains("1,200 entries", "sort: size", "1/1,200")
	if l := viewtest.LineWith(t, s, "4.9 KiB"); !strings.Contains(l, "orders_1150.csv") {
		t.Fatalf("the biggest file is not first:\n%s", s)
	}
	if strings.Index(s, "orders_1150.csv") > strings.Index(s, "orders_0000.csv") {
		t.Fatalf("orders_1150.csv is not ranked first:\n%s", s)
	}
}

func TestSmallSizes(t *testing.T) {
	o, _ := opstest.Ops(t, opstest.Lake(t))
	h := viewtest.New(t, New(o))
	h.SmallSizes()
}

var _ Service = (*ops.Ops)(nil) // the operations layer is the Files view's service

// Validating order items before their orders are loaded says why their
// rows would be rejected.
func TestValidateSaysWhyReferencesFail(t *testing.T) {
	o, _ := opstest.Ops(t, opstest.Lake(t))
	h := viewtest.New(t, New(o))
	moveTo(t, h, "order_items/")
	h.Press("enter")
	moveTo(t, h, "order_items_2025_04_01.csv")
	h.Press("v")
	n, ok := viewtest.Last[ui.Notify](h)
	if !ok || !strings.Contains(n.Text, "references are checked against the tables as loaded now: load orders first") {
		t.Fatalf("validation: %+v", n)
	}
}

// F re-runs an ingested file after asking; r on a folder runs every raw
// file under it after asking; a browses the archive, whose files are
// "archived" and cannot be run from there.
func TestForceFolderAndArchive(t *testing.T) {
	lk := opstest.Lake(t)
	opstest.Run(t, lk, "bronze_layer/products.csv")
	opstest.Put(t, lk, "archive/2026/11/25/orders_2025_03_31.csv", "order_num,order_id\n")
	o, jm := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	moveTo(t, h, "products.csv")
	h.Press("F")
	h.ExpectContains("force a re-run of 1 raw file? ingested ones load again", "y/n · c: yes, checking every row")
	h.Press("n")
	if n := len(jm.Jobs()); n != 0 {
		t.Fatalf("n ran %d jobs", n)
	}
	h.Press("F", "y")
	if j := jm.Jobs(); len(j) != 1 || !j[0].Spec.Force || j[0].Spec.Files[0] != "bronze_layer/products.csv" {
		t.Fatalf("jobs after F y: %+v", j)
	}
	opstest.WaitJobs(t, jm)
	h.Press("F", "c") // the same, every row checked even of a file as its load left it
	if j := jm.Jobs(); len(j) != 2 || !j[0].Spec.Force || !j[0].Spec.Recheck || j[1].Spec.Recheck {
		t.Fatalf("jobs after F c: %+v", j)
	}
	opstest.WaitJobs(t, jm)
	h.Press("c") // no question pending: c does not run anything
	if n := len(jm.Jobs()); n != 2 {
		t.Fatalf("c alone ran a job: %d jobs", n)
	}
	moveTo(t, h, "orders/")
	h.Press("r")
	h.ExpectContains("run the 2 raw files under orders/? y/n")
	h.Press("y")
	if j := jm.Jobs(); len(j) != 3 || len(j[0].Spec.Files) != 2 || j[0].Spec.Force {
		t.Fatalf("jobs after r on a folder: %+v", j[0].Spec)
	}
	opstest.WaitJobs(t, jm)
	h.Press("a")
	h.ExpectContains("archive/", "2026/")
	h.Press("enter", "enter", "enter")
	h.ExpectContains("orders_2025_03_31.csv", "archived")
	h.Press("r")
	h.ExpectContains("archived files are not in the raw zone")
	h.Press("a")
	h.ExpectContains("bronze_layer/", "products.csv")
}

// A click selects a row; a second click on it opens it.
func TestClickRows(t *testing.T) {
	o, _ := opstest.Ops(t, opstest.Lake(t))
	h := viewtest.New(t, New(o))
	h.Frame()
	h.Send(ui.Click{X: 5, Y: 3}) // title, header, order_items/, orders/
	m := h.View.(*Model)
	if e := m.entry(); e == nil || e.Name != "orders/" {
		t.Fatalf("click selected %+v", e)
	}
	h.Send(ui.Click{X: 5, Y: 3})
	h.ExpectContains("bronze_layer/orders/")
}

// r on files that are ingested already says so (F forces) instead of a
// run that skips them; R with nothing new says so and runs nothing.
func TestRunSaysWhatIsIngestedAlready(t *testing.T) {
	lk := opstest.Lake(t)
	o, jm := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	h.Press("R")
	opstest.WaitJobs(t, jm)
	runs := len(jm.Jobs())
	if runs != 1 {
		t.Fatalf("R on a new lake ran %d jobs", runs)
	}
	h.Press("ctrl+r")
	moveTo(t, h, "products.csv")
	h.Press("r")
	h.ExpectContains("products.csv is ingested already: F forces a re-run")
	moveTo(t, h, "orders/")
	h.Press("r")
	h.ExpectContains("all 2 raw files under orders/ are ingested already: F forces a re-run")
	h.Press("R")
	h.ExpectContains("nothing new to load: every raw file is ingested (F forces a re-run)")
	if n := len(jm.Jobs()); n != runs {
		t.Fatalf("%d jobs after r and R on ingested files, want %d", n, runs)
	}
	opstest.Put(t, lk, "bronze_layer/orders/orders_2025_04_09.csv", "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,90001,5,2025-04-09T10:00:00Z,10.00,2025-04-09\n")
	h.Press("ctrl+r")
	moveTo(t, h, "orders/")
	h.Press("r")
	h.ExpectContains("run the 3 raw files under orders/? 2 ingested already (F forces them) · y/n")
}

// In a folder of one dataset the title names it once and its column gives
// the file names the room; at the root (several datasets) the column stays.
func TestOneDatasetFolderGivesNamesTheRoom(t *testing.T) {
	o, _ := opstest.Ops(t, opstest.Lake(t))
	h := viewtest.New(t, New(o))
	h.Resize(80, 24)
	root := h.ExpectContains("order_items/")
	if hdr := viewtest.LineWith(t, root, "modified"); !strings.Contains(hdr, "dataset") {
		t.Fatalf("the root's header lacks the dataset column: %q", hdr)
	}
	moveTo(t, h, "order_items/")
	h.Press("enter")
	s := h.ExpectContains("order_items/ · ", "dataset order_items", "order_items_2025_04_01.csv")
	if hdr := viewtest.LineWith(t, s, "modified"); strings.Contains(hdr, "dataset") {
		t.Fatalf("the dataset column stays in a folder of one dataset: %q", hdr)
	}
}
