package asl

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to Parse: it never panics, and a machine
// it accepts runs (with an invoker returning {} and a fake clock) without
// panicking and returns once its context ends, even when it loops forever.
func FuzzParse(f *testing.F) {
	if seed, err := os.ReadFile("../../../testdata/statemachine/step_function_code.json"); err == nil {
		f.Add(seed)
	}
	for _, s := range []string{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}`,
		`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"W"}}}`,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":3}],"End":true}}}`,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"D"}],"Default":"F"},"D":{"Type":"Succeed"},"F":{"Type":"Fail","Error":"E","Cause":"c"}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Iterator":{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"v.$":"States.Format('{}',$)"},"End":true}}},"End":true}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, def []byte) {
		m, err := Parse(def)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse returned a machine and an error: %v", err)
			}
			return
		}
		if m == nil {
			t.Fatal("Parse returned neither a machine nor an error")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		inv := InvokerFunc(func(ctx context.Context, _ string, _ json.RawMessage) (json.RawMessage, error) {
			return json.RawMessage(`{}`), ctx.Err()
		})
		done := make(chan Result, 1)
		go func() {
			done <- Run(ctx, m, json.RawMessage(`{"x":1,"items":[1,2]}`), Options{
				Invoker: inv, Clock: NewFakeClock(t0), Rand: rand.New(rand.NewPCG(1, 2)),
				Context: ExecutionContext{ID: "arn:aws:states:local:0:execution:m:e1", Name: "e1", StateMachineName: "m"},
			})
		}()
		select {
		case res := <-done:
			if res.Status == "" {
				t.Fatalf("run ended without a status: %+v", res)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Run did not return 5 s after its context ended\n%s", def)
		}
	})
}
