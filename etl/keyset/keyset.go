// Package keyset provides a compact set of int64 keys for the pipeline's
// per-key work over millions of keys: which keys a run holds, which of them
// repeat, which keys a reference may point at. It is an open-addressing table
// of bare 8-byte slots (no pointers, so the garbage collector skips it), at
// most 5/8 full: about 13–26 bytes a key, a third of a Go map's footprint.
package keyset

import (
	"math"
	"math/bits"
	"slices"
	"sort"
)

// empty marks a free slot; the key math.MinInt64 itself is kept aside.
const empty = math.MinInt64

// blockSlots is how many slots share a block: keys that differ only in their
// low 3 bits (runs of nearby ids, the usual case) have their home in one
// 64-byte block, so adding or finding ids in input order touches one cache
// line per eight keys. Blocks are spread by a multiplicative hash of the rest
// of the key, so strided keys do not pile up.
const blockSlots = 8

// Set is a set of int64 keys.
type Set struct {
	slots   []int64
	nblocks uint64
	n       int
	hasMin  bool    // whether math.MinInt64 is in the set
	sorted  []int64 // the keys in order, built by AnyIn, dropped by a new key
}

// NewSet returns a set sized for about n keys (it grows when needed).
func NewSet(n int) *Set {
	s := &Set{}
	s.init(n)
	return s
}

func (s *Set) init(n int) {
	blocks := uint64(max(n, 8)*8/5)/blockSlots + 1 // load 5/8 at n keys
	s.slots = make([]int64, blocks*blockSlots)
	for i := range s.slots {
		s.slots[i] = empty
	}
	s.nblocks = blocks
	s.n = 0
}

// find returns the slot holding k, or the free slot where k would go.
func (s *Set) find(k int64) (int, bool) {
	hi, _ := bits.Mul64(uint64(k>>3)*0x9E3779B97F4A7C15, s.nblocks)
	i := int(hi)*blockSlots + int(k&(blockSlots-1))
	for {
		switch s.slots[i] {
		case k:
			return i, true
		case empty:
			return i, false
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

// Add inserts k.
func (s *Set) Add(k int64) { s.AddNew(k) }

// AddNew inserts k and reports whether it was not in the set before.
func (s *Set) AddNew(k int64) bool {
	if k == empty {
		if s.hasMin {
			return false
		}
		s.hasMin, s.sorted = true, nil
		return true
	}
	i, ok := s.find(k)
	if ok {
		return false
	}
	if (s.n+1)*8 > len(s.slots)*5 {
		s.grow()
		i, _ = s.find(k)
	}
	s.slots[i] = k
	s.n++
	s.sorted = nil
	return true
}

func (s *Set) grow() {
	old := s.slots
	s.init(s.n * 2)
	for _, k := range old {
		if k != empty {
			i, _ := s.find(k)
			s.slots[i] = k
			s.n++
		}
	}
}

// Has reports whether k is in the set.
func (s *Set) Has(k int64) bool {
	if k == empty {
		return s.hasMin
	}
	_, ok := s.find(k)
	return ok
}

// Len is the number of keys.
func (s *Set) Len() int {
	if s.hasMin {
		return s.n + 1
	}
	return s.n
}

// Range calls fn for every key, in no particular order.
func (s *Set) Range(fn func(k int64)) {
	if s.hasMin {
		fn(empty)
	}
	for _, k := range s.slots {
		if k != empty {
			fn(k)
		}
	}
}

// AnyIn reports whether a key lies in [lo, hi]. The first call sorts the
// keys (8 bytes a key, kept until a new key is added).
func (s *Set) AnyIn(lo, hi int64) bool {
	if s.sorted == nil {
		s.sorted = make([]int64, 0, s.Len())
		s.Range(func(k int64) { s.sorted = append(s.sorted, k) })
		slices.Sort(s.sorted)
	}
	i := sort.Search(len(s.sorted), func(i int) bool { return s.sorted[i] >= lo })
	return i < len(s.sorted) && s.sorted[i] <= hi
}
