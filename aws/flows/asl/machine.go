// Package asl interprets the Amazon States Language (the JSON of AWS Step
// Functions state machines) as AWS documents it: Parse validates a
// definition and refuses invalid ones with the JSON path of the problem;
// Run executes it with task resources supplied by an Invoker and time by a
// Clock, producing Step Functions history events. It has no AWS SDK
// dependency and no package-level state; the local flows service
// (aws/flows/local) and the CLI drive it.
//
// Supported: Task, Pass, Choice, Wait, Parallel, Map (inline and
// distributed: ItemReader, ItemBatcher, MaxConcurrency, tolerated failures,
// a Map Run per run of the state, see MapRun), Succeed and Fail states;
// InputPath, Parameters (".$" fields, the context object $$, intrinsic
// functions), ResultSelector, ResultPath, OutputPath; Retry and Catch with
// the States.* error names; TimeoutSeconds on tasks and on the machine. Not
// supported (refused by Parse): JSONata, variables (Assign), a distributed
// Map's ResultWriter, JSONPath filters.
package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// State types.
const (
	TypeTask     = "Task"
	TypePass     = "Pass"
	TypeChoice   = "Choice"
	TypeWait     = "Wait"
	TypeParallel = "Parallel"
	TypeMap      = "Map"
	TypeSucceed  = "Succeed"
	TypeFail     = "Fail"
)

// Machine is a parsed, validated state machine.
type Machine struct {
	Comment        string
	TimeoutSeconds int64
	Scope
	def json.RawMessage
}

// Definition returns the JSON the machine was parsed from.
func (m *Machine) Definition() json.RawMessage { return m.def }

// Scope is a set of states with a start: the machine, a Parallel branch or
// a Map's item processor.
type Scope struct {
	StartAt string
	States  map[string]*State
	Order   []string // state names in definition order
}

// Retrier is one Retry entry.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int
	BackoffRate     float64
	MaxDelaySeconds float64 // 0: no cap
	JitterFull      bool
}

// Catcher is one Catch entry.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  *Path
	ResultNull  bool
}

// State is one parsed state. Fields that do not apply to its Type are zero.
type State struct {
	Name, Type, Comment string
	Next                string
	End                 bool

	InputPath, OutputPath, ResultPath *Path // nil means "$"
	InputNull, OutputNull, ResultNull bool  // the field was JSON null
	Parameters, ResultSelector        *template
	ItemSelector                      *template // Map (or its legacy Parameters)
	Result                            any
	HasResult                         bool

	Resource           string // Task
	TimeoutSeconds     int64
	TimeoutSecondsPath *Path
	Retry              []Retrier
	Catch              []Catcher

	Choices []*ChoiceRule // Choice
	Default string

	Seconds                    *int64 // Wait
	Timestamp                  string
	SecondsPath, TimestampPath *Path

	Branches           []*Scope // Parallel
	Processor          *Scope   // Map
	ItemsPath          *Path
	MaxConcurrency     int64
	MaxConcurrencyPath *Path
	Distributed        *Distributed // a distributed Map; nil for an inline one

	Error, Cause         string // Fail
	ErrorExpr, CauseExpr *template
}

// Parse validates an ASL definition. Errors name the JSON path of the
// problem, e.g. `States.Foo.Next: no state "Bar"`.
func Parse(def []byte) (*Machine, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(def, &top); err != nil {
		return nil, fmt.Errorf("state machine definition: not a JSON object: %w", err)
	}
	m := &Machine{def: append(json.RawMessage(nil), def...)}
	for _, k := range keysOf(top) {
		switch k {
		case "StartAt", "States":
		case "Comment":
			if err := json.Unmarshal(top[k], &m.Comment); err != nil {
				return nil, fmt.Errorf("Comment: must be a string")
			}
		case "Version":
		case "TimeoutSeconds":
			n, err := posInt(top[k])
			if err != nil {
				return nil, fmt.Errorf("TimeoutSeconds: %w", err)
			}
			m.TimeoutSeconds = n
		case "QueryLanguage":
			var s string
			_ = json.Unmarshal(top[k], &s)
			if s != "JSONPath" {
				return nil, fmt.Errorf("QueryLanguage: %q is not supported by the local runner (only JSONPath)", s)
			}
		default:
			return nil, fmt.Errorf("%s: unknown top-level field", k)
		}
	}
	sc, err := parseScope(top, "")
	if err != nil {
		return nil, err
	}
	m.Scope = *sc
	return m, nil
}

// parseScope parses StartAt and States; at is the JSON path prefix ("" or "States.X.Branches[0].").
func parseScope(obj map[string]json.RawMessage, at string) (*Scope, error) {
	sc := &Scope{States: map[string]*State{}}
	raw, ok := obj["StartAt"]
	if !ok {
		return nil, fmt.Errorf("%sStartAt: missing", at)
	}
	if err := json.Unmarshal(raw, &sc.StartAt); err != nil || sc.StartAt == "" {
		return nil, fmt.Errorf("%sStartAt: must be a state name", at)
	}
	rawStates, ok := obj["States"]
	if !ok {
		return nil, fmt.Errorf("%sStates: missing", at)
	}
	order, states, err := orderedObject(rawStates)
	if err != nil {
		return nil, fmt.Errorf("%sStates: %w", at, err)
	}
	if len(states) == 0 {
		return nil, fmt.Errorf("%sStates: empty", at)
	}
	sc.Order = order
	for _, name := range order {
		if len(name) > 80 {
			return nil, fmt.Errorf("%sStates.%s: state names are at most 80 characters", at, name)
		}
		st, err := parseState(name, states[name], at+"States."+name)
		if err != nil {
			return nil, err
		}
		sc.States[name] = st
	}
	if _, ok := sc.States[sc.StartAt]; !ok {
		return nil, fmt.Errorf("%sStartAt: no state %q", at, sc.StartAt)
	}
	for _, name := range order {
		st := sc.States[name]
		p := at + "States." + name
		check := func(field, target string) error {
			if target == "" {
				return nil
			}
			if _, ok := sc.States[target]; !ok {
				return fmt.Errorf("%s.%s: no state %q", p, field, target)
			}
			return nil
		}
		if err := check("Next", st.Next); err != nil {
			return nil, err
		}
		if err := check("Default", st.Default); err != nil {
			return nil, err
		}
		for i, c := range st.Choices {
			if err := check(fmt.Sprintf("Choices[%d].Next", i), c.Next); err != nil {
				return nil, err
			}
		}
		for i, c := range st.Catch {
			if err := check(fmt.Sprintf("Catch[%d].Next", i), c.Next); err != nil {
				return nil, err
			}
		}
	}
	return sc, nil
}

// orderedObject decodes an object keeping its key order.
func orderedObject(raw json.RawMessage) ([]string, map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, nil, fmt.Errorf("must be an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var order []string
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, nil, err
		}
		order = append(order, k)
	}
	if len(order) != len(m) {
		return nil, nil, fmt.Errorf("duplicate state names")
	}
	return order, m, nil
}

// allowedFields lists the fields each state type accepts.
func allowedFields(typ string) (map[string]bool, bool) {
	set := func(names ...string) map[string]bool {
		m := map[string]bool{"Type": true, "Comment": true}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	io := []string{"InputPath", "OutputPath"}
	flow := []string{"Next", "End"}
	switch typ {
	case TypeTask:
		return set(append(append(io, flow...), "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
			"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials")...), true
	case TypePass:
		return set(append(append(io, flow...), "ResultPath", "Parameters", "Result")...), true
	case TypeChoice:
		return set(append(io, "Choices", "Default")...), true
	case TypeWait:
		return set(append(append(io, flow...), "Seconds", "Timestamp", "SecondsPath", "TimestampPath")...), true
	case TypeSucceed:
		return set(io...), true
	case TypeFail:
		return set("Error", "Cause", "ErrorPath", "CausePath"), true
	case TypeParallel:
		return set(append(append(io, flow...), "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Branches")...), true
	case TypeMap:
		return set(append(append(io, flow...), "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
			"ItemsPath", "ItemSelector", "MaxConcurrency", "MaxConcurrencyPath", "Iterator", "ItemProcessor", "Label",
			"ItemReader", "ItemBatcher", "ToleratedFailureCount", "ToleratedFailurePercentage",
			"ToleratedFailureCountPath", "ToleratedFailurePercentagePath")...), true
	}
	return nil, false
}

// unsupportedField explains fields that are valid ASL but not supported here.
func unsupportedField(k string) string {
	switch k {
	case "ResultWriter":
		return "a distributed Map's ResultWriter is not supported by the local runner (its output is the array of results)"
	case "Assign", "Output", "Arguments", "QueryLanguage":
		return "JSONata and variables are not supported by the local runner"
	}
	return ""
}
