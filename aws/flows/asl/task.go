package asl

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"
)

// Event is one history event, named as in Step Functions
// (ExecutionStarted, TaskStateEntered, TaskScheduled, MapIterationStarted, …).
type Event struct {
	ID              int64           `json:"id"`
	PreviousEventID int64           `json:"previousEventId"`
	Timestamp       time.Time       `json:"timestamp"`
	Type            string          `json:"type"`
	StateName       string          `json:"stateName,omitempty"`
	Resource        string          `json:"resource,omitempty"`
	Input           json.RawMessage `json:"input,omitempty"`
	Output          json.RawMessage `json:"output,omitempty"`
	Parameters      json.RawMessage `json:"parameters,omitempty"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	Index           *int            `json:"index,omitempty"`     // Map iteration
	Length          *int            `json:"length,omitempty"`    // MapStateStarted: number of items
	MapRunARN       string          `json:"mapRunArn,omitempty"` // MapRunStarted, MapRunSucceeded, …
	RoleArn         string          `json:"roleArn,omitempty"`
}

func intp(n int) *int { return &n }

// errorMatches reports whether an ErrorEquals list matches an error name.
// States.ALL matches everything but States.Runtime; States.TaskFailed
// matches everything but States.Timeout and States.Runtime.
func errorMatches(list []string, name string) bool {
	for _, n := range list {
		switch {
		case n == name:
			return true
		case n == ErrAll && name != ErrRuntime:
			return true
		case n == ErrTaskFailed && name != ErrTimeout && name != ErrRuntime:
			return true
		}
	}
	return false
}

// RetryDelay is the wait before retry number attempt (0-based) of a
// retrier, before jitter: IntervalSeconds × BackoffRate^attempt, capped
// at MaxDelaySeconds.
func RetryDelay(r Retrier, attempt int) time.Duration {
	d := r.IntervalSeconds * math.Pow(r.BackoffRate, float64(attempt))
	if r.MaxDelaySeconds > 0 && d > r.MaxDelaySeconds {
		d = r.MaxDelaySeconds
	}
	return time.Duration(d * float64(time.Second))
}

// retryCatch runs attempt, retrying and catching per the state's Retry and Catch.
func (t *thread) retryCatch(ctx context.Context, st *State, raw any, attempt func(context.Context, int) (any, *failure)) (any, string, *failure) {
	counts := make([]int, len(st.Retry))
	retries := 0
	for {
		out, f := attempt(ctx, retries)
		if f == nil {
			return out, st.Next, nil
		}
		if f.aborted || f.timedOut || ctx.Err() != nil {
			return nil, "", f
		}
		retried := false
		for i, r := range st.Retry {
			if !errorMatches(r.ErrorEquals, f.name) {
				continue
			}
			// The first matching retrier decides.
			if counts[i] < r.MaxAttempts {
				d := RetryDelay(r, counts[i])
				if r.JitterFull {
					d = time.Duration(t.r.rand.float64() * float64(d))
				}
				counts[i]++
				retries++
				if sf := t.sleep(ctx, d); sf != nil {
					return nil, "", sf
				}
				retried = true
			}
			break
		}
		if retried {
			continue
		}
		for _, c := range st.Catch {
			if !errorMatches(c.ErrorEquals, f.name) {
				continue
			}
			out, rf := resultPath(c.ResultPath, c.ResultNull, raw, f.object())
			if rf != nil {
				return nil, "", rf
			}
			t.caught = true
			return out, c.Next, nil
		}
		return nil, "", f
	}
}

// errTaskTimeout is the cancel cause of a task that ran past its timeout.
var errTaskTimeout = errors.New("task timed out")

// task runs one attempt of a Task state.
func (t *thread) task(ctx context.Context, st *State, raw any, entered time.Time, retry int) (any, *failure) {
	c := t.contextObject(st, entered, retry)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, f
	}
	params := eff
	if st.Parameters != nil {
		if params, f = st.Parameters.eval(t.env(eff, c)); f != nil {
			return nil, f
		}
	}
	timeout := time.Duration(st.TimeoutSeconds) * time.Second
	if st.TimeoutSecondsPath != nil {
		v, ok := st.TimeoutSecondsPath.Get(eff, c)
		n, isInt := toInt(v)
		if !ok || !isInt || n <= 0 {
			return nil, fail(ErrRuntime, "TimeoutSecondsPath '%s' must point to a positive integer", st.TimeoutSecondsPath)
		}
		timeout = time.Duration(n) * time.Second
	}
	pj := encodeJSON(params)
	t.emit(Event{Type: "TaskScheduled", StateName: st.Name, Resource: st.Resource, Parameters: pj})
	t.emit(Event{Type: "TaskStarted", StateName: st.Name, Resource: st.Resource})
	info := TaskInfo{ExecutionID: t.r.opts.Context.ID, ExecutionName: t.r.opts.Context.Name, StateName: st.Name, Input: encodeJSON(raw), RetryCount: retry}
	res, f := t.invoke(ctx, st.Resource, pj, timeout, info)
	if f != nil {
		if f.aborted {
			return nil, f
		}
		typ := "TaskFailed"
		if f.name == ErrTimeout {
			typ = "TaskTimedOut"
		}
		t.emit(Event{Type: typ, StateName: st.Name, Resource: st.Resource, Error: f.name, Cause: f.cause})
		return nil, f
	}
	var val any
	if len(res) > 0 {
		v, err := decodeJSON(res)
		if err != nil {
			f := fail(ErrTaskFailed, "the resource %s returned invalid JSON: %v", st.Resource, err)
			t.emit(Event{Type: "TaskFailed", StateName: st.Name, Resource: st.Resource, Error: f.name, Cause: f.cause})
			return nil, f
		}
		val = v
	}
	t.emit(Event{Type: "TaskSucceeded", StateName: st.Name, Resource: st.Resource, Output: encodeJSON(val)})
	return t.finishResult(st, raw, val, c)
}

// finishResult applies ResultSelector, ResultPath and OutputPath.
func (t *thread) finishResult(st *State, raw, val, c any) (any, *failure) {
	var f *failure
	if st.ResultSelector != nil {
		if val, f = st.ResultSelector.eval(t.env(val, c)); f != nil {
			return nil, f
		}
	}
	out, f := resultPath(st.ResultPath, st.ResultNull, raw, val)
	if f != nil {
		return nil, f
	}
	return outputPath(st.OutputPath, st.OutputNull, out, c)
}

type invokeResult struct {
	out json.RawMessage
	err error
}

// invoke calls the Invoker with a timeout timed on the clock.
func (t *thread) invoke(ctx context.Context, resource string, params json.RawMessage, timeout time.Duration, info TaskInfo) (json.RawMessage, *failure) {
	if t.r.opts.Invoker == nil {
		return nil, fail(ErrTaskFailed, "no invoker for resource %s", resource)
	}
	tctx, cancel := context.WithCancelCause(context.WithValue(ctx, taskInfoKey{}, info))
	defer cancel(nil)
	done := make(chan invokeResult, 1)
	go func() {
		out, err := t.r.opts.Invoker.Invoke(tctx, resource, params)
		done <- invokeResult{out, err}
	}()
	if timeout > 0 {
		go func() {
			var err error
			if ts, ok := t.r.clock.(timeoutSleeper); ok {
				err = ts.TimeoutSleep(tctx, timeout)
			} else {
				err = t.r.clock.Sleep(tctx, timeout)
			}
			if err == nil {
				cancel(errTaskTimeout)
			}
		}()
	}
	res := <-done
	if res.err == nil {
		return res.out, nil
	}
	if ctx.Err() != nil {
		return nil, &failure{aborted: true}
	}
	if errors.Is(context.Cause(tctx), errTaskTimeout) {
		return nil, fail(ErrTimeout, "the task %s ran longer than %s", resource, timeout)
	}
	return nil, failureOf(res.err)
}
