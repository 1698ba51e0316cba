package asl

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// ErrExceedToleratedFailureThreshold fails a distributed Map whose child
// executions failed more than it tolerates.
const ErrExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"

// ErrItemReaderFailed fails a distributed Map whose items cannot be read.
const ErrItemReaderFailed = "States.ItemReaderFailed"

// MapRunCounts count a Map Run's items or child executions by status, as
// DescribeMapRun reports them.
type MapRunCounts struct {
	Pending   int64 `json:"pending"`
	Running   int64 `json:"running"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	TimedOut  int64 `json:"timedOut"`
	Aborted   int64 `json:"aborted"`
	Total     int64 `json:"total"`
}

// MapRunFailure is a child execution that failed.
type MapRunFailure struct {
	Index int    `json:"index"` // of the child execution
	Error string `json:"error"`
	Cause string `json:"cause"`
}

// maxMapRunFailures bounds the failures a MapRun keeps.
const maxMapRunFailures = 10

// MapRun is one run of a distributed Map state: its child executions (one
// per item, or per batch with an ItemBatcher) and their progress.
type MapRun struct {
	ARN                        string          `json:"mapRunArn"`
	ExecutionARN               string          `json:"executionArn"`
	StateName                  string          `json:"stateName"`
	Status                     string          `json:"status"` // RUNNING, SUCCEEDED, FAILED, ABORTED
	StartDate                  time.Time       `json:"startDate"`
	StopDate                   time.Time       `json:"stopDate,omitzero"`
	MaxConcurrency             int             `json:"maxConcurrency"`
	ToleratedFailurePercentage float64         `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64           `json:"toleratedFailureCount"`
	Items                      MapRunCounts    `json:"itemCounts"`
	Executions                 MapRunCounts    `json:"executionCounts"`
	Error                      string          `json:"error,omitempty"`
	Cause                      string          `json:"cause,omitempty"`
	Failures                   []MapRunFailure `json:"failures,omitempty"` // the first ones
}

// mapRunState tracks a MapRun while its children run and reports every
// change, in order, to the run's OnMapRun.
type mapRunState struct {
	mu       sync.Mutex
	run      MapRun
	sizes    []int64 // items per child execution
	report   func(MapRun)
	clock    Clock
	pct      float64 // tolerated share of failed items, when hasPct
	count    int64   // tolerated failed items, when hasCount
	hasPct   bool
	hasCount bool
}

// mapRunARN names a Map Run after its execution, as Step Functions does:
// arn:…:mapRun:<machine>/<label or state>:<id>.
func mapRunARN(execARN, machine, label, id string) string {
	base := execARN
	if i := strings.Index(execARN, ":execution:"); i >= 0 {
		base = execARN[:i]
	} else {
		base = "arn:aws:states:local:000000000000"
	}
	return fmt.Sprintf("%s:mapRun:%s/%s:%s", base, machine, label, id)
}

func (m *mapRunState) changed() {
	if m.report != nil {
		cp := m.run
		cp.Failures = append([]MapRunFailure(nil), m.run.Failures...)
		m.report(cp)
	}
}

func (m *mapRunState) update(fn func(r *MapRun)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(&m.run)
	m.changed()
}

// start moves child i from pending to running.
func (m *mapRunState) start(i int) {
	m.update(func(r *MapRun) {
		r.Executions.Pending--
		r.Executions.Running++
		r.Items.Pending -= m.sizes[i]
		r.Items.Running += m.sizes[i]
	})
}

// finish records child i's outcome and reports whether the failures now
// exceed what the Map tolerates.
func (m *mapRunState) finish(i int, f *failure) bool {
	exceeded := false
	m.update(func(r *MapRun) {
		n := m.sizes[i]
		r.Executions.Running--
		r.Items.Running -= n
		switch {
		case f == nil:
			r.Executions.Succeeded++
			r.Items.Succeeded += n
		case f.aborted:
			r.Executions.Aborted++
			r.Items.Aborted += n
		default:
			if f.timedOut || f.name == ErrTimeout {
				r.Executions.TimedOut++
				r.Items.TimedOut += n
			} else {
				r.Executions.Failed++
				r.Items.Failed += n
			}
			if len(r.Failures) < maxMapRunFailures {
				r.Failures = append(r.Failures, MapRunFailure{Index: i, Error: f.name, Cause: f.cause})
			}
			exceeded = m.exceeded(r)
		}
	})
	return exceeded
}

// exceeded applies the tolerance: without one, any failure is too many.
func (m *mapRunState) exceeded(r *MapRun) bool {
	failed := r.Items.Failed + r.Items.TimedOut
	if !m.hasPct && !m.hasCount {
		return failed > 0
	}
	if m.hasCount && failed > m.count {
		return true
	}
	return m.hasPct && r.Items.Total > 0 && float64(failed)*100/float64(r.Items.Total) > m.pct
}

// end closes the Map Run: children never started count as aborted.
func (m *mapRunState) end(status string, f *failure) MapRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := &m.run
	r.Executions.Aborted += r.Executions.Pending
	r.Items.Aborted += r.Items.Pending
	r.Executions.Pending, r.Items.Pending = 0, 0
	r.Status, r.StopDate = status, m.clock.Now().UTC()
	if f != nil {
		r.Error, r.Cause = f.name, f.cause
	}
	m.changed()
	return *r
}
