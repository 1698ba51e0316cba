package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Execution statuses.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusAborted   = "ABORTED"
	StatusTimedOut  = "TIMED_OUT"
)

// Invoker runs task resources. Return a *TaskError to fail with a named
// error; any other error fails the task with States.TaskFailed. It must
// honour ctx (cancelled on Stop and on a task timeout).
type Invoker interface {
	Invoke(ctx context.Context, resource string, params json.RawMessage) (json.RawMessage, error)
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, resource string, params json.RawMessage) (json.RawMessage, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, resource string, params json.RawMessage) (json.RawMessage, error) {
	return f(ctx, resource, params)
}

// ExecutionContext is what $$.Execution and $$.StateMachine show.
type ExecutionContext struct {
	ID, Name         string
	StartTime        time.Time // default: the clock's time at the start
	StateMachineID   string
	StateMachineName string
	RoleArn          string
	RedriveCount     int
	// RedriveTime is when the execution was last redriven (zero: never);
	// the machine's TimeoutSeconds counts from it, as a redrive resets the
	// execution's timeout.
	RedriveTime time.Time
}

// Options configure a run.
type Options struct {
	Invoker Invoker
	Clock   Clock // default RealClock{}
	Context ExecutionContext
	// OnEvent receives each event as it is recorded, in order, one at a
	// time; it must not block for long (branches wait on it).
	OnEvent func(Event)
	// OnMapRun receives a distributed Map's Map Run whenever its progress
	// changes (a copy), in order per Map Run; it must not block for long.
	OnMapRun func(MapRun)
	// StartAt and StartInput start the run at a top-level state with the
	// input it had (redrive). No ExecutionStarted event is recorded then.
	StartAt    string
	StartInput json.RawMessage
	// FirstEventID numbers events from FirstEventID+1 (to continue a history).
	FirstEventID int64
	// Rand is the random source of States.MathRandom, States.UUID and
	// retry jitter; default: randomly seeded.
	Rand *rand.Rand
}

// Result is the outcome of a run.
type Result struct {
	Status string          // SUCCEEDED, FAILED, ABORTED or TIMED_OUT
	Output json.RawMessage // nil unless SUCCEEDED
	Error  string
	Cause  string
	Events []Event
	// FailedState and FailedInput name the top-level state a redrive
	// restarts from, and the input it had there: the state the run stopped
	// in or, when it ended in a Fail state after a Catch, the state whose
	// error was caught last.
	FailedState string
	FailedInput json.RawMessage
}

// TaskInfo describes the task an Invoker is called for; see TaskInfoFrom.
type TaskInfo struct {
	ExecutionID, ExecutionName string
	StateName                  string
	Input                      json.RawMessage // the state's raw input (before InputPath)
	RetryCount                 int
}

type taskInfoKey struct{}

// TaskInfoFrom returns the task an Invoker's ctx belongs to.
func TaskInfoFrom(ctx context.Context) (TaskInfo, bool) {
	ti, ok := ctx.Value(taskInfoKey{}).(TaskInfo)
	return ti, ok
}

// runner is one run of a machine.
type runner struct {
	m         *Machine
	opts      Options
	clock     Clock
	rand      *randSource
	execInput any
	deadline  time.Time // zero: no execution timeout

	mu          sync.Mutex // guards the fields below
	events      []Event
	lastID      int64
	topState    string
	topInput    json.RawMessage
	caughtState string // last top-level state whose error a Catch handled
	caughtInput json.RawMessage
}

// thread is one line of execution: the machine, a branch or an iteration.
type thread struct {
	r      *runner
	prev   int64          // id of this thread's last event
	item   map[string]any // $$.Map.Item inside a Map iteration
	caught bool           // the last state left through a Catch
}

// Run executes the machine to the end. ctx cancellation aborts it.
func Run(ctx context.Context, m *Machine, input json.RawMessage, opts Options) Result {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	r := &runner{m: m, opts: opts, clock: opts.Clock, rand: &randSource{r: rnd}, lastID: opts.FirstEventID}
	if r.opts.Context.StartTime.IsZero() {
		r.opts.Context.StartTime = r.clock.Now()
	}
	if m.TimeoutSeconds > 0 {
		from := r.opts.Context.StartTime
		if t := r.opts.Context.RedriveTime; !t.IsZero() {
			from = t
		}
		r.deadline = from.Add(time.Duration(m.TimeoutSeconds) * time.Second)
	}
	t := &thread{r: r, prev: opts.FirstEventID}
	if len(input) == 0 {
		input = json.RawMessage("{}")
	}
	in, err := decodeJSON(input)
	if err != nil {
		f := fail(ErrRuntime, "the execution input is not JSON: %v", err)
		return r.finish(t, nil, f)
	}
	r.execInput = in
	start := m.StartAt
	if opts.StartAt != "" {
		if _, ok := m.States[opts.StartAt]; !ok {
			return r.finish(t, nil, fail(ErrRuntime, "cannot start at %q: no such top-level state", opts.StartAt))
		}
		start = opts.StartAt
		if len(opts.StartInput) > 0 {
			if in, err = decodeJSON(opts.StartInput); err != nil {
				return r.finish(t, nil, fail(ErrRuntime, "the start input is not JSON: %v", err))
			}
		}
	} else {
		t.emit(Event{Type: "ExecutionStarted", Input: encodeJSON(in), RoleArn: opts.Context.RoleArn})
	}
	out, f := t.runScope(ctx, &m.Scope, start, in, true)
	return r.finish(t, out, f)
}

func (r *runner) finish(t *thread, out any, f *failure) Result {
	res := Result{}
	switch {
	case f == nil:
		res.Status = StatusSucceeded
		res.Output = encodeJSON(out)
		t.emit(Event{Type: "ExecutionSucceeded", Output: res.Output})
	case f.aborted:
		res.Status = StatusAborted
		t.emit(Event{Type: "ExecutionAborted"})
	case f.timedOut:
		res.Status, res.Error, res.Cause = StatusTimedOut, ErrTimeout, f.cause
		t.emit(Event{Type: "ExecutionTimedOut", Error: ErrTimeout, Cause: f.cause})
	default:
		res.Status, res.Error, res.Cause = StatusFailed, f.name, f.cause
		t.emit(Event{Type: "ExecutionFailed", Error: f.name, Cause: f.cause})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Events = append([]Event(nil), r.events...)
	if f != nil {
		res.FailedState, res.FailedInput = r.topState, r.topInput
		if st := r.m.States[r.topState]; st != nil && st.Type == TypeFail && r.caughtState != "" {
			res.FailedState, res.FailedInput = r.caughtState, r.caughtInput
		}
	}
	return res
}

// emit records an event on this thread.
func (t *thread) emit(e Event) int64 {
	r := t.r
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastID++
	e.ID = r.lastID
	e.PreviousEventID = t.prev
	e.Timestamp = r.clock.Now().UTC()
	r.events = append(r.events, e)
	t.prev = e.ID
	if r.opts.OnEvent != nil {
		r.opts.OnEvent(e)
	}
	return e.ID
}

// child starts a thread (branch or iteration) after event parent.
func (t *thread) child(parent int64) *thread { return &thread{r: t.r, prev: parent, item: t.item} }

func (r *runner) timedOut() bool {
	return !r.deadline.IsZero() && !r.clock.Now().Before(r.deadline)
}

func (r *runner) timeoutFailure() *failure {
	return &failure{name: ErrTimeout, cause: fmt.Sprintf("the execution ran longer than its TimeoutSeconds (%d)", r.m.TimeoutSeconds), timedOut: true}
}

// sleep waits d on the clock, bounded by the execution's deadline.
func (t *thread) sleep(ctx context.Context, d time.Duration) *failure {
	r := t.r
	if !r.deadline.IsZero() {
		if left := r.deadline.Sub(r.clock.Now()); left < d {
			if err := r.clock.Sleep(ctx, max(left, 0)); err != nil {
				return &failure{aborted: true}
			}
			return r.timeoutFailure()
		}
	}
	if err := r.clock.Sleep(ctx, d); err != nil {
		return &failure{aborted: true}
	}
	return nil
}

// runScope runs states from start until one ends the scope.
func (t *thread) runScope(ctx context.Context, sc *Scope, start string, input any, top bool) (any, *failure) {
	name := start
	for {
		if ctx.Err() != nil {
			return nil, &failure{aborted: true}
		}
		if t.r.timedOut() {
			return nil, t.r.timeoutFailure()
		}
		st := sc.States[name]
		if top {
			t.r.mu.Lock()
			t.r.topState, t.r.topInput = name, encodeJSON(input)
			t.r.mu.Unlock()
		}
		t.caught = false
		out, next, f := t.runState(ctx, st, input)
		if top && t.caught {
			t.r.mu.Lock()
			t.r.caughtState, t.r.caughtInput = name, t.r.topInput
			t.r.mu.Unlock()
		}
		if f != nil {
			if ctx.Err() != nil && !f.timedOut {
				return nil, &failure{aborted: true}
			}
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// contextObject builds $$ for a state.
func (t *thread) contextObject(st *State, entered time.Time, retry int) any {
	c := t.r.opts.Context
	obj := map[string]any{
		"Execution": map[string]any{
			"Id": c.ID, "Name": c.Name, "StartTime": timeText(c.StartTime), "Input": t.r.execInput,
			"RoleArn": c.RoleArn, "RedriveCount": json.Number(fmt.Sprint(c.RedriveCount)),
		},
		"StateMachine": map[string]any{"Id": c.StateMachineID, "Name": c.StateMachineName},
		"State": map[string]any{
			"Name": st.Name, "EnteredTime": timeText(entered), "RetryCount": json.Number(fmt.Sprint(retry)),
		},
		"Task": map[string]any{"Token": ""},
	}
	if t.item != nil {
		obj["Map"] = map[string]any{"Item": t.item}
	}
	return obj
}

func (t *thread) env(input, ctxObj any) env { return env{input: input, ctx: ctxObj, rand: t.r.rand} }

// runState runs one state and returns its output and the next state ("" ends the scope).
func (t *thread) runState(ctx context.Context, st *State, raw any) (any, string, *failure) {
	entered := t.r.clock.Now()
	t.emit(Event{Type: st.Type + "StateEntered", StateName: st.Name, Input: encodeJSON(raw)})
	var out any
	var next string
	var f *failure
	switch st.Type {
	case TypePass:
		out, f = t.pass(st, raw, entered)
		next = st.Next
	case TypeChoice:
		out, next, f = t.choice(st, raw, entered)
	case TypeWait:
		out, f = t.wait(ctx, st, raw, entered)
		next = st.Next
	case TypeSucceed:
		c := t.contextObject(st, entered, 0)
		if out, f = inputPath(st.InputPath, st.InputNull, raw, c); f == nil {
			out, f = outputPath(st.OutputPath, st.OutputNull, out, c)
		}
	case TypeFail:
		return nil, "", t.failState(st, raw, entered)
	case TypeTask:
		out, next, f = t.retryCatch(ctx, st, raw, func(ctx context.Context, retry int) (any, *failure) {
			return t.task(ctx, st, raw, entered, retry)
		})
	case TypeParallel:
		out, next, f = t.retryCatch(ctx, st, raw, func(ctx context.Context, retry int) (any, *failure) {
			return t.parallel(ctx, st, raw, entered, retry)
		})
	case TypeMap:
		out, next, f = t.retryCatch(ctx, st, raw, func(ctx context.Context, retry int) (any, *failure) {
			return t.mapState(ctx, st, raw, entered, retry)
		})
	default:
		f = fail(ErrRuntime, "unknown state type %q", st.Type)
	}
	if f != nil {
		return nil, "", f
	}
	t.emit(Event{Type: st.Type + "StateExited", StateName: st.Name, Output: encodeJSON(out)})
	return out, next, nil
}

func (t *thread) pass(st *State, raw any, entered time.Time) (any, *failure) {
	c := t.contextObject(st, entered, 0)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, f
	}
	if st.Parameters != nil {
		if eff, f = st.Parameters.eval(t.env(eff, c)); f != nil {
			return nil, f
		}
	}
	result := eff
	if st.HasResult {
		result = st.Result
	}
	out, f := resultPath(st.ResultPath, st.ResultNull, raw, result)
	if f != nil {
		return nil, f
	}
	return outputPath(st.OutputPath, st.OutputNull, out, c)
}

func (t *thread) choice(st *State, raw any, entered time.Time) (any, string, *failure) {
	c := t.contextObject(st, entered, 0)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, "", f
	}
	next := ""
	for _, rule := range st.Choices {
		ok, f := rule.match(t.env(eff, c))
		if f != nil {
			return nil, "", f
		}
		if ok {
			next = rule.Next
			break
		}
	}
	if next == "" {
		if st.Default == "" {
			return nil, "", fail(ErrNoChoiceMatched, "No Matches! (state %s)", st.Name)
		}
		next = st.Default
	}
	out, f := outputPath(st.OutputPath, st.OutputNull, eff, c)
	return out, next, f
}

func (t *thread) wait(ctx context.Context, st *State, raw any, entered time.Time) (any, *failure) {
	c := t.contextObject(st, entered, 0)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, f
	}
	var d time.Duration
	switch {
	case st.Seconds != nil:
		d = time.Duration(*st.Seconds) * time.Second
	case st.SecondsPath != nil:
		v, ok := st.SecondsPath.Get(eff, c)
		n, isInt := toInt(v)
		if !ok || !isInt || n < 0 {
			return nil, fail(ErrRuntime, "SecondsPath '%s' must point to a non-negative integer", st.SecondsPath)
		}
		d = time.Duration(n) * time.Second
	default:
		ts := st.Timestamp
		if st.TimestampPath != nil {
			v, ok := st.TimestampPath.Get(eff, c)
			s, isStr := v.(string)
			if !ok || !isStr {
				return nil, fail(ErrRuntime, "TimestampPath '%s' must point to a timestamp string", st.TimestampPath)
			}
			ts = s
		}
		at, ok := parseTimestamp(ts)
		if !ok {
			return nil, fail(ErrRuntime, "%q is not an RFC 3339 timestamp", ts)
		}
		d = at.Sub(t.r.clock.Now())
	}
	if d > 0 {
		if f := t.sleep(ctx, d); f != nil {
			return nil, f
		}
	}
	return outputPath(st.OutputPath, st.OutputNull, eff, c)
}

func (t *thread) failState(st *State, raw any, entered time.Time) *failure {
	c := t.contextObject(st, entered, 0)
	f := &failure{name: st.Error, cause: st.Cause}
	for _, x := range []struct {
		expr *template
		dst  *string
		what string
	}{{st.ErrorExpr, &f.name, "ErrorPath"}, {st.CauseExpr, &f.cause, "CausePath"}} {
		if x.expr == nil {
			continue
		}
		v, fl := x.expr.eval(t.env(raw, c))
		if fl != nil {
			return fl
		}
		s, ok := v.(map[string]any)["v"].(string)
		if !ok {
			return fail(ErrRuntime, "%s of state %s must resolve to a string", x.what, st.Name)
		}
		*x.dst = s
	}
	return f
}
