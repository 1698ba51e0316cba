package asl

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ChoiceRule is one rule of a Choice state: a comparison of Variable with a
// value (or with the value at another path), or And/Or/Not of rules. Only
// top-level rules have Next.
type ChoiceRule struct {
	Variable  *Path
	Op        string // comparison operator without the "Path" suffix, e.g. "StringEquals"
	Value     any    // the literal operand
	ValuePath *Path  // the operand's path for the ...Path operators
	And, Or   []*ChoiceRule
	Not       *ChoiceRule
	Next      string
}

// operandKind gives the JSON type an operator compares, or "" when unknown.
func operandKind(op string) string {
	switch {
	case strings.HasPrefix(op, "String"):
		return "string"
	case strings.HasPrefix(op, "Numeric"):
		return "number"
	case strings.HasPrefix(op, "Timestamp"):
		return "timestamp"
	case op == "BooleanEquals", op == "IsNull", op == "IsPresent", op == "IsNumeric", op == "IsString", op == "IsBoolean", op == "IsTimestamp":
		return "boolean"
	}
	return ""
}

func isComparison(op string) bool {
	switch op {
	case "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
		"NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
		"BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
		"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp":
		return true
	}
	return false
}

// parseChoiceRule parses a rule; top says whether it needs Next.
func parseChoiceRule(raw json.RawMessage, at string, top bool) (*ChoiceRule, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: a choice rule must be an object", at)
	}
	r := &ChoiceRule{}
	ops := 0
	for _, k := range keysOf(m) {
		v := m[k]
		switch {
		case k == "Comment":
		case k == "Next":
			if !top {
				return nil, fmt.Errorf("%s.Next: only top-level choice rules have Next", at)
			}
			if err := json.Unmarshal(v, &r.Next); err != nil || r.Next == "" {
				return nil, fmt.Errorf("%s.Next: must be a state name", at)
			}
		case k == "Variable":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("%s.Variable: must be a path string", at)
			}
			p, err := ParsePath(s)
			if err != nil {
				return nil, fmt.Errorf("%s.Variable: %w", at, err)
			}
			r.Variable = p
		case k == "And" || k == "Or":
			var list []json.RawMessage
			if err := json.Unmarshal(v, &list); err != nil || len(list) == 0 {
				return nil, fmt.Errorf("%s.%s: must be a non-empty array of rules", at, k)
			}
			for i, e := range list {
				c, err := parseChoiceRule(e, fmt.Sprintf("%s.%s[%d]", at, k, i), false)
				if err != nil {
					return nil, err
				}
				if k == "And" {
					r.And = append(r.And, c)
				} else {
					r.Or = append(r.Or, c)
				}
			}
			ops++
		case k == "Not":
			c, err := parseChoiceRule(v, at+".Not", false)
			if err != nil {
				return nil, err
			}
			r.Not = c
			ops++
		case strings.HasSuffix(k, "Path") && isComparison(strings.TrimSuffix(k, "Path")) && k != "StringMatchesPath" && !strings.HasPrefix(k, "Is"):
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("%s.%s: must be a path string", at, k)
			}
			p, err := ParsePath(s)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", at, k, err)
			}
			r.Op, r.ValuePath = strings.TrimSuffix(k, "Path"), p
			ops++
		case isComparison(k):
			val, err := decodeJSON(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", at, k, err)
			}
			if err := checkOperand(k, val); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", at, k, err)
			}
			r.Op, r.Value = k, val
			ops++
		default:
			return nil, fmt.Errorf("%s: unknown field %q in a choice rule", at, k)
		}
	}
	if ops != 1 {
		return nil, fmt.Errorf("%s: a choice rule needs exactly one comparison operator or And/Or/Not (has %d)", at, ops)
	}
	if r.Op != "" && r.Variable == nil {
		return nil, fmt.Errorf("%s: %s needs a Variable", at, r.Op)
	}
	if r.Op == "" && r.Variable != nil {
		return nil, fmt.Errorf("%s: Variable goes with a comparison operator, not And/Or/Not", at)
	}
	if top && r.Next == "" {
		return nil, fmt.Errorf("%s: a top-level choice rule needs Next", at)
	}
	return r, nil
}

func checkOperand(op string, v any) error {
	switch operandKind(op) {
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("must be a string")
		}
	case "number":
		if _, ok := toFloat(v); !ok {
			return fmt.Errorf("must be a number")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("must be a boolean")
		}
	case "timestamp":
		s, _ := v.(string)
		if _, ok := parseTimestamp(s); !ok {
			return fmt.Errorf("must be an RFC 3339 timestamp")
		}
	}
	return nil
}

// match evaluates the rule against the state's effective input.
func (r *ChoiceRule) match(e env) (bool, *failure) {
	switch {
	case r.And != nil:
		for _, c := range r.And {
			ok, f := c.match(e)
			if f != nil || !ok {
				return false, f
			}
		}
		return true, nil
	case r.Or != nil:
		for _, c := range r.Or {
			ok, f := c.match(e)
			if f != nil || ok {
				return ok, f
			}
		}
		return false, nil
	case r.Not != nil:
		ok, f := r.Not.match(e)
		return !ok, f
	}
	v, present := r.Variable.Get(e.input, e.ctx)
	if r.Op == "IsPresent" {
		return present == r.Value.(bool), nil
	}
	if !present {
		return false, fail(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)
	}
	want := r.Value
	if r.ValuePath != nil {
		w, ok := r.ValuePath.Get(e.input, e.ctx)
		if !ok {
			return false, fail(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.ValuePath)
		}
		want = w
	}
	return compare(r.Op, v, want), nil
}

func compare(op string, v, want any) bool {
	switch op {
	case "IsNull":
		return (v == nil) == want.(bool)
	case "IsNumeric":
		_, ok := toFloat(v)
		return ok == want.(bool)
	case "IsString":
		_, ok := v.(string)
		return ok == want.(bool)
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want.(bool)
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, ok = parseTimestamp(s)
		}
		return ok == want.(bool)
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := want.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		return ok1 && ok2 && wildcardMatch(b, a)
	}
	var c int
	switch operandKind(op) {
	case "string":
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false
		}
		c = strings.Compare(a, b)
	case "number":
		a, ok1 := toFloat(v)
		b, ok2 := toFloat(want)
		if !ok1 || !ok2 {
			return false
		}
		c = cmpFloat(a, b)
	case "timestamp":
		as, _ := v.(string)
		bs, _ := want.(string)
		a, ok1 := parseTimestamp(as)
		b, ok2 := parseTimestamp(bs)
		if !ok1 || !ok2 {
			return false
		}
		c = a.Compare(b)
	default:
		return false
	}
	switch {
	case strings.HasSuffix(op, "LessThanEquals"):
		return c <= 0
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return c >= 0
	case strings.HasSuffix(op, "LessThan"):
		return c < 0
	case strings.HasSuffix(op, "GreaterThan"):
		return c > 0
	}
	return c == 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcardMatch matches s against a StringMatches pattern: * matches any
// run of characters; \* is a literal star and \\ a literal backslash.
func wildcardMatch(pattern, s string) bool {
	type tok struct {
		star bool
		lit  string
	}
	var toks []tok
	var lit strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			lit.WriteByte(pattern[i])
		case c == '*':
			toks = append(toks, tok{lit: lit.String()}, tok{star: true})
			lit.Reset()
		default:
			lit.WriteByte(c)
		}
	}
	toks = append(toks, tok{lit: lit.String()})
	// Greedy-free matching: first literal anchors at the start, last at the end.
	var parts []string
	for _, t := range toks {
		if !t.star {
			parts = append(parts, t.lit)
		}
	}
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}
