// Package keyset provides compact open-addressing hash tables keyed by
// int64, for the pipeline's per-key state (millions of keys): a Set and a Map
// from key to a small fixed-size value. They use far less memory than Go maps
// of the same content and no pointers, so the garbage collector skips them.
package keyset

import "math/bits"

// bucket places a key: keys that differ only in their low 4 bits (runs of
// nearby ids, the usual case) share one aligned block of 16 slots, which
// keeps lookups in input order cache friendly; blocks are spread by a
// multiplicative hash of the rest of the key, so strided keys do not pile up.
func bucket(k int64) uint64 {
	h := bits.RotateLeft64(uint64(k>>4)*0x9E3779B97F4A7C15, 32)
	return h&^15 | uint64(k)&15
}

// entry is one slot: key, value and whether it is used, side by side so a
// lookup touches one cache line.
type entry[V any] struct {
	key  int64
	used bool
	val  V
}

// Map maps int64 keys to values of type V.
type Map[V any] struct {
	slots []entry[V]
	n     int
	mask  uint64
}

// NewMap returns a map sized for about n keys.
func NewMap[V any](n int) *Map[V] {
	m := &Map[V]{}
	m.init(n)
	return m
}

func (m *Map[V]) init(n int) {
	size := 16
	for size < n*2 { // load factor at most 1/2
		size <<= 1
	}
	m.slots = make([]entry[V], size)
	m.mask = uint64(size - 1)
	m.n = 0
}

// Len is the number of keys.
func (m *Map[V]) Len() int { return m.n }

func (m *Map[V]) slot(k int64) (int, bool) {
	i := bucket(k) & m.mask
	for {
		e := &m.slots[i]
		if !e.used {
			return int(i), false
		}
		if e.key == k {
			return int(i), true
		}
		i = (i + 1) & m.mask
	}
}

// Get returns the value of k.
func (m *Map[V]) Get(k int64) (V, bool) {
	i, ok := m.slot(k)
	if !ok {
		var zero V
		return zero, false
	}
	return m.slots[i].val, true
}

// Has reports whether k is present.
func (m *Map[V]) Has(k int64) bool {
	_, ok := m.slot(k)
	return ok
}

// Put sets the value of k.
func (m *Map[V]) Put(k int64, v V) {
	i, ok := m.slot(k)
	if !ok {
		if (m.n+1)*2 > len(m.slots) {
			m.grow()
			i, _ = m.slot(k)
		}
		m.slots[i] = entry[V]{key: k, used: true}
		m.n++
	}
	m.slots[i].val = v
}

func (m *Map[V]) grow() {
	old := m.slots
	m.init(len(old)) // init sizes for n*2 slots: doubles
	for _, e := range old {
		if e.used {
			i, _ := m.slot(e.key)
			m.slots[i] = e
			m.n++
		}
	}
}

// Range calls fn for every key and value until fn returns false.
func (m *Map[V]) Range(fn func(k int64, v V) bool) {
	for _, e := range m.slots {
		if e.used && !fn(e.key, e.val) {
			return
		}
	}
}

// Set is a set of int64 keys.
type Set struct{ m Map[struct{}] }

// NewSet returns a set sized for about n keys.
func NewSet(n int) *Set {
	s := &Set{}
	s.m.init(n)
	return s
}

// Add inserts k.
func (s *Set) Add(k int64) { s.m.Put(k, struct{}{}) }

// Has reports whether k is in the set.
func (s *Set) Has(k int64) bool { return s.m.Has(k) }

// Len is the number of keys.
func (s *Set) Len() int { return s.m.Len() }

// Range calls fn for every key.
func (s *Set) Range(fn func(k int64)) {
	s.m.Range(func(k int64, _ struct{}) bool { fn(k); return true })
}
