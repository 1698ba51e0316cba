// Package keyset provides a compact set of int64 keys for the pipeline's
// per-key work over millions of keys: which keys a run holds, which of them
// repeat, which keys a reference may point at. Ids usually come in dense
// runs (sequences, auto-increment): those keys go to bitmap pages of 65,536
// keys (8 KiB, a bit a key, no hashing). Keys that do not — random or
// widely spread ids — go to an open-addressing table of bare 8-byte slots
// (no pointers, so the garbage collector skips it), at most 5/8 full: about
// 13–26 bytes a key, a third of a Go map's footprint.
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

// Set is a set of int64 keys. It is not safe for concurrent use, not even
// for lookups (they remember the pages they touched).
type Set struct {
	pages
	hint    int // keys expected, to size the table once it is needed
	slots   []int64
	nblocks uint64
	n       int
	hasMin  bool    // whether math.MinInt64 is in the table part
	sorted  []int64 // the keys in order, built by AnyIn, dropped by a new key
}

// NewSet returns a set sized for about n keys (it grows when needed).
func NewSet(n int) *Set {
	return &Set{hint: n}
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

// find returns the slot holding k, or the free slot where k would go (the
// table must exist).
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
	s.pages.seen++
	if pg := s.pageFor(k, s.n == 0 && !s.hasMin); pg != nil {
		if !pg.add(k) {
			return false
		}
		s.pages.n++
		s.sorted = nil
		return true
	}
	if k == empty {
		if s.hasMin {
			return false
		}
		s.hasMin, s.sorted = true, nil
		return true
	}
	if s.slots == nil {
		s.init(max(s.hint, s.pages.n*2))
		if !s.pages.off && s.pages.sparse() { // spread keys: give pages up
			s.pages.off = true
			s.pages.each(func(k int64) {
				if k == empty {
					s.hasMin = true
				} else {
					s.insert(k)
				}
			})
			s.pages = pages{off: true}
		}
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

// insert adds a key known to be absent from the table (k != empty).
func (s *Set) insert(k int64) {
	if (s.n+1)*8 > len(s.slots)*5 {
		s.grow()
	}
	i, _ := s.find(k)
	s.slots[i] = k
	s.n++
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
	if pg := s.pageFor(k, false); pg != nil {
		return pg.has(k)
	}
	if k == empty {
		return s.hasMin
	}
	if s.slots == nil {
		return false
	}
	_, ok := s.find(k)
	return ok
}

// Len is the number of keys.
func (s *Set) Len() int {
	n := s.n + s.pages.n
	if s.hasMin {
		n++
	}
	return n
}

// Range calls fn for every key, in no particular order.
func (s *Set) Range(fn func(k int64)) {
	s.pages.each(fn)
	if s.hasMin {
		fn(empty)
	}
	for _, k := range s.slots {
		if k != empty {
			fn(k)
		}
	}
}

// AnyIn reports whether a key lies in [lo, hi]. Keys in bitmap pages are
// looked up in their bits; the first call sorts the keys of the table part
// (8 bytes a key, kept until a new key is added).
func (s *Set) AnyIn(lo, hi int64) bool {
	if lo > hi {
		return false
	}
	if s.pages.anyIn(lo, hi) || s.hasMin && lo == empty {
		return true
	}
	if s.n == 0 {
		return false
	}
	if s.sorted == nil {
		s.sorted = make([]int64, 0, s.n)
		for _, k := range s.slots {
			if k != empty {
				s.sorted = append(s.sorted, k)
			}
		}
		slices.Sort(s.sorted)
	}
	i := sort.Search(len(s.sorted), func(i int) bool { return s.sorted[i] >= lo })
	return i < len(s.sorted) && s.sorted[i] <= hi
}

// Lookup is a read-only view of a Set for one goroutine: Lookups of one
// Set may be used on several goroutines at once, as long as no key is
// added meanwhile.
type Lookup struct {
	s      *Set
	recent recentPages
}

// Lookup returns a view of s for lookups on another goroutine.
func (s *Set) Lookup() *Lookup { return &Lookup{s: s} }

// Has reports whether k is in the set.
func (l *Lookup) Has(k int64) bool {
	s := l.s
	if !s.pages.off {
		idx := k >> pageBits
		slot := l.recent.slot(idx)
		if slot.pg == nil || slot.idx != idx {
			if pg := s.pages.byIndex[idx]; pg != nil {
				*slot = pageSlot{idx: idx, pg: pg}
			}
		}
		if slot.pg != nil && slot.idx == idx {
			return slot.pg.has(k)
		}
	}
	if k == empty {
		return s.hasMin
	}
	if s.slots == nil {
		return false
	}
	_, ok := s.find(k)
	return ok
}

// AddAll adds every key of o, calling dup for each one s held already. A
// page of o goes in a word at a time when s keeps that page (or may make
// it); every other key goes in as AddNew would add it.
func (s *Set) AddAll(o *Set, dup func(k int64)) {
	for idx, op := range o.pages.byIndex {
		base := idx << pageBits
		n := op.count()
		s.pages.seen++ // as AddNew counts the page's first key before it looks for the page
		pg := s.pageFor(base, s.n == 0 && !s.hasMin)
		if pg == nil {
			s.pages.seen-- // AddNew counts them
			op.each(idx, func(k int64) {
				if !s.AddNew(k) {
					dup(k)
				}
			})
			continue
		}
		s.pages.seen += n - 1
		added := 0
		for w, word := range op {
			if word == 0 {
				continue
			}
			for both := pg[w] & word; both != 0; both &= both - 1 {
				dup(base | int64(w)<<6 | int64(bits.TrailingZeros64(both)))
			}
			added += bits.OnesCount64(word &^ pg[w])
			pg[w] |= word
		}
		if added > 0 {
			s.pages.n += added
			s.sorted = nil
		}
	}
	if o.hasMin && !s.AddNew(empty) {
		dup(empty)
	}
	for _, k := range o.slots {
		if k != empty && !s.AddNew(k) {
			dup(k)
		}
	}
}

// Bounds returns the least and the greatest key (the set must hold one).
func (s *Set) Bounds() (lo, hi int64) {
	has := false
	see := func(k int64) {
		if !has {
			lo, hi, has = k, k, true
		}
		lo, hi = min(lo, k), max(hi, k)
	}
	for idx, pg := range s.pages.byIndex {
		base := idx << pageBits
		for w, word := range pg {
			if word != 0 {
				see(base | int64(w)<<6 | int64(bits.TrailingZeros64(word)))
				break
			}
		}
		for w := pageWords - 1; w >= 0; w-- {
			if word := pg[w]; word != 0 {
				see(base | int64(w)<<6 | int64(63-bits.LeadingZeros64(word)))
				break
			}
		}
	}
	if s.hasMin {
		see(empty)
	}
	for _, k := range s.slots {
		if k != empty {
			see(k)
		}
	}
	return lo, hi
}
