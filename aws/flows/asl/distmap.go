package asl

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// defaultDistributedConcurrency bounds a distributed Map without
// MaxConcurrency here (AWS allows 10,000 child executions at once; this
// runner runs them in one process).
const defaultDistributedConcurrency = 40

// distributedMap runs one attempt of a distributed Map state: it reads the
// items (ItemReader, or the array at ItemsPath), applies ItemSelector,
// batches them (ItemBatcher), and runs each child execution of the item
// processor with its own history, at most MaxConcurrency at once, as one
// Map Run. Failed children are tolerated up to ToleratedFailurePercentage
// or ToleratedFailureCount; beyond, the Map Run stops the others and fails
// with States.ExceedToleratedFailureThreshold. The output is the array of
// the children's outputs (a failed child's {"Error","Cause"}).
func (t *thread) distributedMap(ctx context.Context, st *State, raw any, entered time.Time, retry int) (any, *failure) {
	c := t.contextObject(st, entered, retry)
	eff, f := inputPath(st.InputPath, st.InputNull, raw, c)
	if f != nil {
		return nil, f
	}
	items, f := t.readItems(ctx, st, eff, c)
	if f != nil {
		return nil, f
	}
	if st.ItemSelector != nil {
		for i := range items {
			sel := &thread{r: t.r, prev: t.prev, item: map[string]any{"Index": json.Number(itoa(i)), "Value": items[i]}}
			v, f := st.ItemSelector.eval(sel.env(eff, sel.contextObject(st, entered, retry)))
			if f != nil {
				return nil, f
			}
			items[i] = v
		}
	}
	inputs, sizes, f := t.batch(st, items, eff, c)
	if f != nil {
		return nil, f
	}
	conc, f := intField(st.MaxConcurrency, st.MaxConcurrencyPath, "MaxConcurrencyPath", eff, c)
	if f != nil {
		return nil, f
	}
	if conc <= 0 {
		conc = defaultDistributedConcurrency
	}
	mr, f := t.newMapRun(st, eff, c, sizes, int(conc))
	if f != nil {
		return nil, f
	}
	t.emit(Event{Type: "MapStateStarted", StateName: st.Name, Length: intp(len(items))})
	t.emit(Event{Type: "MapRunStarted", StateName: st.Name, MapRunARN: mr.run.ARN})
	outs, f := t.runChildren(ctx, st, mr, inputs, int(conc))
	switch {
	case f != nil && (f.aborted || ctx.Err() != nil):
		mr.end(StatusAborted, nil)
		t.emit(Event{Type: "MapRunAborted", StateName: st.Name, MapRunARN: mr.run.ARN})
		return nil, &failure{aborted: true}
	case f != nil:
		mr.end(StatusFailed, f)
		t.emit(Event{Type: "MapRunFailed", StateName: st.Name, MapRunARN: mr.run.ARN, Error: f.name, Cause: f.cause})
		if !f.timedOut {
			t.emit(Event{Type: "MapStateFailed", StateName: st.Name, Error: f.name, Cause: f.cause})
		}
		return nil, f
	}
	mr.end(StatusSucceeded, nil)
	t.emit(Event{Type: "MapRunSucceeded", StateName: st.Name, MapRunARN: mr.run.ARN})
	t.emit(Event{Type: "MapStateSucceeded", StateName: st.Name})
	return t.finishResult(st, raw, outs, c)
}

// intField reads a number given directly or through a path.
func intField(v int64, p *Path, what string, eff, c any) (int64, *failure) {
	if p == nil {
		return v, nil
	}
	x, ok := p.Get(eff, c)
	n, isInt := toInt(x)
	if !ok || !isInt || n < 0 {
		return 0, fail(ErrRuntime, "%s '%s' must point to a non-negative integer", what, p)
	}
	return n, nil
}

func (t *thread) newMapRun(st *State, eff, c any, sizes []int64, conc int) (*mapRunState, *failure) {
	d := st.Distributed
	m := &mapRunState{sizes: sizes, report: t.r.opts.OnMapRun, clock: t.r.clock}
	m.hasPct = d.ToleratedPercentagePath != nil || d.ToleratedPercentage > 0
	m.hasCount = d.ToleratedCountPath != nil || d.ToleratedCount > 0
	m.pct, m.count = d.ToleratedPercentage, d.ToleratedCount
	if d.ToleratedPercentagePath != nil {
		x, ok := d.ToleratedPercentagePath.Get(eff, c)
		p, isNum := toFloat(x)
		if !ok || !isNum || p < 0 || p > 100 {
			return nil, fail(ErrRuntime, "ToleratedFailurePercentagePath '%s' must point to a number from 0 to 100", d.ToleratedPercentagePath)
		}
		m.pct = p
	}
	if d.ToleratedCountPath != nil {
		n, f := intField(0, d.ToleratedCountPath, "ToleratedFailureCountPath", eff, c)
		if f != nil {
			return nil, f
		}
		m.count = n
	}
	if d.HasTolerance && !m.hasPct && !m.hasCount { // tolerating 0% or 0 failures: as without
		m.hasCount = true
	}
	label := d.Label
	if label == "" {
		label = st.Name
	}
	ctx := t.r.opts.Context
	var total int64
	for _, n := range sizes {
		total += n
	}
	m.run = MapRun{ARN: mapRunARN(ctx.ID, ctx.StateMachineName, label, t.r.rand.uuid()), ExecutionARN: ctx.ID,
		StateName: st.Name, Status: StatusRunning, StartDate: t.r.clock.Now().UTC(), MaxConcurrency: conc,
		ToleratedFailurePercentage: m.pct, ToleratedFailureCount: m.count,
		Items:      MapRunCounts{Pending: total, Total: total},
		Executions: MapRunCounts{Pending: int64(len(sizes)), Total: int64(len(sizes))}}
	m.update(func(*MapRun) {})
	return m, nil
}

// runChildren runs the child executions, at most conc at once; the first
// failure beyond the tolerance cancels the rest and is returned.
func (t *thread) runChildren(ctx context.Context, st *State, mr *mapRunState, inputs []any, conc int) ([]any, *failure) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	outs := make([]any, len(inputs))
	var mu sync.Mutex
	var first *failure
	sem := make(chan struct{}, max(conc, 1))
	var wg sync.WaitGroup
	for i := range inputs {
		select {
		case sem <- struct{}{}:
		case <-cctx.Done():
		}
		if cctx.Err() != nil {
			break
		}
		mr.start(i)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			out, f := t.runChild(cctx, st, mr.run.ARN, i, inputs[i])
			exceeded := mr.finish(i, f)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case f == nil:
				outs[i] = out
			case f.aborted:
			case f.timedOut && first == nil: // the execution's own timeout
				first = f
				cancel()
			default:
				outs[i] = f.object()
				if exceeded && first == nil {
					r := mr.snapshot()
					first = fail(ErrExceedToleratedFailureThreshold,
						"Map Run %s: %d of %d items failed, more than tolerated; first failure: %s: %s",
						r.ARN, r.Items.Failed+r.Items.TimedOut, r.Items.Total, r.Failures[0].Error, r.Failures[0].Cause)
					cancel()
				}
			}
		}(i)
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, &failure{aborted: true}
	}
	return outs, first
}

func (m *mapRunState) snapshot() MapRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.run
}

// runChild runs child execution i of a Map Run: the item processor on its
// input, with a history of its own (not the parent's).
func (t *thread) runChild(ctx context.Context, st *State, mapRunARN string, i int, input any) (any, *failure) {
	r := t.r
	name := fmt.Sprintf("%s-%d", mapRunARN[strings.LastIndexByte(mapRunARN, ':')+1:], i)
	id := strings.Replace(mapRunARN, ":mapRun:", ":execution:", 1)
	id = id[:strings.LastIndexByte(id, ':')+1] + name
	cr := &runner{m: r.m, clock: r.clock, rand: r.rand, execInput: input, deadline: r.deadline,
		opts: Options{Invoker: r.opts.Invoker, Clock: r.clock, Context: ExecutionContext{ID: id, Name: name,
			StartTime: r.clock.Now(), StateMachineID: r.opts.Context.StateMachineID,
			StateMachineName: r.opts.Context.StateMachineName, RoleArn: r.opts.Context.RoleArn}}}
	ct := &thread{r: cr}
	ct.emit(Event{Type: "ExecutionStarted", Input: encodeJSON(input)})
	return ct.runScope(ctx, st.Processor, st.Processor.StartAt, input, false)
}

// readItems reads a distributed Map's items.
func (t *thread) readItems(ctx context.Context, st *State, eff, c any) ([]any, *failure) {
	rd := st.Distributed.Reader
	if rd == nil {
		v := eff
		if st.ItemsPath != nil {
			var ok bool
			if v, ok = st.ItemsPath.Get(eff, c); !ok {
				return nil, fail(ErrRuntime, "Invalid path '%s' : No results for path: %s", st.ItemsPath, st.ItemsPath)
			}
		}
		items, ok := v.([]any)
		if !ok {
			return nil, fail(ErrRuntime, "the Map state %s needs an array at ItemsPath, not a %s", st.Name, typeName(v))
		}
		return append([]any(nil), items...), nil
	}
	var params any = map[string]any{}
	if rd.Parameters != nil {
		var f *failure
		if params, f = rd.Parameters.eval(t.env(eff, c)); f != nil {
			return nil, f
		}
	}
	limit, f := intField(rd.MaxItems, rd.MaxItemsPath, "MaxItemsPath", eff, c)
	if f != nil {
		return nil, f
	}
	info := TaskInfo{ExecutionID: t.r.opts.Context.ID, ExecutionName: t.r.opts.Context.Name, StateName: st.Name}
	var items []any
	if strings.HasSuffix(rd.Resource, "listObjectsV2") {
		items, f = t.listItems(ctx, rd, params, limit, info)
	} else {
		items, f = t.objectItems(ctx, rd, params, info)
	}
	if f != nil {
		return nil, f
	}
	if limit > 0 && int64(len(items)) > limit {
		items = items[:limit]
	}
	return items, nil
}

func (t *thread) readerCall(ctx context.Context, resource string, params any, info TaskInfo) (map[string]any, *failure) {
	res, f := t.invoke(ctx, resource, encodeJSON(params), 0, info)
	if f != nil {
		if f.aborted {
			return nil, f
		}
		return nil, fail(ErrItemReaderFailed, "the ItemReader could not read %s: %s: %s", resource, f.name, f.cause)
	}
	v, err := decodeJSON(res)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, fail(ErrItemReaderFailed, "the ItemReader's %s returned no JSON object", resource)
	}
	return m, nil
}

// listItems reads every page of an object listing; the items are its Contents.
func (t *thread) listItems(ctx context.Context, rd *ItemReader, params any, limit int64, info TaskInfo) ([]any, *failure) {
	p, _ := params.(map[string]any)
	var items []any
	for {
		res, f := t.readerCall(ctx, rd.Resource, p, info)
		if f != nil {
			return nil, f
		}
		contents, _ := res["Contents"].([]any)
		items = append(items, contents...)
		token, _ := res["NextContinuationToken"].(string)
		if more, _ := res["IsTruncated"].(bool); !more || token == "" || limit > 0 && int64(len(items)) >= limit {
			return items, nil
		}
		next := map[string]any{}
		for k, v := range p {
			next[k] = v
		}
		next["ContinuationToken"] = token
		p = next
	}
}

// objectItems reads one object ({"Body": text}) as a JSON array, JSON
// Lines, or CSV rows (objects keyed by the header).
func (t *thread) objectItems(ctx context.Context, rd *ItemReader, params any, info TaskInfo) ([]any, *failure) {
	res, f := t.readerCall(ctx, rd.Resource, params, info)
	if f != nil {
		return nil, f
	}
	body, ok := res["Body"].(string)
	if !ok {
		return nil, fail(ErrItemReaderFailed, "the ItemReader's object has no Body")
	}
	bad := func(format string, args ...any) *failure {
		return fail(ErrItemReaderFailed, "the ItemReader's %s object: "+format, append([]any{rd.InputType}, args...)...)
	}
	switch rd.InputType {
	case "JSON":
		v, err := decodeJSON([]byte(body))
		items, ok := v.([]any)
		if err != nil || !ok {
			return nil, bad("not a JSON array")
		}
		return items, nil
	case "JSONL":
		var items []any
		for n, line := range strings.Split(body, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			v, err := decodeJSON([]byte(line))
			if err != nil {
				return nil, bad("line %d is not JSON: %v", n+1, err)
			}
			items = append(items, v)
		}
		return items, nil
	}
	r := csv.NewReader(bytes.NewReader([]byte(body)))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, bad("%v", err)
	}
	header := rd.CSVHeaders
	if rd.CSVHeaderLocation != "GIVEN" {
		if len(recs) == 0 {
			return nil, bad("no header row")
		}
		header, recs = recs[0], recs[1:]
	}
	items := make([]any, 0, len(recs))
	for n, rec := range recs {
		if len(rec) != len(header) {
			return nil, bad("row %d has %d fields, the header %d", n+1, len(rec), len(header))
		}
		obj := map[string]any{}
		for i, h := range header {
			obj[h] = rec[i]
		}
		items = append(items, obj)
	}
	return items, nil
}

// batch groups items into child inputs (ItemBatcher), returning how many
// items each holds.
func (t *thread) batch(st *State, items []any, eff, c any) ([]any, []int64, *failure) {
	b := st.Distributed.Batcher
	if b == nil {
		sizes := make([]int64, len(items))
		for i := range sizes {
			sizes[i] = 1
		}
		return items, sizes, nil
	}
	maxItems, f := intField(b.MaxItems, b.MaxItemsPath, "MaxItemsPerBatchPath", eff, c)
	if f != nil {
		return nil, nil, f
	}
	maxBytes, f := intField(b.MaxBytes, b.MaxBytesPath, "MaxInputBytesPerBatchPath", eff, c)
	if f != nil {
		return nil, nil, f
	}
	var batchInput any
	if b.BatchInput != nil {
		if batchInput, f = b.BatchInput.eval(t.env(eff, c)); f != nil {
			return nil, nil, f
		}
	}
	var inputs []any
	var sizes []int64
	var cur []any
	var curBytes int64
	flush := func() {
		if len(cur) == 0 {
			return
		}
		in := map[string]any{"Items": cur}
		if batchInput != nil {
			in["BatchInput"] = batchInput
		}
		inputs, sizes = append(inputs, in), append(sizes, int64(len(cur)))
		cur, curBytes = nil, 0
	}
	for _, it := range items {
		n := int64(len(encodeJSON(it)))
		if maxItems > 0 && int64(len(cur)) == maxItems || maxBytes > 0 && len(cur) > 0 && curBytes+n > maxBytes {
			flush()
		}
		cur, curBytes = append(cur, it), curBytes+n
	}
	flush()
	return inputs, sizes, nil
}
