package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// randSource is the runner's seedable random source, safe for concurrent use.
type randSource struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (r *randSource) int64n(n int64) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Int64N(n)
}

func (r *randSource) float64() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Float64()
}

func (r *randSource) uuid() string {
	r.mu.Lock()
	var b [16]byte
	for i := range b {
		b[i] = byte(r.r.UintN(256))
	}
	r.mu.Unlock()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// env is what payload templates and intrinsics are evaluated against.
type env struct {
	input, ctx any
	rand       *randSource
}

// eval evaluates a call. Path failures are States.ParameterPathFailure,
// everything else States.IntrinsicFailure.
func (c *call) eval(e env) (any, *failure) {
	vals := make([]any, len(c.args))
	for i, a := range c.args {
		switch {
		case a.call != nil:
			v, f := a.call.eval(e)
			if f != nil {
				return nil, f
			}
			vals[i] = v
		case a.path != nil:
			v, ok := a.path.Get(e.input, e.ctx)
			if !ok {
				return nil, fail(ErrParameterPathFailure, "%s: the path %s could not be found in the input", c.name, a.path)
			}
			vals[i] = v
		default:
			vals[i] = a.lit
		}
	}
	v, err := callFunc(c.name, vals, e)
	if err != nil {
		return nil, fail(ErrIntrinsicFailure, "%s: %v", c.name, err)
	}
	return v, nil
}

func str(v any, what string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, not a %s", what, typeName(v))
	}
	return s, nil
}

func arr(v any, what string) ([]any, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, not a %s", what, typeName(v))
	}
	return a, nil
}

func integer(v any, what string) (int64, error) {
	n, ok := toInt(v)
	if !ok {
		return 0, fmt.Errorf("%s must be an integer, not %s", what, encodeJSON(v))
	}
	return n, nil
}

func callFunc(name string, a []any, e env) (any, error) {
	switch name {
	case "States.Format":
		return format(a)
	case "States.StringToJson":
		s, err := str(a[0], "the argument")
		if err != nil {
			return nil, err
		}
		return decodeJSON([]byte(s))
	case "States.JsonToString":
		return string(encodeJSON(a[0])), nil
	case "States.Array":
		return append([]any{}, a...), nil
	case "States.ArrayPartition":
		xs, err := arr(a[0], "the first argument")
		if err != nil {
			return nil, err
		}
		n, err := integer(a[1], "the chunk size")
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("the chunk size must be a positive integer")
		}
		out := []any{}
		for i := 0; i < len(xs); i += int(n) {
			out = append(out, append([]any{}, xs[i:min(len(xs), i+int(n))]...))
		}
		return out, nil
	case "States.ArrayContains":
		xs, err := arr(a[0], "the first argument")
		if err != nil {
			return nil, err
		}
		for _, x := range xs {
			if equalJSON(x, a[1]) {
				return true, nil
			}
		}
		return false, nil
	case "States.ArrayRange":
		return arrayRange(a)
	case "States.ArrayGetItem":
		xs, err := arr(a[0], "the first argument")
		if err != nil {
			return nil, err
		}
		i, err := integer(a[1], "the index")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= int64(len(xs)) {
			return nil, fmt.Errorf("index %d out of range (length %d)", i, len(xs))
		}
		return xs[i], nil
	case "States.ArrayLength":
		xs, err := arr(a[0], "the argument")
		if err != nil {
			return nil, err
		}
		return json.Number(strconv.Itoa(len(xs))), nil
	case "States.ArrayUnique":
		xs, err := arr(a[0], "the argument")
		if err != nil {
			return nil, err
		}
		out := []any{}
		seen := map[string]bool{}
		for _, x := range xs {
			k := string(encodeJSON(x))
			if !seen[k] {
				seen[k] = true
				out = append(out, x)
			}
		}
		return out, nil
	case "States.Base64Encode":
		s, err := str(a[0], "the argument")
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "States.Base64Decode":
		s, err := str(a[0], "the argument")
		if err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("not base64: %w", err)
		}
		return string(b), nil
	case "States.Hash":
		return hashOf(a)
	case "States.JsonMerge":
		return jsonMerge(a)
	case "States.MathRandom":
		lo, err := integer(a[0], "the start")
		if err != nil {
			return nil, err
		}
		hi, err := integer(a[1], "the end")
		if err != nil {
			return nil, err
		}
		if hi <= lo {
			return nil, fmt.Errorf("the end %d must be greater than the start %d", hi, lo)
		}
		if len(a) == 3 {
			seed, err := integer(a[2], "the seed")
			if err != nil {
				return nil, err
			}
			r := rand.New(rand.NewPCG(uint64(seed), 0))
			return json.Number(strconv.FormatInt(lo+r.Int64N(hi-lo), 10)), nil
		}
		return json.Number(strconv.FormatInt(lo+e.rand.int64n(hi-lo), 10)), nil
	case "States.MathAdd":
		x, err := integer(a[0], "the first argument")
		if err != nil {
			return nil, err
		}
		y, err := integer(a[1], "the second argument")
		if err != nil {
			return nil, err
		}
		return json.Number(strconv.FormatInt(x+y, 10)), nil
	case "States.StringSplit":
		s, err := str(a[0], "the first argument")
		if err != nil {
			return nil, err
		}
		d, err := str(a[1], "the delimiters")
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(d, r) }) {
			out = append(out, p)
		}
		return out, nil
	case "States.UUID":
		return e.rand.uuid(), nil
	}
	return nil, fmt.Errorf("unknown function")
}

// format implements States.Format: {} takes the next argument; \{ and \} are literal braces.
func format(a []any) (any, error) {
	tmpl, err := str(a[0], "the template")
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	next := 1
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && i+1 < len(tmpl):
			i++
			b.WriteByte(tmpl[i])
		case c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}':
			if next >= len(a) {
				return nil, fmt.Errorf("more {} than arguments")
			}
			switch v := a[next].(type) {
			case string:
				b.WriteString(v)
			case nil:
				b.WriteString("null")
			default:
				b.Write(encodeJSON(v))
			}
			next++
			i++
		default:
			b.WriteByte(c)
		}
	}
	if next != len(a) {
		return nil, fmt.Errorf("%d arguments for %d {}", len(a)-1, next-1)
	}
	return b.String(), nil
}

func arrayRange(a []any) (any, error) {
	var n [3]int64
	for i, what := range []string{"the start", "the end", "the step"} {
		v, err := integer(a[i], what)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	if n[2] == 0 {
		return nil, fmt.Errorf("the step must not be 0")
	}
	out := []any{}
	for x := n[0]; (n[2] > 0 && x <= n[1]) || (n[2] < 0 && x >= n[1]); x += n[2] {
		if len(out) == 1000 {
			return nil, fmt.Errorf("the range has more than 1000 items")
		}
		out = append(out, json.Number(strconv.FormatInt(x, 10)))
	}
	return out, nil
}

func hashOf(a []any) (any, error) {
	data, ok := a[0].(string)
	if !ok {
		data = string(encodeJSON(a[0]))
	}
	alg, err := str(a[1], "the algorithm")
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unknown algorithm %q (MD5, SHA-1, SHA-256, SHA-384, SHA-512)", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func jsonMerge(a []any) (any, error) {
	x, ok1 := a[0].(map[string]any)
	y, ok2 := a[1].(map[string]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("both arguments must be objects")
	}
	if deep, _ := a[2].(bool); deep {
		return nil, fmt.Errorf("deep merge (true) is not supported; use false")
	}
	out := make(map[string]any, len(x)+len(y))
	for k, v := range x {
		out[k] = v
	}
	for k, v := range y {
		out[k] = v
	}
	return out, nil
}

// equalJSON compares two JSON values (numbers by value).
func equalJSON(a, b any) bool {
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA && okB {
		return fa == fb
	}
	return string(encodeJSON(a)) == string(encodeJSON(b))
}
