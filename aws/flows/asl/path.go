package asl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// segKind is the kind of one JSONPath step.
type segKind int

const (
	segField    segKind = iota // .name or ['name']
	segIndex                   // [n] (negative counts from the end)
	segWildcard                // .* or [*]
	segDeep                    // ..name or ..*  (name "" means every descendant)
	segSlice                   // [a:b]
	segUnion                   // [0,1] or ['a','b']
)

type segment struct {
	kind   segKind
	name   string
	index  int
	lo, hi *int
	names  []string
	idxs   []int
}

// Path is a compiled JSONPath of the subset Step Functions supports: $ (the
// input) or $$ (the context object), .field, ['field'], [n], [*], .*,
// ..field, [a:b] and unions [0,1] / ['a','b'].
type Path struct {
	src     string
	context bool // starts with $$
	segs    []segment
}

// String returns the path as written.
func (p *Path) String() string { return p.src }

// Definite reports whether the path names at most one value (a reference path).
func (p *Path) Definite() bool {
	for _, s := range p.segs {
		if s.kind != segField && s.kind != segIndex {
			return false
		}
	}
	return true
}

// ParsePath compiles a JSONPath.
func ParsePath(src string) (*Path, error) {
	p := &Path{src: src}
	s := src
	switch {
	case strings.HasPrefix(s, "$$"):
		p.context = true
		s = s[2:]
	case strings.HasPrefix(s, "$"):
		s = s[1:]
	default:
		return nil, fmt.Errorf("path %q must start with $", src)
	}
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, ".."):
			s = s[2:]
			name, rest := fieldName(s)
			if name == "" {
				return nil, fmt.Errorf("path %q: empty name after ..", src)
			}
			if name == "*" {
				name = ""
			}
			p.segs = append(p.segs, segment{kind: segDeep, name: name})
			s = rest
		case s[0] == '.':
			name, rest := fieldName(s[1:])
			if name == "" {
				return nil, fmt.Errorf("path %q: empty field name", src)
			}
			if name == "*" {
				p.segs = append(p.segs, segment{kind: segWildcard})
			} else {
				p.segs = append(p.segs, segment{kind: segField, name: name})
			}
			s = rest
		case s[0] == '[':
			end, seg, err := bracket(s)
			if err != nil {
				return nil, fmt.Errorf("path %q: %w", src, err)
			}
			p.segs = append(p.segs, seg)
			s = s[end:]
		default:
			return nil, fmt.Errorf("path %q: unexpected %q", src, s[:1])
		}
	}
	return p, nil
}

// ParseReferencePath compiles a path that must name a single value (fields
// and indices only), as ResultPath requires.
func ParseReferencePath(src string) (*Path, error) {
	p, err := ParsePath(src)
	if err != nil {
		return nil, err
	}
	if p.context {
		return nil, fmt.Errorf("reference path %q cannot use the context object", src)
	}
	if !p.Definite() {
		return nil, fmt.Errorf("reference path %q must name a single value (no *, .., slices or unions)", src)
	}
	return p, nil
}

func fieldName(s string) (string, string) {
	i := strings.IndexAny(s, ".[")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// bracket parses one [...] step starting at s[0] == '['.
func bracket(s string) (int, segment, error) {
	var parts []string
	var quoted []bool
	i := 1
	var cur strings.Builder
	inQuote := byte(0)
	isQuoted := false
	for ; i < len(s); i++ {
		c := s[i]
		if inQuote != 0 {
			switch {
			case c == '\\' && i+1 < len(s):
				i++
				cur.WriteByte(s[i])
			case c == inQuote:
				inQuote = 0
			default:
				cur.WriteByte(c)
			}
			continue
		}
		switch c {
		case '\'', '"':
			inQuote, isQuoted = c, true
		case ',':
			parts, quoted = append(parts, cur.String()), append(quoted, isQuoted)
			cur.Reset()
			isQuoted = false
		case ']':
			parts, quoted = append(parts, cur.String()), append(quoted, isQuoted)
			seg, err := makeBracket(parts, quoted)
			return i + 1, seg, err
		case ' ':
		case '?', '(':
			return 0, segment{}, fmt.Errorf("filter and script expressions are not supported by the local runner")
		default:
			cur.WriteByte(c)
		}
	}
	return 0, segment{}, fmt.Errorf("unclosed [")
}

func makeBracket(parts []string, quoted []bool) (segment, error) {
	if len(parts) == 1 {
		p := parts[0]
		switch {
		case quoted[0]:
			return segment{kind: segField, name: p}, nil
		case p == "*":
			return segment{kind: segWildcard}, nil
		case strings.Contains(p, ":"):
			lohi := strings.SplitN(p, ":", 2)
			seg := segment{kind: segSlice}
			for k, v := range lohi {
				if v == "" {
					continue
				}
				n, err := strconv.Atoi(v)
				if err != nil {
					return segment{}, fmt.Errorf("bad slice bound %q", v)
				}
				if k == 0 {
					seg.lo = &n
				} else {
					seg.hi = &n
				}
			}
			return seg, nil
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return segment{}, fmt.Errorf("bad index %q (quote field names: ['name'])", p)
		}
		return segment{kind: segIndex, index: n}, nil
	}
	seg := segment{kind: segUnion}
	for k, p := range parts {
		if quoted[k] {
			seg.names = append(seg.names, p)
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return segment{}, fmt.Errorf("bad union member %q", p)
		}
		seg.idxs = append(seg.idxs, n)
	}
	if len(seg.names) > 0 && len(seg.idxs) > 0 {
		return segment{}, fmt.Errorf("a union mixes names and indices")
	}
	return seg, nil
}

// Get evaluates the path against doc (the input) or ctxObj (for $$). A
// definite path returns its value, or ok=false when it does not exist; an
// indefinite one returns the array of matches (possibly empty).
func (p *Path) Get(doc, ctxObj any) (any, bool) {
	root := doc
	if p.context {
		root = ctxObj
	}
	if p.Definite() {
		cur := root
		for _, s := range p.segs {
			next, ok := step(cur, s)
			if !ok {
				return nil, false
			}
			cur = next
		}
		return cur, true
	}
	cur := []any{root}
	for _, s := range p.segs {
		var next []any
		for _, v := range cur {
			next = append(next, expand(v, s)...)
		}
		cur = next
	}
	if cur == nil {
		cur = []any{}
	}
	return cur, true
}

func step(v any, s segment) (any, bool) {
	switch s.kind {
	case segField:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		x, ok := m[s.name]
		return x, ok
	case segIndex:
		a, ok := v.([]any)
		if !ok {
			return nil, false
		}
		i := s.index
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, false
		}
		return a[i], true
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// children lists the direct children of a value in a stable order.
func children(v any) []any {
	switch x := v.(type) {
	case map[string]any:
		out := make([]any, 0, len(x))
		for _, k := range sortedKeys(x) {
			out = append(out, x[k])
		}
		return out
	case []any:
		return x
	}
	return nil
}

func expand(v any, s segment) []any {
	switch s.kind {
	case segField, segIndex:
		if x, ok := step(v, s); ok {
			return []any{x}
		}
		return nil
	case segWildcard:
		return children(v)
	case segSlice:
		a, ok := v.([]any)
		if !ok {
			return nil
		}
		lo, hi := 0, len(a)
		if s.lo != nil {
			lo = clampIndex(*s.lo, len(a))
		}
		if s.hi != nil {
			hi = clampIndex(*s.hi, len(a))
		}
		if lo >= hi {
			return nil
		}
		return append([]any(nil), a[lo:hi]...)
	case segUnion:
		var out []any
		for _, n := range s.names {
			out = append(out, expand(v, segment{kind: segField, name: n})...)
		}
		for _, i := range s.idxs {
			out = append(out, expand(v, segment{kind: segIndex, index: i})...)
		}
		return out
	case segDeep:
		var out []any
		var walk func(x any)
		walk = func(x any) {
			if s.name == "" {
				for _, c := range children(x) {
					out = append(out, c)
					walk(c)
				}
				return
			}
			if m, ok := x.(map[string]any); ok {
				if f, ok := m[s.name]; ok {
					out = append(out, f)
				}
			}
			for _, c := range children(x) {
				walk(c)
			}
		}
		walk(v)
		return out
	}
	return nil
}

func clampIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return max(0, min(i, n))
}

// Set returns doc with value placed at the reference path, copying the
// objects along the way (doc is not modified). Missing object fields are
// created; an index must exist; a step into a non-object fails.
func (p *Path) Set(doc, value any) (any, error) {
	return setAt(doc, p.segs, value, p.src)
}

func setAt(cur any, segs []segment, value any, src string) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	s := segs[0]
	switch s.kind {
	case segField:
		var m map[string]any
		switch x := cur.(type) {
		case map[string]any:
			m = make(map[string]any, len(x)+1)
			for k, v := range x {
				m[k] = v
			}
		case nil:
			m = map[string]any{}
		default:
			return nil, fmt.Errorf("cannot set %s: a %s is in the way", src, typeName(cur))
		}
		child, err := setAt(m[s.name], segs[1:], value, src)
		if err != nil {
			return nil, err
		}
		m[s.name] = child
		return m, nil
	case segIndex:
		a, ok := cur.([]any)
		i := s.index
		if ok && i < 0 {
			i += len(a)
		}
		if !ok || i < 0 || i >= len(a) {
			return nil, fmt.Errorf("cannot set %s: no array element %d", src, s.index)
		}
		b := append([]any(nil), a...)
		child, err := setAt(b[i], segs[1:], value, src)
		if err != nil {
			return nil, err
		}
		b[i] = child
		return b, nil
	}
	return nil, fmt.Errorf("cannot set %s: not a reference path", src)
}
