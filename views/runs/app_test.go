package runs

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// inConsole runs the Runs view in the console shell under teatest with the
// relay of the manager's snapshots, as the console does.
func inConsole(t *testing.T, o *ops.Ops, jm *jobs.Manager, w, h int) (*teatest.TestModel, *uitest.Probe) {
	t.Helper()
	v := New(o)
	app := ui.NewApp(ui.AppOptions{Theme: ui.NewTheme(true, true), Views: []ui.View{v}, LakeLabel: "/tmp/lake", Jobs: jm})
	p := &uitest.Probe{Model: app}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go ui.Relay(ctx, tm.Send, ui.Feed{Changed: jm.Changed(), Message: func() tea.Msg { return jm.Snapshot() }}, ui.RelayInterval)
	return tm, p
}

var (
	percentRe = regexp.MustCompile(`(\d+)% `)
	bytesRe   = regexp.MustCompile(`of ([\d.]+ [KMG]?i?B)`)
	rowsRe    = regexp.MustCompile(`([\d,]+) rows?`)
	rateRe    = regexp.MustCompile(`([\d.]+)(k|M)? rows/s`)
)

// headerFigures reads the job screen's progress line (the one with the
// percentage and the accepted count).
func headerFigures(frame string) (pct int, bytesTotal string, rows int64, rate float64, ok bool) {
	lines := strings.Split(frame, "\n")
	for i, l := range lines {
		p := percentRe.FindStringSubmatch(l)
		if p == nil || !strings.Contains(l+" "+strings.Join(lines[i+1:min(i+2, len(lines))], " "), "accepted") {
			continue
		}
		both := l + " " + strings.Join(lines[i+1:min(i+2, len(lines))], " ")
		pct, _ = strconv.Atoi(p[1])
		if b := bytesRe.FindStringSubmatch(both); b != nil {
			bytesTotal = b[1]
		}
		if r := rowsRe.FindStringSubmatch(both); r != nil {
			rows, _ = strconv.ParseInt(strings.ReplaceAll(r[1], ",", ""), 10, 64)
		}
		if r := rateRe.FindStringSubmatch(both); r != nil {
			rate, _ = strconv.ParseFloat(r[1], 64)
			switch r[2] {
			case "k":
				rate *= 1e3
			case "M":
				rate *= 1e6
			}
		}
		return pct, bytesTotal, rows, rate, true
	}
	return 0, "", 0, 0, false
}

// TestRunsFiguresStayWithinTheirBounds watches the job screen of a 21-file
// run frame by frame: the percentage never falls and never passes 100,
// the bytes of the job stay what they were from the first frame, the rows
// checked never fall, and the rate never claims more rows than the job
// has in the shortest window it is measured over (200 ms).
func TestRunsFiguresStayWithinTheirBounds(t *testing.T) {
	lk := opstest.Lake(t, gen.Options{Orders: 40000, Days: 10, Dirty: 0.02, Seed: 3})
	o, jm := opstest.Ops(t, lk)
	tm, p := inConsole(t, o, jm, 200, 50)
	id := jm.Submit(jobs.Spec{Title: "run every new file"})
	tm.Send(ui.ShowJob{ID: id})
	opstest.WaitJobs(t, jm)
	p.WaitScreen(t, 10*time.Second, "· succeeded ·", "100% ")
	info, _ := jm.Job(id)
	total := info.Summary.Totals.RowsRead
	if len(info.Files) != 21 {
		t.Fatalf("%d files, want 21", len(info.Files))
	}
	lastPct, lastRows, bytesTotal, seen, lastRate := -1, int64(-1), "", 0, 0.0
	for _, f := range p.Frames() {
		pct, bytes, rows, rate, ok := headerFigures(f)
		if !ok {
			continue
		}
		seen++
		switch {
		case pct > 100 || pct < lastPct:
			t.Fatalf("percentage %d after %d:\n%s", pct, lastPct, f)
		case bytesTotal != "" && bytes != bytesTotal:
			t.Fatalf("the job's bytes changed from %s to %s:\n%s", bytesTotal, bytes, f)
		case rows < lastRows || rows > total:
			t.Fatalf("rows read %d after %d (the job has %d):\n%s", rows, lastRows, total, f)
		case strings.Contains(f, "· running ·") && rate*0.2 > float64(total)*1.05: // 1.05: the rate is shown rounded
			// (a finished job's rate is its average: a job of less than 200 ms may show more)
			t.Fatalf("rate %.0f rows/s claims more than the job's %d rows in 200 ms:\n%s", rate, total, f)
		}
		lastPct, lastRows, bytesTotal, lastRate = pct, rows, bytes, rate
	}
	if seen == 0 || lastPct != 100 || lastRows != total || lastRate <= 0 {
		t.Fatalf("%d frames with figures, last %d%% %d rows of %d at %.0f rows/s", seen, lastPct, lastRows, total, lastRate)
	}
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFailedFileErrorIsOnScreen: a file that fails shows its error in its
// row, enter opens the detail pane with the whole error (not "no rejected
// rows"), and the log wraps a long line instead of cutting it.
func TestFailedFileErrorIsOnScreen(t *testing.T) {
	lk := opstest.EmptyLake(t)
	opstest.Put(t, lk, "bronze_layer/orders/orders_2025_04_01.csv", "order_id,user_id\n1,2\n")
	o, jm := opstest.Ops(t, lk)
	tm, p := inConsole(t, o, jm, 80, 24)
	id := jm.Submit(jobs.Spec{Title: "run the bad file"})
	tm.Send(ui.ShowJob{ID: id})
	opstest.WaitJobs(t, jm)
	scr := p.WaitScreen(t, 10*time.Second, "failed", "orders_2025_04_01.csv")
	row := ""
	for _, l := range strings.Split(scr, "\n") {
		if strings.HasPrefix(l, "orders/") && strings.Contains(l, "failed") {
			row = l
		}
	}
	if !strings.Contains(row, "line 1: header") {
		t.Fatalf("the failed file's row has no error:\n%s", scr)
	}
	info, _ := jm.Job(id)
	full := info.Files[0].Result.Error
	tm.Send(uitest.Key("enter"))
	scr = p.WaitScreen(t, 5*time.Second, "error", "esc close")
	if strings.Contains(scr, "has no rejected rows") {
		t.Fatalf("enter on a failed file talks of rejected rows:\n%s", scr)
	}
	if flat := strings.Join(strings.Fields(scr), " "); !strings.Contains(flat, strings.Join(strings.Fields(full), " ")) {
		t.Fatalf("the detail pane lacks the whole error %q:\n%s", full, scr)
	}
	tm.Send(uitest.Key("esc"))
	tm.Send(uitest.Key("f")) // the log: its long lines wrap
	scr = p.WaitScreen(t, 5*time.Second, "▸ log")
	if flat := strings.Join(strings.Fields(scr), " "); !strings.Contains(flat, strings.Join(strings.Fields(full), " ")) {
		t.Fatalf("the log cuts the error %q:\n%s", full, scr)
	}
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
