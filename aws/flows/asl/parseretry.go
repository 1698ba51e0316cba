package asl

// Parsing a state's Retry and Catch fields.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

func parseErrorEquals(raw json.RawMessage, at string) ([]string, error) {
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil || len(names) == 0 {
		return nil, fmt.Errorf("%s.ErrorEquals: must be a non-empty array of error names", at)
	}
	for i, n := range names {
		if n == ErrAll && len(names) > 1 {
			return nil, fmt.Errorf("%s.ErrorEquals[%d]: States.ALL must appear alone", at, i)
		}
	}
	return names, nil
}

func parseRetry(f fields) ([]Retrier, error) {
	raw, ok := f.m["Retry"]
	if !ok {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s.Retry: must be an array of objects", f.at)
	}
	var out []Retrier
	for i, m := range list {
		at := fmt.Sprintf("%s.Retry[%d]", f.at, i)
		r := Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		for _, k := range keysOf(m) {
			v := m[k]
			var err error
			switch k {
			case "ErrorEquals":
				r.ErrorEquals, err = parseErrorEquals(v, at)
			case "IntervalSeconds":
				var n int64
				n, err = posInt(v)
				r.IntervalSeconds = float64(n)
			case "MaxAttempts":
				var n int64
				n, err = nonNegInt(v)
				r.MaxAttempts = int(n)
			case "BackoffRate":
				if err = json.Unmarshal(v, &r.BackoffRate); err == nil && r.BackoffRate < 1 {
					err = errors.New("must be at least 1.0")
				}
			case "MaxDelaySeconds":
				var n int64
				n, err = posInt(v)
				r.MaxDelaySeconds = float64(n)
			case "JitterStrategy":
				var s string
				_ = json.Unmarshal(v, &s)
				switch s {
				case "FULL":
					r.JitterFull = true
				case "NONE":
				default:
					err = fmt.Errorf("must be FULL or NONE, not %q", s)
				}
			case "Comment":
			default:
				err = errors.New("unknown field")
			}
			if err != nil {
				if strings.Contains(err.Error(), at) {
					return nil, err
				}
				return nil, fmt.Errorf("%s.%s: %w", at, k, err)
			}
		}
		if r.ErrorEquals == nil {
			return nil, fmt.Errorf("%s.ErrorEquals: missing", at)
		}
		for _, n := range r.ErrorEquals {
			if n == ErrAll && i != len(list)-1 {
				return nil, fmt.Errorf("%s: States.ALL must be in the last retrier", at)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func parseCatch(f fields) ([]Catcher, error) {
	raw, ok := f.m["Catch"]
	if !ok {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s.Catch: must be an array of objects", f.at)
	}
	var out []Catcher
	for i, m := range list {
		at := fmt.Sprintf("%s.Catch[%d]", f.at, i)
		cf := fields{m: m, at: at}
		var c Catcher
		for _, k := range keysOf(m) {
			if k != "ErrorEquals" && k != "Next" && k != "ResultPath" && k != "Comment" {
				return nil, fmt.Errorf("%s.%s: unknown field", at, k)
			}
		}
		if !cf.has("ErrorEquals") {
			return nil, fmt.Errorf("%s.ErrorEquals: missing", at)
		}
		var err error
		if c.ErrorEquals, err = parseErrorEquals(m["ErrorEquals"], at); err != nil {
			return nil, err
		}
		if c.Next, err = cf.str("Next"); err != nil {
			return nil, err
		}
		if c.Next == "" {
			return nil, fmt.Errorf("%s.Next: missing", at)
		}
		if c.ResultPath, c.ResultNull, err = cf.path("ResultPath", true); err != nil {
			return nil, err
		}
		for _, n := range c.ErrorEquals {
			if n == ErrAll && i != len(list)-1 {
				return nil, fmt.Errorf("%s: States.ALL must be in the last catcher", at)
			}
		}
		out = append(out, c)
	}
	return out, nil
}
