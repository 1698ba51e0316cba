package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2016, 3, 14, 1, 58, 0, 0, time.UTC)

// echo is an invoker that returns its parameters.
func echo(_ context.Context, _ string, p json.RawMessage) (json.RawMessage, error) { return p, nil }

// mustParse parses a definition or fails the test.
func mustParse(t *testing.T, def string) *Machine {
	t.Helper()
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// run runs def on input with a fake clock and a seeded random source.
func run(t *testing.T, def, input string, inv InvokerFunc) (Result, *FakeClock) {
	t.Helper()
	clk := NewFakeClock(t0)
	if inv == nil {
		inv = echo
	}
	res := Run(context.Background(), mustParse(t, def), json.RawMessage(input), Options{
		Invoker: inv, Clock: clk, Rand: rand.New(rand.NewPCG(1, 2)),
		Context: ExecutionContext{ID: "arn:aws:states:local:0:execution:m:e1", Name: "e1", StateMachineName: "m"},
	})
	return res, clk
}

// jsonEq compares two JSON texts semantically.
func jsonEq(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	g, err1 := decodeJSON(got)
	w, err2 := decodeJSON([]byte(want))
	if err1 != nil || err2 != nil {
		t.Fatalf("bad JSON: got %s (%v), want %s (%v)", got, err1, want, err2)
	}
	if !bytes.Equal(encodeJSON(g), encodeJSON(w)) {
		t.Fatalf("got  %s\nwant %s", encodeJSON(g), encodeJSON(w))
	}
}

// types lists the event types of a result.
func types(res Result) string {
	var out []string
	for _, e := range res.Events {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}

// single wraps one state into a machine that starts and ends with it.
func single(state string) string {
	return `{"StartAt":"S","States":{"S":` + state + `}}`
}
