package flows

import (
	"strings"
	"testing"

	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// TestMapRunProgress shows a distributed Map's run on its state: the graph
// line counts the items done, the state's detail lists them by status with
// the concurrency and first failure, and a pushed Map Run updates both
// without asking the service.
func TestMapRunProgress(t *testing.T) {
	f := newFakeService(t)
	id := f.add(0)
	state := seedPath()[0]
	f.mu.Lock()
	f.find(id).e.MapRuns = []MapRun{{ID: "mr-1", State: state, Status: "RUNNING", MaxConcurrency: 8,
		Total: 40, Succeeded: 10, Running: 2, Pending: 28}}
	f.mu.Unlock()
	v := New(f)
	h := viewtest.New(t, v)
	h.Resize(200, 60)
	openFirst(t, h)
	if l := viewtest.LineWith(t, h.Screen(), "[ "+state+" ]"); !strings.Contains(l, "10/40 items done") {
		t.Fatalf("graph line of the Map state: %q", l)
	}
	h.ExpectContains("map run · running · up to 8 child executions at once", "items 40: ✓ 10 succeeded · ▶ 2 running · 28 pending · ✗ 0 failed")
	_, _, _, before := f.calls()
	h.Send(Changed{ExecID: id, MapRun: &MapRun{ID: "mr-1", State: state, Status: "FAILED", MaxConcurrency: 8,
		Total: 40, Succeeded: 39, Failed: 1, Error: "Lakeops.Failed: bronze_layer/order_items/day_07.csv: line 3: bad"}})
	if l := viewtest.LineWith(t, h.Screen(), "[ "+state+" ]"); !strings.Contains(l, "40/40 items done, 1 failed") {
		t.Fatalf("graph line after the pushed Map Run: %q", l)
	}
	h.ExpectContains("map run · failed", "✗ 1 failed", "first failure: Lakeops.Failed: bronze_layer/order_items/day_07.csv")
	if _, _, _, n := f.calls(); n != before {
		t.Fatalf("a pushed Map Run read the history %d times", n-before)
	}
	// A Map Run of another execution changes nothing here.
	h.Send(Changed{ExecID: "other", MapRun: &MapRun{ID: "mr-9", State: state, Total: 5}})
	h.ExpectLacks("0/5 items")
}

// TestMapRunShowsChildExecutions: MaxConcurrency limits child executions,
// and a batch holds many items, so a Map Run of 200 files in one batch
// shows 1 child execution running (of up to 40) beside its 200 items
// running, and a Map Run without batches shows no second line.
func TestMapRunShowsChildExecutions(t *testing.T) {
	f := newFakeService(t)
	id := f.add(0)
	state := seedPath()[0]
	f.mu.Lock()
	f.find(id).e.MapRuns = []MapRun{{ID: "mr-1", State: state, Status: "RUNNING", MaxConcurrency: 40,
		Total: 200, Running: 200, Executions: MapRunCounts{Total: 1, Running: 1}}}
	f.mu.Unlock()
	h := viewtest.New(t, New(f))
	h.Resize(200, 60)
	openFirst(t, h)
	h.ExpectContains("map run · running · up to 40 child executions at once",
		"child executions 1: ✓ 0 succeeded · ▶ 1 running · 0 pending · ✗ 0 failed",
		"items 200: ✓ 0 succeeded · ▶ 200 running · 0 pending · ✗ 0 failed")
	h.Resize(80, 40) // each on one line at 80 columns too
	h.ExpectContains("child executions 1: ✓ 0 succeeded · ▶ 1 running · 0 pending · ✗ 0 failed",
		"items 200: ✓ 0 succeeded · ▶ 200 running · 0 pending · ✗ 0 failed")
	h.Resize(200, 60)
	// 80 batches of 5, 40 at once: the waiting ones are pending.
	h.Send(Changed{ExecID: id, MapRun: &MapRun{ID: "mr-1", State: state, Status: "RUNNING", MaxConcurrency: 40,
		Total: 400, Running: 200, Pending: 150, Succeeded: 50,
		Executions: MapRunCounts{Total: 80, Running: 40, Pending: 30, Succeeded: 10}}})
	h.ExpectContains("child executions 80: ✓ 10 succeeded · ▶ 40 running · 30 pending",
		"items 400: ✓ 50 succeeded · ▶ 200 running · 150 pending")
	// One item per child execution: the items line says it all.
	h.Send(Changed{ExecID: id, MapRun: &MapRun{ID: "mr-1", State: state, Status: "RUNNING", MaxConcurrency: 40,
		Total: 100, Running: 40, Pending: 60, Executions: MapRunCounts{Total: 100, Running: 40, Pending: 60}}})
	h.ExpectContains("items 100: ✓ 0 succeeded · ▶ 40 running · 60 pending")
	h.ExpectLacks("child executions 100")
	// At 80 columns nothing of it is cut.
	h.Send(Changed{ExecID: id, MapRun: &MapRun{ID: "mr-1", State: state, Status: "RUNNING", MaxConcurrency: 40,
		Total: 1200, Running: 600, Pending: 150, Succeeded: 400, Failed: 30, Aborted: 20,
		Executions: MapRunCounts{Total: 240, Running: 40, Pending: 30, Succeeded: 80, Failed: 6, Aborted: 4}}})
	h.Resize(80, 60) // lines break between the counts
	h.ExpectContains("child executions 240: ✓ 80 succeeded · ▶ 40 running · 30 pending · ✗ 6 failed", "■ 4 aborted",
		"items 1,200: ✓ 400 succeeded · ▶ 600 running · 150 pending · ✗ 30 failed", "■ 20 aborted")
	// A stopped Map Run: its items were aborted, not done.
	h.Resize(200, 60)
	h.Send(Changed{ExecID: id, MapRun: &MapRun{ID: "mr-1", State: state, Status: "ABORTED", MaxConcurrency: 40,
		Total: 200, Aborted: 200, Executions: MapRunCounts{Total: 1, Aborted: 1}}})
	if l := viewtest.LineWith(t, h.Screen(), "[ "+state+" ]"); !strings.Contains(l, " 0/200 items done, 200 abort") {
		t.Fatalf("graph line of the stopped Map state: %q", l)
	}
}
