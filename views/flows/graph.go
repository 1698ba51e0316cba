package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// graph is a state machine's definition laid out top-down for the
// terminal: one line per state ("[ Name ] Type"), with dim lines for
// labelled edges (choices, default, catches, a Next that is not the line
// below), "↓" between a state and its Next when that is the state below,
// and Parallel branches and Map item processors as indented sub-trees.
type graph struct {
	comment string
	lines   []gline
	states  []int // indices into lines of the state lines, top to bottom
	width   int   // the widest line's cells (without an entry count)
}

type lineKind int

const (
	lineState  lineKind = iota
	lineArrow           // "↓": the state below is the Next of the one above
	lineEdge            // a labelled edge: "$.x == "A" → Next", "catch States.ALL → Fail"
	lineBranch          // a Parallel branch or a Map's item processor starts
)

// gline is one line of the graph. Texts come from the definition and are
// sanitized when drawn.
type gline struct {
	kind   lineKind
	prefix string // the nesting gutter, e.g. "  │  "
	state  string // lineState: the state's name
	typ    string // lineState: its Type
	info   string // lineState: resource, wait time…; lineEdge, lineBranch: the text
	end    bool   // lineState: "End": true
}

// aslScope is a state machine, a Parallel branch or a Map item processor.
type aslScope struct {
	Comment string          `json:"Comment"`
	StartAt string          `json:"StartAt"`
	States  json.RawMessage `json:"States"`
}

// aslState holds the fields of a state that the graph draws.
type aslState struct {
	Type          string           `json:"Type"`
	Next          string           `json:"Next"`
	End           bool             `json:"End"`
	Default       string           `json:"Default"`
	Resource      string           `json:"Resource"`
	Seconds       json.RawMessage  `json:"Seconds"`
	SecondsPath   string           `json:"SecondsPath"`
	Timestamp     json.RawMessage  `json:"Timestamp"`
	TimestampPath string           `json:"TimestampPath"`
	Error         string           `json:"Error"`
	Choices       []map[string]any `json:"Choices"`
	Catch         []struct {
		ErrorEquals []string `json:"ErrorEquals"`
		Next        string   `json:"Next"`
	} `json:"Catch"`
	Branches      []aslScope `json:"Branches"`
	Iterator      *aslScope  `json:"Iterator"`
	ItemProcessor *aslScope  `json:"ItemProcessor"`
}

// parseGraph lays out an Amazon States Language definition.
func parseGraph(def []byte) (*graph, error) {
	var top aslScope
	if err := json.Unmarshal(def, &top); err != nil {
		return nil, fmt.Errorf("parse the definition: %w", err)
	}
	g := &graph{comment: top.Comment}
	if err := g.scope(top, "", "$"); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *graph) add(l gline) {
	if l.kind == lineState {
		g.states = append(g.states, len(g.lines))
	}
	g.lines = append(g.lines, l)
	g.width = max(g.width, l.width())
}

// width is how many cells the line takes when drawn (graphLine).
func (l gline) width() int {
	w := ansi.StringWidth(textfmt.Sanitize(l.prefix))
	switch l.kind {
	case lineArrow:
		return w + 1
	case lineEdge:
		return w + 4 + ansi.StringWidth(textfmt.Sanitize(l.info))
	case lineBranch:
		return w + ansi.StringWidth(textfmt.Sanitize(l.info))
	}
	w += 2 + len("[  ] ") + ansi.StringWidth(textfmt.Sanitize(l.state)) + ansi.StringWidth(textfmt.Sanitize(l.typ))
	if l.info != "" {
		w += 1 + ansi.StringWidth(textfmt.Sanitize(l.info))
	}
	if l.end {
		w += len(" · end")
	}
	return w
}

// scope lays out the states of one scope under prefix; path names the
// scope in errors (e.g. $.States.Parallel.Branches[0]).
func (g *graph) scope(sc aslScope, prefix, path string) error {
	names, states, err := decodeStates(sc.States, path+".States")
	if err != nil {
		return err
	}
	if _, ok := states[sc.StartAt]; !ok {
		return fmt.Errorf("%s.StartAt: %q is not a state of the scope", path, sc.StartAt)
	}
	order := walk(sc.StartAt, names, states)
	pos := make(map[string]int, len(order))
	for i, n := range order {
		pos[n] = i
	}
	target := func(name string, from int) string {
		p, ok := pos[name]
		switch {
		case !ok:
			return name + " (no such state)"
		case p <= from:
			return name + " ↑"
		}
		return name
	}
	edge := func(text string) { g.add(gline{kind: lineEdge, prefix: prefix, info: text}) }
	for i, name := range order {
		st := states[name]
		g.add(gline{kind: lineState, prefix: prefix, state: name, typ: st.Type, info: st.info(), end: st.End})
		for _, c := range st.Choices {
			next, _ := c["Next"].(string)
			edge(ruleLabel(c, true) + " → " + target(next, i))
		}
		if st.Default != "" {
			edge("default → " + target(st.Default, i))
		}
		subs := st.Branches
		label := "branch %d/%d"
		if st.Type == "Map" {
			subs, label = nil, "each item"
			if p := st.processor(); p != nil {
				subs = []aslScope{*p}
			}
		}
		for bi, sub := range subs {
			head, gutter := "├─ ", "│  "
			if bi == len(subs)-1 {
				head, gutter = "└─ ", "   "
			}
			text := label
			if st.Type != "Map" {
				text = fmt.Sprintf(label, bi+1, len(subs))
			}
			g.add(gline{kind: lineBranch, prefix: prefix + "  " + head, info: text})
			sp := fmt.Sprintf("%s.States[%q].Branches[%d]", path, name, bi)
			if st.Type == "Map" {
				sp = fmt.Sprintf("%s.States[%q].ItemProcessor", path, name)
			}
			if err := g.scope(sub, prefix+"  "+gutter, sp); err != nil {
				return err
			}
		}
		for _, c := range st.Catch {
			edge("catch " + strings.Join(c.ErrorEquals, ", ") + " → " + target(c.Next, i))
		}
		if st.Next != "" {
			if i+1 < len(order) && order[i+1] == st.Next {
				g.add(gline{kind: lineArrow, prefix: prefix})
			} else {
				edge("next → " + target(st.Next, i))
			}
		}
	}
	return nil
}

// processor is a Map state's item processor (ItemProcessor, or the older Iterator).
func (st aslState) processor() *aslScope {
	if st.ItemProcessor != nil {
		return st.ItemProcessor
	}
	return st.Iterator
}

// info is the short text after a state's type: a task's resource, a
// wait's time, a fail state's error.
func (st aslState) info() string {
	switch st.Type {
	case "Task":
		return shortResource(st.Resource)
	case "Wait":
		switch {
		case len(st.Seconds) > 0:
			return strings.Trim(string(st.Seconds), `"`) + "s"
		case st.SecondsPath != "":
			return "seconds " + st.SecondsPath
		case len(st.Timestamp) > 0:
			return "until " + strings.Trim(string(st.Timestamp), `"`)
		case st.TimestampPath != "":
			return "until " + st.TimestampPath
		}
	case "Fail":
		return st.Error
	}
	return ""
}

// shortResource shortens a task resource: "arn:aws:states:::glue:startJobRun.sync"
// → "glue:startJobRun.sync", a Lambda function ARN → "lambda:<name>".
func shortResource(r string) string {
	r = strings.TrimPrefix(r, "arn:aws:states:::")
	r = strings.TrimPrefix(r, "aws-sdk:")
	if strings.HasPrefix(r, "arn:aws:lambda:") {
		parts := strings.Split(r, ":")
		for i, p := range parts {
			if p == "function" && i+1 < len(parts) {
				return "lambda:" + parts[i+1]
			}
		}
	}
	return r
}

// decodeStates reads a States object, keeping the definition's order.
func decodeStates(raw json.RawMessage, path string) ([]string, map[string]aslState, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil, fmt.Errorf("%s: missing", path)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("%s: not an object", path)
	}
	var names []string
	states := map[string]aslState{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		name, _ := tok.(string)
		var st aslState
		if err := dec.Decode(&st); err != nil {
			return nil, nil, fmt.Errorf("%s[%q]: %w", path, name, err)
		}
		if _, dup := states[name]; !dup {
			names = append(names, name)
		}
		states[name] = st
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("%s: no states", path)
	}
	return names, states, nil
}

// walk orders a scope's states depth first from start, following Next
// before choices, the default and catches, so the main path reads top to
// bottom; states not reached that way follow in the definition's order.
func walk(start string, names []string, states map[string]aslState) []string {
	seen := map[string]bool{}
	var order []string
	var visit func(string)
	visit = func(n string) {
		st, ok := states[n]
		if !ok || seen[n] {
			return
		}
		seen[n] = true
		order = append(order, n)
		visit(st.Next)
		for _, c := range st.Choices {
			next, _ := c["Next"].(string)
			visit(next)
		}
		visit(st.Default)
		for _, c := range st.Catch {
			visit(c.Next)
		}
	}
	visit(start)
	for _, n := range names {
		visit(n)
	}
	return order
}

// opSymbol maps comparison operators (without their String/Numeric/Timestamp/
// Boolean prefix and Path suffix) to short symbols.
func opSymbol(op string) string {
	for _, p := range []string{"String", "Numeric", "Timestamp", "Boolean"} {
		if rest, ok := strings.CutPrefix(op, p); ok && rest != "" {
			op = rest
			break
		}
	}
	op = strings.TrimSuffix(op, "Path")
	switch op {
	case "Equals":
		return "=="
	case "LessThan":
		return "<"
	case "GreaterThan":
		return ">"
	case "LessThanEquals":
		return "<="
	case "GreaterThanEquals":
		return ">="
	case "Matches":
		return "matches"
	}
	return op
}

// ruleLabel is a short text for a choice rule: "$.x == "A"", "(… and …)",
// "not …", or a JSONata Condition.
func ruleLabel(r map[string]any, top bool) string {
	if c, ok := r["Condition"].(string); ok {
		return c
	}
	for _, op := range []string{"And", "Or"} {
		if xs, ok := r[op].([]any); ok {
			parts := make([]string, 0, len(xs))
			for _, x := range xs {
				if sub, ok := x.(map[string]any); ok {
					parts = append(parts, ruleLabel(sub, false))
				}
			}
			s := strings.Join(parts, " "+strings.ToLower(op)+" ")
			if top {
				return s
			}
			return "(" + s + ")"
		}
	}
	if sub, ok := r["Not"].(map[string]any); ok {
		return "not " + ruleLabel(sub, false)
	}
	v, _ := r["Variable"].(string)
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "Variable", "Next", "Comment", "Assign", "Output":
			continue
		}
		val := r[k]
		text := ""
		if s, ok := val.(string); ok && strings.HasSuffix(k, "Path") {
			text = s
		} else if b, err := json.Marshal(val); err == nil {
			text = string(b)
		}
		if strings.HasPrefix(k, "Is") { // IsPresent, IsNull, IsString…
			if text == "false" {
				return v + " not " + k
			}
			return v + " " + k
		}
		return v + " " + opSymbol(k) + " " + text
	}
	return v
}
