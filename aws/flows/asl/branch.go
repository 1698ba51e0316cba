package asl

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// defaultMapConcurrency bounds a Map without MaxConcurrency (AWS runs up to
// 40 inline iterations at once).
const defaultMapConcurrency = 40

// parallel runs one attempt of a Parallel state: every branch at once on
// the same input; the output is the array of branch outputs. The first
// branch to fail cancels the others and fails the state with its error.
func (t *thread) parallel(ctx context.Context, st *State, raw any, entered time.Time, retry int) (any, *failure) {
	c := t.contextObject(st, entered, retry)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, f
	}
	if st.Parameters != nil {
		if eff, f = st.Parameters.eval(t.env(eff, c)); f != nil {
			return nil, f
		}
	}
	started := t.emit(Event{Type: "ParallelStateStarted", StateName: st.Name})
	outs := make([]any, len(st.Branches))
	f = t.fanOut(ctx, len(st.Branches), len(st.Branches), func(ctx context.Context, i int) *failure {
		child := t.child(started)
		out, f := child.runScope(ctx, st.Branches[i], st.Branches[i].StartAt, eff, false)
		outs[i] = out
		return f
	})
	if f != nil {
		if !f.aborted && !f.timedOut {
			t.emit(Event{Type: "ParallelStateFailed", StateName: st.Name, Error: f.name, Cause: f.cause})
		}
		return nil, f
	}
	t.emit(Event{Type: "ParallelStateSucceeded", StateName: st.Name})
	return t.finishResult(st, raw, outs, c)
}

// mapState runs one attempt of a Map state over the array at ItemsPath.
func (t *thread) mapState(ctx context.Context, st *State, raw any, entered time.Time, retry int) (any, *failure) {
	if st.Distributed != nil {
		return t.distributedMap(ctx, st, raw, entered, retry)
	}
	c := t.contextObject(st, entered, retry)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, f
	}
	itemsVal := eff
	if st.ItemsPath != nil {
		v, ok := st.ItemsPath.Get(eff, c)
		if !ok {
			return nil, fail(ErrRuntime, "Invalid path '%s' : No results for path: %s", st.ItemsPath, st.ItemsPath)
		}
		itemsVal = v
	}
	items, ok := itemsVal.([]any)
	if !ok {
		return nil, fail(ErrRuntime, "the Map state %s needs an array at ItemsPath, not a %s", st.Name, typeName(itemsVal))
	}
	conc := int(st.MaxConcurrency)
	if st.MaxConcurrencyPath != nil {
		v, ok := st.MaxConcurrencyPath.Get(eff, c)
		n, isInt := toInt(v)
		if !ok || !isInt || n < 0 {
			return nil, fail(ErrRuntime, "MaxConcurrencyPath '%s' must point to a non-negative integer", st.MaxConcurrencyPath)
		}
		conc = int(n)
	}
	if conc <= 0 {
		conc = defaultMapConcurrency
	}
	started := t.emit(Event{Type: "MapStateStarted", StateName: st.Name, Length: intp(len(items))})
	outs := make([]any, len(items))
	f = t.fanOut(ctx, len(items), conc, func(ctx context.Context, i int) *failure {
		child := t.child(started)
		child.item = map[string]any{"Index": json.Number(itoa(i)), "Value": items[i]}
		input := items[i]
		if st.ItemSelector != nil {
			ic := child.contextObject(st, entered, retry)
			v, f := st.ItemSelector.eval(child.env(eff, ic))
			if f != nil {
				return f
			}
			input = v
		}
		child.emit(Event{Type: "MapIterationStarted", StateName: st.Name, Index: intp(i)})
		out, f := child.runScope(ctx, st.Processor, st.Processor.StartAt, input, false)
		switch {
		case f == nil:
			child.emit(Event{Type: "MapIterationSucceeded", StateName: st.Name, Index: intp(i)})
			outs[i] = out
		case f.aborted:
			child.emit(Event{Type: "MapIterationAborted", StateName: st.Name, Index: intp(i)})
		default:
			child.emit(Event{Type: "MapIterationFailed", StateName: st.Name, Index: intp(i), Error: f.name, Cause: f.cause})
		}
		return f
	})
	if f != nil {
		if !f.aborted && !f.timedOut {
			t.emit(Event{Type: "MapStateFailed", StateName: st.Name, Error: f.name, Cause: f.cause})
		}
		return nil, f
	}
	t.emit(Event{Type: "MapStateSucceeded", StateName: st.Name})
	return t.finishResult(st, raw, outs, c)
}

// fanOut runs n jobs, at most conc at once. The first failure cancels the
// rest and is returned; if ctx itself is cancelled the result is an abort.
func (t *thread) fanOut(ctx context.Context, n, conc int, job func(context.Context, int) *failure) *failure {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first *failure
	sem := make(chan struct{}, max(conc, 1))
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-cctx.Done():
		}
		if cctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if f := job(cctx, i); f != nil {
				mu.Lock()
				if first == nil && !f.aborted {
					first = f
					cancel()
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if ctx.Err() != nil {
		return &failure{aborted: true}
	}
	return first
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
