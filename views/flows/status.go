package flows

import (
	"strings"
	"time"
)

// runStatus is a state's status in one execution.
type runStatus int

const (
	notReached runStatus = iota
	running
	succeeded
	failed
	caught  // failed, and a Catch took over (the state exited)
	aborted // the execution was stopped while the state ran
	numStatuses
)

func (s runStatus) String() string {
	return [...]string{"not reached", "running", "succeeded", "failed", "caught", "aborted"}[s]
}

// mark is the status's one-cell symbol in the graph.
func (s runStatus) mark() string {
	return [...]string{"·", "▶", "✓", "✗", "↷", "■"}[s]
}

// legendName is the status's name in the graph's legend.
func (s runStatus) legendName() string {
	return [...]string{"not reached", "running", "done", "failed", "caught", "aborted"}[s]
}

// legendParts name every mark the graph can draw: "✓ done", "▶ running", …
func legendParts() []string {
	var parts []string
	for _, s := range []runStatus{succeeded, running, failed, caught, aborted, notReached} {
		parts = append(parts, s.mark()+" "+s.legendName())
	}
	return parts
}

// stateRun is what an execution's history says about one state (its last
// entry when it was entered more than once, e.g. in a loop or a Map).
type stateRun struct {
	status           runStatus
	entries          int
	input, output    string
	err, cause       string
	entered, exited  time.Time
	failedSinceEntry bool
}

// replay reads an execution's history into each state's status, input,
// output and error; it also returns the state entered last.
func replay(events []Event) (map[string]*stateRun, string) {
	runs := map[string]*stateRun{}
	get := func(name string) *stateRun {
		r := runs[name]
		if r == nil {
			r = &stateRun{}
			runs[name] = r
		}
		return r
	}
	last := ""
	for _, e := range events {
		t := e.Type
		if e.State == "" {
			switch t {
			case "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted":
				endRunning(runs, e, t == "ExecutionAborted")
			}
			continue
		}
		r := get(e.State)
		switch {
		case strings.HasSuffix(t, "StateEntered"):
			*r = stateRun{status: running, entries: r.entries + 1, input: e.Input, entered: e.Time}
			last = e.State
		case strings.HasSuffix(t, "StateExited"):
			r.exited, r.output = e.Time, e.Output
			r.status = succeeded
			if r.failedSinceEntry {
				r.status = caught
			}
		case strings.HasSuffix(t, "Aborted"):
			r.status, r.failedSinceEntry = aborted, true
			r.err, r.cause = pick(e.Error, r.err), pick(e.Cause, r.cause)
		case strings.HasSuffix(t, "Failed"), strings.HasSuffix(t, "TimedOut"):
			r.status, r.failedSinceEntry = failed, true
			r.err, r.cause = pick(e.Error, r.err), pick(e.Cause, r.cause)
		case strings.HasSuffix(t, "Scheduled"), strings.HasSuffix(t, "Started"):
			if r.status == failed { // a retry (the error stays on show)
				r.status, r.failedSinceEntry = running, false
			}
		}
	}
	return runs, last
}

// endRunning marks the states still running when the execution ended.
func endRunning(runs map[string]*stateRun, e Event, abort bool) {
	for _, r := range runs {
		if r.status != running {
			continue
		}
		r.status = failed
		if abort {
			r.status = aborted
		}
		r.err, r.cause = pick(r.err, e.Error), pick(r.cause, e.Cause)
	}
}

// pick returns a unless it is empty, else b.
func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lastEntered is the state of the last *StateEntered event.
func lastEntered(events []Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.State != "" && strings.HasSuffix(e.Type, "StateEntered") {
			return e.State
		}
	}
	return ""
}
