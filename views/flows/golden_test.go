package flows

import (
	"testing"
	"time"
)

const longExec = "backfill-2025-04-order-items-from-the-legacy-warehouse-export-batch-0001"

// TestGoldenFlows: the executions of a machine (a long execution name)
// and one execution's graph, events and state detail at 80×24 and 200×50,
// with a fixed clock.
func TestGoldenFlows(t *testing.T) {
	time.Local = time.UTC
	f := newFakeService(t)
	f.add(2)
	id := f.add(5)
	f.mu.Lock()
	for _, x := range f.execs {
		if x.e.ID == id {
			x.e.Name = longExec
		}
	}
	f.mu.Unlock()
	h, _, _ := newHarness(t, f)
	h.Press("enter")
	t.Run("executions", func(t *testing.T) {
		h.Golden(t, []string{longExec, "RUNNING"}, []string{"RUNNING"})
	})
	h.T = t
	h.Press("enter")
	t.Run("execution", func(t *testing.T) {
		h.Golden(t, []string{longExec, "Glue StartJobRun", "Archive Files"}, []string{"[ Parallel ]"})
	})
}
