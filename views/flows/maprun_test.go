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
	h.ExpectContains("map run · running · up to 8 at once", "items 40: ✓ 10 succeeded · ▶ 2 running · 28 pending · ✗ 0 failed")
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
