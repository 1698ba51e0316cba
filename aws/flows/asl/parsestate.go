package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// fields reads the fields of one state object, reporting errors at a path.
type fields struct {
	m  map[string]json.RawMessage
	at string
}

func (f fields) has(k string) bool { _, ok := f.m[k]; return ok }

func (f fields) isNull(k string) bool {
	v, ok := f.m[k]
	return ok && strings.TrimSpace(string(v)) == "null"
}

func (f fields) str(k string) (string, error) {
	v, ok := f.m[k]
	if !ok {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("%s.%s: must be a string", f.at, k)
	}
	return s, nil
}

// path reads an optional path field; null is reported separately.
func (f fields) path(k string, reference bool) (*Path, bool, error) {
	if !f.has(k) {
		return nil, false, nil
	}
	if f.isNull(k) {
		return nil, true, nil
	}
	s, err := f.str(k)
	if err != nil {
		return nil, false, err
	}
	var p *Path
	if reference {
		p, err = ParseReferencePath(s)
	} else {
		p, err = ParsePath(s)
	}
	if err != nil {
		return nil, false, fmt.Errorf("%s.%s: %w", f.at, k, err)
	}
	return p, false, nil
}

func (f fields) template(k string) (*template, error) {
	v, ok := f.m[k]
	if !ok {
		return nil, nil
	}
	t, err := compileTemplate(v, f.at+"."+k)
	if err != nil {
		return nil, err
	}
	if !t.obj && k != "Parameters" {
		return nil, fmt.Errorf("%s.%s: must be an object", f.at, k)
	}
	return t, nil
}

func posInt(raw json.RawMessage) (int64, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return 0, err
	}
	n, ok := toInt(v)
	if !ok || n <= 0 {
		return 0, errors.New("must be a positive integer")
	}
	return n, nil
}

func nonNegInt(raw json.RawMessage) (int64, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return 0, err
	}
	n, ok := toInt(v)
	if !ok || n < 0 {
		return 0, errors.New("must be a non-negative integer")
	}
	return n, nil
}

func parseState(name string, raw json.RawMessage, at string) (*State, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: a state must be an object", at)
	}
	f := fields{m: m, at: at}
	st := &State{Name: name}
	var err error
	if st.Type, err = f.str("Type"); err != nil {
		return nil, err
	}
	if st.Type == "" {
		return nil, fmt.Errorf("%s.Type: missing", at)
	}
	allowed, ok := allowedFields(st.Type)
	if !ok {
		return nil, fmt.Errorf("%s.Type: unknown state type %q", at, st.Type)
	}
	for _, k := range keysOf(m) {
		if !allowed[k] {
			if why := unsupportedField(k); why != "" {
				return nil, fmt.Errorf("%s.%s: %s", at, k, why)
			}
			return nil, fmt.Errorf("%s.%s: field not allowed in a %s state", at, k, st.Type)
		}
	}
	if st.Comment, err = f.str("Comment"); err != nil {
		return nil, err
	}
	// Transitions.
	if st.Next, err = f.str("Next"); err != nil {
		return nil, err
	}
	if f.has("End") {
		if err := json.Unmarshal(m["End"], &st.End); err != nil {
			return nil, fmt.Errorf("%s.End: must be a boolean", at)
		}
	}
	switch st.Type {
	case TypeChoice, TypeSucceed, TypeFail:
	default:
		switch {
		case st.Next != "" && st.End:
			return nil, fmt.Errorf("%s: has both Next and End", at)
		case st.Next == "" && !st.End:
			return nil, fmt.Errorf("%s: needs Next or \"End\": true", at)
		}
	}
	// Paths.
	if st.InputPath, st.InputNull, err = f.path("InputPath", false); err != nil {
		return nil, err
	}
	if st.OutputPath, st.OutputNull, err = f.path("OutputPath", false); err != nil {
		return nil, err
	}
	if st.ResultPath, st.ResultNull, err = f.path("ResultPath", true); err != nil {
		return nil, err
	}
	if st.Type == TypeMap {
		if f.has("ItemSelector") && f.has("Parameters") {
			return nil, fmt.Errorf("%s: has both ItemSelector and Parameters", at)
		}
		k := "ItemSelector"
		if f.has("Parameters") {
			k = "Parameters"
		}
		if st.ItemSelector, err = f.template(k); err != nil {
			return nil, err
		}
	} else if st.Parameters, err = f.template("Parameters"); err != nil {
		return nil, err
	}
	if st.ResultSelector, err = f.template("ResultSelector"); err != nil {
		return nil, err
	}
	if f.has("Result") {
		if st.Result, err = decodeJSON(m["Result"]); err != nil {
			return nil, fmt.Errorf("%s.Result: %w", at, err)
		}
		st.HasResult = true
	}
	if st.Retry, err = parseRetry(f); err != nil {
		return nil, err
	}
	if st.Catch, err = parseCatch(f); err != nil {
		return nil, err
	}
	switch st.Type {
	case TypeTask:
		err = parseTask(f, st)
	case TypeChoice:
		err = parseChoice(f, st)
	case TypeWait:
		err = parseWait(f, st)
	case TypeParallel:
		err = parseParallel(f, st)
	case TypeMap:
		err = parseMap(f, st)
	case TypeFail:
		err = parseFail(f, st)
	}
	return st, err
}

func parseTask(f fields, st *State) error {
	var err error
	if st.Resource, err = f.str("Resource"); err != nil {
		return err
	}
	if st.Resource == "" {
		return fmt.Errorf("%s.Resource: missing", f.at)
	}
	if !strings.HasPrefix(st.Resource, "arn:") {
		return fmt.Errorf("%s.Resource: %q is not an ARN", f.at, st.Resource)
	}
	if f.has("TimeoutSeconds") && f.has("TimeoutSecondsPath") {
		return fmt.Errorf("%s: has both TimeoutSeconds and TimeoutSecondsPath", f.at)
	}
	if f.has("TimeoutSeconds") {
		if st.TimeoutSeconds, err = posInt(f.m["TimeoutSeconds"]); err != nil {
			return fmt.Errorf("%s.TimeoutSeconds: %w", f.at, err)
		}
	}
	if st.TimeoutSecondsPath, _, err = f.path("TimeoutSecondsPath", true); err != nil {
		return err
	}
	return nil
}

func parseChoice(f fields, st *State) error {
	raw, ok := f.m["Choices"]
	if !ok {
		return fmt.Errorf("%s.Choices: missing", f.at)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return fmt.Errorf("%s.Choices: must be a non-empty array", f.at)
	}
	for i, r := range list {
		c, err := parseChoiceRule(r, fmt.Sprintf("%s.Choices[%d]", f.at, i), true)
		if err != nil {
			return err
		}
		st.Choices = append(st.Choices, c)
	}
	var err error
	st.Default, err = f.str("Default")
	return err
}

func parseWait(f fields, st *State) error {
	n := 0
	for _, k := range []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"} {
		if f.has(k) {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("%s: a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath", f.at)
	}
	var err error
	switch {
	case f.has("Seconds"):
		s, err := nonNegInt(f.m["Seconds"])
		if err != nil {
			return fmt.Errorf("%s.Seconds: %w", f.at, err)
		}
		st.Seconds = &s
	case f.has("Timestamp"):
		if st.Timestamp, err = f.str("Timestamp"); err != nil {
			return err
		}
		if _, ok := parseTimestamp(st.Timestamp); !ok {
			return fmt.Errorf("%s.Timestamp: %q is not an RFC 3339 timestamp", f.at, st.Timestamp)
		}
	case f.has("SecondsPath"):
		st.SecondsPath, _, err = f.path("SecondsPath", true)
	default:
		st.TimestampPath, _, err = f.path("TimestampPath", true)
	}
	return err
}

func parseParallel(f fields, st *State) error {
	raw, ok := f.m["Branches"]
	if !ok {
		return fmt.Errorf("%s.Branches: missing", f.at)
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return fmt.Errorf("%s.Branches: must be a non-empty array of objects", f.at)
	}
	for i, b := range list {
		sc, err := parseScope(b, fmt.Sprintf("%s.Branches[%d].", f.at, i))
		if err != nil {
			return err
		}
		st.Branches = append(st.Branches, sc)
	}
	return nil
}

func parseMap(f fields, st *State) error {
	k := "ItemProcessor"
	if f.has("Iterator") {
		if f.has("ItemProcessor") {
			return fmt.Errorf("%s: has both Iterator and ItemProcessor", f.at)
		}
		k = "Iterator"
	}
	raw, ok := f.m[k]
	if !ok {
		return fmt.Errorf("%s.ItemProcessor: missing", f.at)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return fmt.Errorf("%s.%s: must be an object", f.at, k)
	}
	if pc, ok := obj["ProcessorConfig"]; ok {
		d, err := parseProcessorConfig(pc, f.at+"."+k+".ProcessorConfig")
		if err != nil {
			return err
		}
		st.Distributed = d
		delete(obj, "ProcessorConfig")
	}
	if err := parseDistributed(f, st); err != nil {
		return err
	}
	delete(obj, "Comment")
	for key := range obj {
		if key != "StartAt" && key != "States" {
			return fmt.Errorf("%s.%s.%s: field not allowed", f.at, k, key)
		}
	}
	sc, err := parseScope(obj, f.at+"."+k+".")
	if err != nil {
		return err
	}
	st.Processor = sc
	if st.ItemsPath, _, err = f.path("ItemsPath", true); err != nil {
		return err
	}
	if f.has("MaxConcurrency") {
		if st.MaxConcurrency, err = nonNegInt(f.m["MaxConcurrency"]); err != nil {
			return fmt.Errorf("%s.MaxConcurrency: %w", f.at, err)
		}
	}
	st.MaxConcurrencyPath, _, err = f.path("MaxConcurrencyPath", true)
	return err
}

func parseFail(f fields, st *State) error {
	var err error
	if f.has("Error") && f.has("ErrorPath") {
		return fmt.Errorf("%s: has both Error and ErrorPath", f.at)
	}
	if f.has("Cause") && f.has("CausePath") {
		return fmt.Errorf("%s: has both Cause and CausePath", f.at)
	}
	if st.Error, err = f.str("Error"); err != nil {
		return err
	}
	if st.Cause, err = f.str("Cause"); err != nil {
		return err
	}
	for _, k := range []string{"ErrorPath", "CausePath"} {
		if !f.has(k) {
			continue
		}
		s, err := f.str(k)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(map[string]string{"v.$": s})
		t, err := compileTemplate(raw, f.at)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", f.at, k, err)
		}
		if k == "ErrorPath" {
			st.ErrorExpr = t
		} else {
			st.CauseExpr = t
		}
	}
	return nil
}
