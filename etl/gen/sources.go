package gen

import "math/rand/v2"

// source produces a file's rows: clean ones in order, and dirty ones that
// refer to the clean row written last (prev) or, for products, to the one
// written next.
type source interface {
	// appendClean appends the next clean row.
	appendClean(b []byte) []byte
	// appendDirty appends one dirty row breaking rule code; fresh is a key of
	// its own for rows that need one. It returns the code actually injected.
	appendDirty(b []byte, code string, fresh int64, r *rand.Rand) ([]byte, string)
}

type productSource struct {
	n          *names
	spec       *spec
	r          *rand.Rand
	next, prev product
	left       int64 // clean rows not yet written, next included
}

func (s *productSource) appendClean(b []byte) []byte {
	b = s.n.appendProduct(b, &s.next)
	s.prev = s.next
	if s.left--; s.left > 0 {
		s.next = s.n.newProduct(s.r, s.prev.id+1)
	}
	return b
}

func (s *productSource) appendDirty(b []byte, code string, fresh int64, r *rand.Rand) ([]byte, string) {
	if code == ReasonSuperseded {
		if s.left == 0 {
			code = ReasonDuplicate
		} else {
			// The next clean row wins: the last one in input order.
			p := s.next
			p.word = (p.word + 1 + r.IntN(len(s.n.words)-1)) % len(s.n.words)
			return s.n.appendProduct(b, &p), code
		}
	}
	if code == ReasonDuplicate {
		return s.n.appendProduct(b, &s.prev), code
	}
	p := s.n.newProduct(r, fresh)
	return append(b, s.spec.corrupt(code, splitLine(s.n.appendProduct(nil, &p)), r)...), code
}

type orderSource struct {
	spec   *spec
	day    *day
	orders []order
	i      int // next clean order
}

func (s *orderSource) appendClean(b []byte) []byte {
	b = appendOrder(b, &s.orders[s.i], s.day)
	s.i++
	return b
}

func (s *orderSource) appendDirty(b []byte, code string, fresh int64, r *rand.Rand) ([]byte, string) {
	prev := s.orders[s.i-1]
	if code == ReasonSuperseded {
		if prev.minute == 0 {
			code = ReasonDuplicate
		} else {
			// Older on the same day, with another amount: the clean row wins.
			o := prev
			o.minute = r.IntN(prev.minute)
			o.cents = 2000 + (prev.cents-2000+1+r.Int64N(47999))%48000
			return appendOrder(b, &o, s.day), code
		}
	}
	if code == ReasonDuplicate {
		return appendOrder(b, &prev, s.day), code
	}
	o := newOrder(r, fresh)
	return append(b, s.spec.corrupt(code, splitLine(appendOrder(nil, &o, s.day)), r)...), code
}

type itemSource struct {
	spec       *spec
	day        *day
	orders     []order
	products   int
	spread     float64
	r, counts  *rand.Rand
	next, prev item
	oi, atc, n int // next item: order index, its add_to_cart_order, items in that order
	left       int64
}

func newItemSource(sp *spec, d *day, orders []order, products int, spread float64, r, counts *rand.Rand, first, total int64) *itemSource {
	s := &itemSource{spec: sp, day: d, orders: orders, products: products, spread: spread, r: r, counts: counts, left: total}
	if total > 0 {
		s.n = itemCount(counts, spread)
		s.atc = 1
		s.next = newItem(r, first, &orders[0], 1, products)
	}
	return s
}

func (s *itemSource) appendClean(b []byte) []byte {
	b = appendItem(b, &s.next, s.day)
	s.prev = s.next
	if s.left--; s.left > 0 {
		if s.atc == s.n {
			s.oi++
			s.atc = 0
			s.n = itemCount(s.counts, s.spread)
		}
		s.atc++
		s.next = newItem(s.r, s.prev.id+1, &s.orders[s.oi], s.atc, s.products)
	}
	return b
}

func (s *itemSource) appendDirty(b []byte, code string, fresh int64, r *rand.Rand) ([]byte, string) {
	if code == ReasonSuperseded {
		if s.prev.minute == 0 {
			code = ReasonDuplicate
		} else {
			// Older on the same day, with another reordered: the clean row wins.
			it := s.prev
			it.minute = r.IntN(it.minute)
			it.reordered = !it.reordered
			return appendItem(b, &it, s.day), code
		}
	}
	if code == ReasonDuplicate {
		return appendItem(b, &s.prev, s.day), code
	}
	o := order{id: s.prev.order, user: s.prev.user, minute: s.prev.minute}
	it := newItem(r, fresh, &o, 1+r.IntN(10), s.products)
	return append(b, s.spec.corrupt(code, splitLine(appendItem(nil, &it, s.day)), r)...), code
}

// slots decides, position by position, whether the next row of a file is
// dirty: the first row is clean, and the dirty rows take uniformly random
// places among the others.
type slots struct {
	r      *rand.Rand
	places int64 // positions left after the first
	dirty  int64 // dirty rows left
	first  bool
}

func (s *slots) nextDirty() bool {
	if s.first {
		s.first = false
		return false
	}
	if s.dirty == 0 {
		return false
	}
	d := s.r.Int64N(s.places) < s.dirty
	s.places--
	if d {
		s.dirty--
	}
	return d
}
