package pipeline

import (
	"cmp"
	"slices"
)

// matchIndex finds the match of a key: through arrays indexed by key when
// the keys that can match are dense (8 bytes a key of their range, 12 when
// the candidate files' key ranges overlap), else a map. When a key occurs
// twice, the later match wins.
type matchIndex struct {
	base   int64
	hashes []rowHash // dense: key-base → hash; 0 for none
	// A dense index finds a key's file among the candidates' key ranges
	// when they are disjoint (and the keys lie in them), else in cands.
	ranges []candRange
	cands  []int32 // key-base → candidate
	m      map[int64]match
	// Before done: the matches of keys outside the dense range (all of
	// them for a sparse index).
	keys []int64
	ms   []match
}

// match is where an existing row of a key of the run lives.
type match struct {
	hash rowHash
	cand int32 // index in the candidates
}

// candRange is a candidate file's key range, from its stats.
type candRange struct {
	lo, hi int64
	cand   int32
}

// newMatchIndexFor is an index for at most n matches of keys in [lo, hi]:
// dense when the range is at most 4 times n. ranges are the candidates'
// key ranges, or nil when some are unknown.
func newMatchIndexFor(lo, hi, n int64, ranges []candRange) *matchIndex {
	x := &matchIndex{}
	if lo > hi || n <= 0 {
		return x
	}
	span := uint64(hi - lo)
	if span >= uint64(4*n) || span >= 1<<31 {
		return x
	}
	x.base, x.hashes = lo, make([]rowHash, span+1)
	ranges = slices.Clone(ranges)
	slices.SortFunc(ranges, func(a, b candRange) int { return cmp.Compare(a.lo, b.lo) })
	for i := range ranges {
		if i > 0 && ranges[i].lo <= ranges[i-1].hi {
			ranges = nil // they overlap
			break
		}
	}
	if ranges == nil {
		x.cands = make([]int32, span+1)
	}
	x.ranges = ranges
	return x
}

// inDense reports whether k has its place in the dense arrays.
func (x *matchIndex) inDense(k int64) bool {
	return x.hashes != nil && k >= x.base && uint64(k-x.base) < uint64(len(x.hashes))
}

// rangeOf is the candidate whose key range holds k, or -1.
func (x *matchIndex) rangeOf(k int64) int32 {
	i, _ := slices.BinarySearchFunc(x.ranges, k, func(r candRange, k int64) int { return cmp.Compare(r.lo, k) })
	switch {
	case i < len(x.ranges) && x.ranges[i].lo == k:
		return x.ranges[i].cand
	case i > 0 && k <= x.ranges[i-1].hi:
		return x.ranges[i-1].cand
	}
	return -1
}

// addFile adds the matches of a candidate file (later files win).
func (x *matchIndex) addFile(cand int32, keys []int64, hashes []rowHash) {
	for i, k := range keys {
		if !x.inDense(k) {
			x.keys = append(x.keys, k)
			x.ms = append(x.ms, match{hash: hashes[i], cand: cand})
			continue
		}
		if x.cands == nil && x.rangeOf(k) != cand {
			x.rangesToCands() // the file's stats do not hold its keys
		}
		x.hashes[k-x.base] = hashes[i]
		if x.cands != nil {
			x.cands[k-x.base] = cand
		}
	}
}

// addLate adds matches of a candidate once every file's own matches are in
// a direct index: a key that a later file holds in its own range keeps
// that file's match.
func (x *matchIndex) addLate(cand int32, keys []int64, hashes []rowHash) {
	for i, k := range keys {
		if x.inDense(k) && x.hashes[k-x.base] != 0 {
			owner := x.rangeOf(k)
			if x.cands != nil {
				owner = x.cands[k-x.base]
			}
			if owner > cand {
				continue
			}
		}
		x.addFile(cand, keys[i:i+1], hashes[i:i+1])
	}
}

// rangesToCands records the candidate of every dense match so far by key.
func (x *matchIndex) rangesToCands() {
	x.cands = make([]int32, len(x.hashes))
	for i, h := range x.hashes {
		if h != 0 {
			x.cands[i] = x.rangeOf(x.base + int64(i))
		}
	}
	x.ranges = nil
}

// done finishes the index once every file is added.
func (x *matchIndex) done() *matchIndex {
	if len(x.keys) > 0 {
		x.m = make(map[int64]match, len(x.keys))
		for i, k := range x.keys {
			x.m[k] = x.ms[i]
		}
	}
	x.keys, x.ms = nil, nil
	return x
}

func (x *matchIndex) get(k int64) (match, bool) {
	if !x.inDense(k) {
		m, ok := x.m[k]
		return m, ok
	}
	h := x.hashes[k-x.base]
	if h == 0 {
		return match{}, false
	}
	if x.cands != nil {
		return match{hash: h, cand: x.cands[k-x.base]}, true
	}
	return match{hash: h, cand: x.rangeOf(k)}, true
}
