package parquetrows

import "fmt"

// assembler rebuilds nested values from the triplets of one record.
//
// Every node of the logical schema covers a contiguous range of leaf
// columns; a value of the node is built from one span of triplets per leaf.
// All leaves under a node agree on the levels that concern the node: the
// first triplet of any of them tells whether the node is null (definition
// level below the node's), and, for a list or a map, whether it is empty
// (below the level at which an element exists). A list's span is cut into
// elements at the triplets whose repetition level is at most the list's
// own: deeper levels continue an element that is itself repeated.
type assembler struct {
	cols    []*columnReader // by leaf column; nil when not projected
	scratch [][]span        // element spans, one slice per list nesting depth
}

func newAssembler(cols []*columnReader, maxDepth int) *assembler {
	a := &assembler{cols: cols, scratch: make([][]span, maxDepth)}
	for i := range a.scratch {
		a.scratch[i] = make([]span, len(cols))
	}
	return a
}

// value builds the value of n from the spans sp, indexed by leaf column.
func (a *assembler) value(n *node, sp []span) (any, error) {
	s := sp[n.first]
	buf := a.cols[n.first].buf
	if n.kind == leafNode {
		if s.hi-s.lo != 1 {
			return nil, fmt.Errorf("column %q: %d values where one is expected", n.path, s.hi-s.lo)
		}
		return buf[s.lo].val, nil
	}
	if s.hi <= s.lo {
		return nil, fmt.Errorf("column %q: no value where one is expected", n.path)
	}
	def := int(buf[s.lo].def)
	if def < n.def {
		return nil, nil
	}
	switch n.kind {
	case structNode:
		out := make(Struct, len(n.children))
		for i, c := range n.children {
			v, err := a.value(c, sp)
			if err != nil {
				return nil, err
			}
			out[i] = Field{Name: c.name, Value: v}
		}
		return out, nil
	case listNode:
		out := List{}
		if def < n.elemDef {
			return out, nil
		}
		err := a.elements(n, sp, func(es []span) error {
			v, err := a.value(n.children[0], es)
			out = append(out, v)
			return err
		})
		return out, err
	case mapNode:
		out := Map{}
		if def < n.elemDef {
			return out, nil
		}
		err := a.elements(n, sp, func(es []span) error {
			k, err := a.value(n.children[0], es)
			if err != nil || n.children[1] == nil {
				out = append(out, MapEntry{Key: k})
				return err
			}
			v, err := a.value(n.children[1], es)
			out = append(out, MapEntry{Key: k, Value: v})
			return err
		})
		return out, err
	}
	return nil, fmt.Errorf("column %q: unknown node kind %d", n.path, n.kind)
}

// elements cuts the spans of the list or map n into one set of spans per
// element and calls fn with each.
func (a *assembler) elements(n *node, sp []span, fn func([]span) error) error {
	es := a.scratch[n.depth]
	last := n.first + n.count
	for c := n.first; c < last; c++ {
		es[c] = span{sp[c].lo, sp[c].lo}
	}
	for es[n.first].hi < sp[n.first].hi {
		for c := n.first; c < last; c++ {
			lo, end := es[c].hi, sp[c].hi
			if lo >= end {
				return fmt.Errorf("column %q: leaf columns disagree on the number of elements", n.path)
			}
			buf := a.cols[c].buf
			hi := lo + 1
			for hi < end && int(buf[hi].rep) > n.rep {
				hi++
			}
			es[c] = span{lo, hi}
		}
		if err := fn(es); err != nil {
			return err
		}
	}
	for c := n.first + 1; c < last; c++ {
		if es[c].hi != sp[c].hi {
			return fmt.Errorf("column %q: leaf columns disagree on the number of elements", n.path)
		}
	}
	return nil
}
