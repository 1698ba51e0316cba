package asl

// Parsing intrinsic function calls (States.Format(…) and the rest).

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// call is a parsed intrinsic function call, e.g. States.Format('{}', $.a).
type call struct {
	name string
	args []arg
}

// arg is one argument: a literal, a path or a nested call.
type arg struct {
	lit  any
	path *Path
	call *call
}

// isIntrinsic reports whether a ".$" value is an intrinsic call rather than a path.
func isIntrinsic(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "States.") }

// intrinsicArity gives a function's arity (min, max; -1 = any).
func intrinsicArity(name string) ([2]int, bool) {
	switch name {
	case "States.Format":
		return [2]int{1, -1}, true
	case "States.Array":
		return [2]int{0, -1}, true
	case "States.StringToJson", "States.JsonToString", "States.ArrayLength", "States.ArrayUnique",
		"States.Base64Encode", "States.Base64Decode":
		return [2]int{1, 1}, true
	case "States.ArrayPartition", "States.ArrayContains", "States.ArrayGetItem", "States.Hash",
		"States.MathAdd", "States.StringSplit":
		return [2]int{2, 2}, true
	case "States.ArrayRange", "States.JsonMerge":
		return [2]int{3, 3}, true
	case "States.MathRandom":
		return [2]int{2, 3}, true
	case "States.UUID":
		return [2]int{0, 0}, true
	}
	return [2]int{}, false
}

// parseCall parses an intrinsic function call.
func parseCall(src string) (*call, error) {
	p := &callParser{s: strings.TrimSpace(src)}
	c, err := p.call()
	if err != nil {
		return nil, fmt.Errorf("intrinsic %q: %w", src, err)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("intrinsic %q: unexpected %q after the call", src, p.s[p.i:])
	}
	return c, nil
}

type callParser struct {
	s string
	i int
}

func (p *callParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *callParser) call() (*call, error) {
	p.space()
	j := strings.IndexByte(p.s[p.i:], '(')
	if j < 0 {
		return nil, fmt.Errorf("missing (")
	}
	name := strings.TrimSpace(p.s[p.i : p.i+j])
	ar, ok := intrinsicArity(name)
	if !ok {
		return nil, fmt.Errorf("unknown function %s", name)
	}
	p.i += j + 1
	c := &call{name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("missing )")
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				return nil, fmt.Errorf("expected , or ) at %q", p.s[p.i:])
			}
			p.i++
		}
	}
	if len(c.args) < ar[0] || (ar[1] >= 0 && len(c.args) > ar[1]) {
		return nil, fmt.Errorf("%s takes %s arguments, not %d", name, arityText(ar), len(c.args))
	}
	return c, nil
}

func arityText(ar [2]int) string {
	switch {
	case ar[1] < 0:
		return fmt.Sprintf("at least %d", ar[0])
	case ar[0] == ar[1]:
		return strconv.Itoa(ar[0])
	}
	return fmt.Sprintf("%d to %d", ar[0], ar[1])
}

func (p *callParser) arg() (arg, error) {
	p.space()
	if p.i >= len(p.s) {
		return arg{}, fmt.Errorf("missing argument")
	}
	rest := p.s[p.i:]
	switch {
	case rest[0] == '\'':
		var b strings.Builder
		for k := 1; k < len(rest); k++ {
			c := rest[k]
			if c == '\\' && k+1 < len(rest) {
				k++
				if rest[k] == '{' || rest[k] == '}' {
					b.WriteByte('\\') // kept for States.Format
				}
				b.WriteByte(rest[k])
				continue
			}
			if c == '\'' {
				p.i += k + 1
				return arg{lit: b.String()}, nil
			}
			b.WriteByte(c)
		}
		return arg{}, fmt.Errorf("unclosed string")
	case strings.HasPrefix(rest, "States."):
		c, err := p.call()
		return arg{call: c}, err
	case rest[0] == '$':
		end := pathEnd(rest)
		path, err := ParsePath(strings.TrimSpace(rest[:end]))
		if err != nil {
			return arg{}, err
		}
		p.i += end
		return arg{path: path}, nil
	}
	end := strings.IndexAny(rest, ",)")
	if end < 0 {
		end = len(rest)
	}
	tok := strings.TrimSpace(rest[:end])
	p.i += end
	switch tok {
	case "true":
		return arg{lit: true}, nil
	case "false":
		return arg{lit: false}, nil
	case "null":
		return arg{lit: nil}, nil
	}
	if _, err := strconv.ParseFloat(tok, 64); err != nil {
		return arg{}, fmt.Errorf("bad argument %q (strings take single quotes)", tok)
	}
	return arg{lit: json.Number(tok)}, nil
}

// pathEnd finds where a path argument ends: at a , or ) outside brackets and quotes.
func pathEnd(s string) int {
	depth, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case (c == ',' || c == ')') && depth == 0:
			return i
		}
	}
	return len(s)
}
