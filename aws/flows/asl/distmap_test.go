package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// distMap is a distributed Map state over items read from an object, in
// batches, whose processor invokes arn:aws:states:::lambda:invoke.
func distMap(extra string) string {
	return single(`{"Type":"Map","End":true,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},
			"Parameters":{"Bucket":"b","Key.$":"$.key"}},
		"ItemBatcher":{"MaxItemsPerBatchPath":"$.per","BatchInput":{"tag.$":"$.tag"}},
		"MaxConcurrencyPath":"$.conc",` + extra + `
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Work","States":{
			"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"Payload.$":"$"},
				"Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":1,"MaxAttempts":2}],"End":true}}}}`)
}

// itemsInvoker serves n items [0..n-1] to the reader and runs work for each batch.
func itemsInvoker(n int, work func(ctx context.Context, batch map[string]any) (any, error)) InvokerFunc {
	return func(ctx context.Context, resource string, p json.RawMessage) (json.RawMessage, error) {
		if resource == "arn:aws:states:::s3:getObject" {
			items := make([]int, n)
			for i := range items {
				items[i] = i
			}
			body, _ := json.Marshal(items)
			return json.Marshal(map[string]any{"Body": string(body)})
		}
		var in struct{ Payload map[string]any }
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		out, err := work(ctx, in.Payload)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
}

func itemsOf(batch map[string]any) []int {
	var out []int
	for _, v := range batch["Items"].([]any) {
		out = append(out, int(v.(float64)))
	}
	return out
}

func runWithMapRuns(t *testing.T, def, input string, inv InvokerFunc) (Result, []MapRun) {
	t.Helper()
	var mu sync.Mutex
	var runs []MapRun
	res := Run(context.Background(), mustParse(t, def), json.RawMessage(input), Options{
		Invoker: inv, Clock: NewFakeClock(t0), Rand: rand.New(rand.NewPCG(1, 2)),
		Context:  ExecutionContext{ID: "arn:aws:states:local:0:execution:m:e1", Name: "e1", StateMachineName: "m"},
		OnMapRun: func(r MapRun) { mu.Lock(); runs = append(runs, r); mu.Unlock() },
	})
	return res, runs
}

func TestDistributedMapBatchesItemsAndRunsThemInParallel(t *testing.T) {
	const conc = 4
	var inFlight, peak atomic.Int64
	ready := make(chan struct{})
	var once sync.Once
	inv := itemsInvoker(20, func(ctx context.Context, b map[string]any) (any, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == conc {
			once.Do(func() { close(ready) })
		}
		select { // the first batches wait until conc run at once: real parallelism
		case <-ready:
		case <-time.After(10 * time.Second):
			return nil, errors.New("never saw 4 batches at once")
		}
		sum := 0
		for _, i := range itemsOf(b) {
			sum += i
		}
		return map[string]any{"items": itemsOf(b), "sum": sum, "tag": b["BatchInput"].(map[string]any)["tag"]}, nil
	})
	res, runs := runWithMapRuns(t, distMap(""), `{"key":"items.json","per":3,"conc":4,"tag":"t"}`, inv)
	if res.Status != StatusSucceeded {
		t.Fatalf("%s: %s %s", res.Status, res.Error, res.Cause)
	}
	if p := peak.Load(); p != conc {
		t.Errorf("peak concurrency %d, want %d", p, conc)
	}
	var outs []struct {
		Items []int
		Sum   int
		Tag   string
	}
	if err := json.Unmarshal(res.Output, &outs); err != nil || len(outs) != 7 {
		t.Fatalf("output %s: %v", res.Output, err)
	}
	for i, o := range outs { // batches of 3 in item order, outputs in batch order
		if o.Items[0] != 3*i || len(o.Items) != min(3, 20-3*i) || o.Tag != "t" {
			t.Errorf("batch %d = %+v", i, o)
		}
	}
	// The parent's history has the Map Run, not the children's tasks.
	if got := types(res); !strings.Contains(got, "MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded") || strings.Contains(got, "TaskScheduled") {
		t.Errorf("events: %s", got)
	}
	last := runs[len(runs)-1]
	want := MapRunCounts{Succeeded: 20, Total: 20}
	if last.Status != StatusSucceeded || last.Items != want || last.Executions != (MapRunCounts{Succeeded: 7, Total: 7}) || last.MaxConcurrency != 4 {
		t.Errorf("final Map Run %+v", last)
	}
	if !strings.HasPrefix(last.ARN, "arn:aws:states:local:0:mapRun:m/S:") {
		t.Errorf("Map Run ARN %s", last.ARN)
	}
	sawRunning := false
	for _, r := range runs {
		sawRunning = sawRunning || r.Items.Running == 12 && r.Executions.Running == 4
		if c := r.Items; c.Pending+c.Running+c.Succeeded+c.Failed+c.Aborted+c.TimedOut != c.Total {
			t.Fatalf("counts do not add up: %+v", c)
		}
	}
	if !sawRunning {
		t.Error("no progress report showed 4 batches (12 items) running")
	}
}

func TestDistributedMapToleratesFailures(t *testing.T) {
	failing := func(ctx context.Context, b map[string]any) (any, error) {
		for _, i := range itemsOf(b) {
			if i == 3 || i == 7 {
				return nil, NewTaskError("Boom", fmt.Sprintf("item %d", i))
			}
		}
		return "ok", nil
	}
	in := `{"key":"k","per":1,"conc":2,"tag":"t"}`
	// 2 of 10 items fail: tolerated at 20%.
	res, runs := runWithMapRuns(t, distMap(`"ToleratedFailurePercentage":20,`), in, itemsInvoker(10, failing))
	if res.Status != StatusSucceeded {
		t.Fatalf("20%% tolerated: %s %s %s", res.Status, res.Error, res.Cause)
	}
	var outs []any
	_ = json.Unmarshal(res.Output, &outs)
	if fmt.Sprint(outs[3]) != "map[Cause:item 3 Error:Boom]" || outs[4] != "ok" {
		t.Errorf("outputs %v", outs)
	}
	if last := runs[len(runs)-1]; last.Items.Failed != 2 || last.Items.Succeeded != 8 || len(last.Failures) != 2 {
		t.Errorf("Map Run %+v", last)
	}
	// Not at 10%, nor with one failure tolerated, nor without a tolerance.
	for _, extra := range []string{`"ToleratedFailurePercentage":10,`, `"ToleratedFailureCount":1,`, `"ToleratedFailureCountPath":"$.zero",`, ``} {
		res, runs := runWithMapRuns(t, distMap(extra), `{"key":"k","per":1,"conc":2,"tag":"t","zero":0}`, itemsInvoker(10, failing))
		if res.Status != StatusFailed || res.Error != ErrExceedToleratedFailureThreshold || !strings.Contains(res.Cause, "Boom") {
			t.Errorf("%s: %s %s %s", extra, res.Status, res.Error, res.Cause)
		}
		if last := runs[len(runs)-1]; last.Status != StatusFailed || last.Items.Pending != 0 {
			t.Errorf("%s: final Map Run %+v", extra, last)
		}
		if !strings.Contains(types(res), "MapRunFailed MapStateFailed") {
			t.Errorf("%s: events %s", extra, types(res))
		}
	}
}

func TestDistributedMapRetriesAndCatchesPerItem(t *testing.T) {
	var mu sync.Mutex
	tries := map[int]int{}
	inv := itemsInvoker(6, func(ctx context.Context, b map[string]any) (any, error) {
		i := itemsOf(b)[0]
		mu.Lock()
		tries[i]++
		n := tries[i]
		mu.Unlock()
		if n == 1 && i%2 == 0 {
			return nil, NewTaskError("Flaky", "first attempt")
		}
		return i, nil
	})
	res, _ := runWithMapRuns(t, distMap(""), `{"key":"k","per":1,"conc":3,"tag":"t"}`, inv)
	if res.Status != StatusSucceeded {
		t.Fatalf("%s %s %s", res.Status, res.Error, res.Cause)
	}
	jsonEq(t, res.Output, `[0,1,2,3,4,5]`)
	if tries[0] != 2 || tries[1] != 1 {
		t.Errorf("tries %v", tries)
	}
	// A Catch inside the processor turns a failure into an output.
	def := single(`{"Type":"Map","End":true,"ItemsPath":"$.xs",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"W","States":{
			"W":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:w","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},
			"Caught":{"Type":"Pass","Parameters":{"caught.$":"$.Error"},"End":true}}}}`)
	res, _ = run(t, def, `{"xs":[1,2]}`, func(ctx context.Context, _ string, p json.RawMessage) (json.RawMessage, error) {
		if string(p) == "2" {
			return nil, NewTaskError("Nope", "")
		}
		return p, nil
	})
	jsonEq(t, res.Output, `[1,{"caught":"Nope"}]`)
}

func TestDistributedMapReadsListingsAndCSV(t *testing.T) {
	pages := 0
	list := func(ctx context.Context, resource string, p json.RawMessage) (json.RawMessage, error) {
		switch resource {
		case "arn:aws:states:::s3:listObjectsV2":
			var in map[string]any
			_ = json.Unmarshal(p, &in)
			pages++
			if in["ContinuationToken"] == nil {
				return json.RawMessage(`{"Contents":[{"Key":"a"},{"Key":"b"}],"IsTruncated":true,"NextContinuationToken":"b"}`), nil
			}
			return json.RawMessage(`{"Contents":[{"Key":"c"}],"IsTruncated":false}`), nil
		case "arn:aws:states:::s3:getObject":
			return json.RawMessage(`{"Body":"id,name\n1,x\n2,y\n"}`), nil
		}
		return p, nil
	}
	def := single(`{"Type":"Map","End":true,
		"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"p/"}},
		"ItemSelector":{"key.$":"$$.Map.Item.Value.Key","i.$":"$$.Map.Item.Index"},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}`)
	res, _ := run(t, def, `{}`, list)
	jsonEq(t, res.Output, `[{"key":"a","i":0},{"key":"b","i":1},{"key":"c","i":2}]`)
	if pages != 2 {
		t.Errorf("%d pages read", pages)
	}
	def = single(`{"Type":"Map","End":true,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW","MaxItems":1},"Parameters":{"Bucket":"b","Key":"k"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}`)
	res, _ = run(t, def, `{}`, list)
	jsonEq(t, res.Output, `[{"id":"1","name":"x"}]`)
	// A reader that fails fails the Map with States.ItemReaderFailed.
	res, _ = run(t, def, `{}`, func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
		return nil, NewTaskError("S3.NoSuchKey", "no such key")
	})
	if res.Error != ErrItemReaderFailed || !strings.Contains(res.Cause, "S3.NoSuchKey") {
		t.Errorf("%s %s", res.Error, res.Cause)
	}
}

func TestDistributedMapParseErrors(t *testing.T) {
	proc := `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	for def, want := range map[string]string{
		single(`{"Type":"Map","End":true,"ItemBatcher":{"MaxItemsPerBatch":2},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}`):                            "only a distributed Map",
		single(`{"Type":"Map","End":true,"ResultWriter":{},` + proc + `}`):                                                                                                            "ResultWriter is not supported",
		single(`{"Type":"Map","End":true,"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"PARQUET"}},` + proc + `}`):                             "PARQUET",
		single(`{"Type":"Map","End":true,"ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},` + proc + `}`):                                                                    "needs JSON",
		single(`{"Type":"Map","End":true,"ItemBatcher":{},` + proc + `}`):                                                                                                             "needs MaxItemsPerBatch",
		single(`{"Type":"Map","End":true,"ToleratedFailurePercentage":101,` + proc + `}`):                                                                                             "0 to 100",
		single(`{"Type":"Map","End":true,"Label":"a b",` + proc + `}`):                                                                                                                "Label",
		single(`{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"FAST"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}`): "STANDARD or EXPRESS",
	} {
		if _, err := Parse([]byte(def)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v, want %q", def, err, want)
		}
	}
}
