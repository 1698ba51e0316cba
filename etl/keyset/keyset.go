// Package keyset provides compact open-addressing hash tables keyed by
// int64, for the pipeline's per-key state (millions of keys): a Set and a Map
// from key to a small fixed-size value. They use far less memory than Go maps
// of the same content and no pointers, so the garbage collector skips them.
package keyset

// hashKey spreads an int64 key (Fibonacci hashing).
func hashKey(k int64) uint64 { return uint64(k) * 0x9E3779B97F4A7C15 }

// Map maps int64 keys to values of type V.
type Map[V any] struct {
	keys  []int64
	vals  []V
	used  []uint64 // bitmap of occupied slots
	n     int
	shift uint
}

// NewMap returns a map sized for about n keys.
func NewMap[V any](n int) *Map[V] {
	m := &Map[V]{}
	m.init(n)
	return m
}

func (m *Map[V]) init(n int) {
	size := 16
	bits := uint(4)
	for size < n*2 { // load factor at most 1/2
		size <<= 1
		bits++
	}
	m.keys = make([]int64, size)
	m.vals = make([]V, size)
	m.used = make([]uint64, (size+63)/64)
	m.shift = 64 - bits
	m.n = 0
}

// Len is the number of keys.
func (m *Map[V]) Len() int { return m.n }

func (m *Map[V]) slot(k int64) (int, bool) {
	mask := len(m.keys) - 1
	i := int(hashKey(k) >> m.shift)
	for {
		if m.used[i>>6]&(1<<(i&63)) == 0 {
			return i, false
		}
		if m.keys[i] == k {
			return i, true
		}
		i = (i + 1) & mask
	}
}

// Get returns the value of k.
func (m *Map[V]) Get(k int64) (V, bool) {
	i, ok := m.slot(k)
	if !ok {
		var zero V
		return zero, false
	}
	return m.vals[i], true
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
		if (m.n+1)*2 > len(m.keys) {
			m.grow()
			i, _ = m.slot(k)
		}
		m.used[i>>6] |= 1 << (i & 63)
		m.keys[i] = k
		m.n++
	}
	m.vals[i] = v
}

func (m *Map[V]) grow() {
	keys, vals, used := m.keys, m.vals, m.used
	m.init(len(keys)) // doubles: init sizes for n*2 slots
	for i, k := range keys {
		if used[i>>6]&(1<<(i&63)) != 0 {
			j, _ := m.slot(k)
			m.used[j>>6] |= 1 << (j & 63)
			m.keys[j] = k
			m.vals[j] = vals[i]
			m.n++
		}
	}
}

// Range calls fn for every key and value until fn returns false.
func (m *Map[V]) Range(fn func(k int64, v V) bool) {
	for i, k := range m.keys {
		if m.used[i>>6]&(1<<(i&63)) != 0 && !fn(k, m.vals[i]) {
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
