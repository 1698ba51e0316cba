package asl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// template is a compiled payload template (Parameters, ItemSelector,
// ResultSelector): a JSON value whose object fields named "x.$" take the
// value of a path or intrinsic call, written under "x".
type template struct {
	lit    any               // a value without ".$" fields below it
	fields []templateField   // object fields (when obj)
	obj    bool              // the node is an object with dynamic fields below
	arr    []*template       // array elements (when isArr)
	isArr  bool              //
	expr   *templateExprNode // a "x.$" value
}

type templateField struct {
	name string
	val  *template
}

type templateExprNode struct {
	key  string // the field name with .$
	path *Path
	call *call
}

// compileTemplate compiles a template; at names the field for errors.
func compileTemplate(raw json.RawMessage, at string) (*template, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	return compileValue(v, at)
}

func compileValue(v any, at string) (*template, error) {
	switch x := v.(type) {
	case map[string]any:
		t := &template{obj: true}
		for _, k := range sortedKeys(x) {
			if strings.HasSuffix(k, ".$") {
				s, ok := x[k].(string)
				if !ok {
					return nil, fmt.Errorf("%s.%s: the value of a .$ field must be a path or an intrinsic function string", at, k)
				}
				e := &templateExprNode{key: k}
				var err error
				if isIntrinsic(s) {
					e.call, err = parseCall(s)
				} else {
					e.path, err = ParsePath(s)
				}
				if err != nil {
					return nil, fmt.Errorf("%s.%s: %w", at, k, err)
				}
				t.fields = append(t.fields, templateField{name: strings.TrimSuffix(k, ".$"), val: &template{expr: e}})
				continue
			}
			c, err := compileValue(x[k], at+"."+k)
			if err != nil {
				return nil, err
			}
			t.fields = append(t.fields, templateField{name: k, val: c})
		}
		return t, nil
	case []any:
		t := &template{isArr: true}
		for i, e := range x {
			c, err := compileValue(e, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			t.arr = append(t.arr, c)
		}
		return t, nil
	}
	return &template{lit: v}, nil
}

// eval builds the payload. Paths that do not resolve fail with
// States.ParameterPathFailure.
func (t *template) eval(e env) (any, *failure) {
	switch {
	case t.expr != nil:
		if t.expr.call != nil {
			return t.expr.call.eval(e)
		}
		v, ok := t.expr.path.Get(e.input, e.ctx)
		if !ok {
			return nil, fail(ErrParameterPathFailure, "the JSONPath '%s' specified for the field '%s' could not be found in the input", t.expr.path, t.expr.key)
		}
		return v, nil
	case t.obj:
		m := make(map[string]any, len(t.fields))
		for _, f := range t.fields {
			v, fl := f.val.eval(e)
			if fl != nil {
				return nil, fl
			}
			m[f.name] = v
		}
		return m, nil
	case t.isArr:
		a := make([]any, len(t.arr))
		for i, c := range t.arr {
			v, fl := c.eval(e)
			if fl != nil {
				return nil, fl
			}
			a[i] = v
		}
		return a, nil
	}
	return t.lit, nil
}

// inputPath applies InputPath (nil path = "$"; null = {}).
func inputPath(p *Path, null bool, raw any, ctxObj any) (any, *failure) {
	if null {
		return map[string]any{}, nil
	}
	if p == nil {
		return raw, nil
	}
	v, ok := p.Get(raw, ctxObj)
	if !ok {
		return nil, fail(ErrRuntime, "Invalid path '%s' : No results for path: %s", p, p)
	}
	return v, nil
}

// outputPath applies OutputPath (nil = "$"; null = {}).
func outputPath(p *Path, null bool, v any, ctxObj any) (any, *failure) {
	if null {
		return map[string]any{}, nil
	}
	if p == nil {
		return v, nil
	}
	out, ok := p.Get(v, ctxObj)
	if !ok {
		return nil, fail(ErrRuntime, "Invalid path '%s' : No results for path: %s", p, p)
	}
	return out, nil
}

// resultPath combines the state's raw input with its result (nil path =
// "$": the result replaces the input; null: the input passes through).
func resultPath(p *Path, null bool, raw, result any) (any, *failure) {
	if null {
		return raw, nil
	}
	if p == nil || len(p.segs) == 0 {
		return result, nil
	}
	out, err := p.Set(raw, result)
	if err != nil {
		return nil, fail(ErrResultPathMatchFailure, "Unable to apply ResultPath '%s' to input %s: %v", p, encodeJSON(raw), err)
	}
	return out, nil
}

// keysOf lists an object's keys, sorted (for messages).
func keysOf(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
