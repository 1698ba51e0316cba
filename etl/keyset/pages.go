package keyset

import "math/bits"

// pageBits is log2 of the keys a bitmap page covers.
const pageBits = 16

// page is a bitmap of 1<<pageBits keys.
type page [pageWords]uint64

const pageWords = 1 << pageBits / 64

func (p *page) add(k int64) bool {
	w, b := (k>>6)&(pageWords-1), uint64(1)<<(k&63)
	if p[w]&b != 0 {
		return false
	}
	p[w] |= b
	return true
}

func (p *page) has(k int64) bool { return p[(k>>6)&(pageWords-1)]&(1<<(k&63)) != 0 }

// pages is the dense part of a Set. A page is made only while the table
// part is empty, so a key's place never changes: once any key has gone to
// the table, keys of pages that do not exist go there too. Pages are
// capped at 128 plus one per 4,096 keys seen, so widely spread keys cost
// at most 1 MiB of pages before they fall back to the table; when they do
// and the pages are sparse, their keys move to the table and pages are
// given up for good, so spread keys pay no page lookup.
type pages struct {
	byIndex map[int64]*page
	recent  recentPages // pages of recent lookups
	n       int         // keys in pages
	seen    int         // keys offered, for the cap
	off     bool        // pages were given up: every key is in the table
}

// pageFor returns k's page, making it when create is set and the cap
// allows; nil when k belongs in the table.
func (ps *pages) pageFor(k int64, create bool) *page {
	if ps.off {
		return nil
	}
	idx := k >> pageBits
	slot := ps.recent.slot(idx)
	if slot.pg != nil && slot.idx == idx {
		return slot.pg
	}
	pg := ps.byIndex[idx]
	if pg == nil {
		if !create || len(ps.byIndex) >= 128+ps.seen/4096 {
			return nil
		}
		if ps.byIndex == nil {
			ps.byIndex = map[int64]*page{}
		}
		pg = new(page)
		ps.byIndex[idx] = pg
	}
	*slot = pageSlot{idx: idx, pg: pg}
	return pg
}

// recentPages remembers the pages of recent lookups by the low bits of
// their index, so that keys that take turns among a few dozen pages (ids
// of rows whose dates interleave) find theirs without a map lookup.
type recentPages [64]pageSlot

type pageSlot struct {
	idx int64
	pg  *page
}

func (r *recentPages) slot(idx int64) *pageSlot { return &r[uint64(idx)%uint64(len(r))] }

// sparse reports whether the pages hold too few keys to be worth a lookup
// (fewer than 256 a page: less than their 8 KiB would cost as table slots).
func (ps *pages) sparse() bool { return ps.n < 256*len(ps.byIndex) }

// each calls fn for every key in the pages.
func (ps *pages) each(fn func(k int64)) {
	for idx, pg := range ps.byIndex {
		pg.each(idx, fn)
	}
}

// each calls fn for every key of page idx.
func (p *page) each(idx int64, fn func(k int64)) {
	for w, word := range p {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			fn(idx<<pageBits | int64(w)<<6 | int64(b))
			word &= word - 1
		}
	}
}

// count is the number of keys in the page.
func (p *page) count() int {
	n := 0
	for _, word := range p {
		n += bits.OnesCount64(word)
	}
	return n
}

// anyIn reports whether a key of the pages lies in [lo, hi] (lo <= hi).
func (ps *pages) anyIn(lo, hi int64) bool {
	if ps.off || len(ps.byIndex) == 0 {
		return false
	}
	first, last := lo>>pageBits, hi>>pageBits
	if uint64(last-first) < uint64(len(ps.byIndex)) {
		for idx := first; ; idx++ {
			if pg := ps.byIndex[idx]; pg != nil && pg.anyIn(idx, lo, hi) {
				return true
			}
			if idx == last {
				return false
			}
		}
	}
	for idx, pg := range ps.byIndex {
		if idx >= first && idx <= last && pg.anyIn(idx, lo, hi) {
			return true
		}
	}
	return false
}

// anyIn reports whether page idx holds a key in [lo, hi].
func (p *page) anyIn(idx, lo, hi int64) bool {
	base := idx << pageBits
	from, to := max(lo, base)-base, min(hi, base|(1<<pageBits-1))-base // bit offsets in the page, from <= to
	fw, tw := from>>6, to>>6
	for w := fw; w <= tw; w++ {
		word := p[w]
		if w == fw {
			word &= ^uint64(0) << (from & 63)
		}
		if w == tw {
			word &= ^uint64(0) >> (63 - to&63)
		}
		if word != 0 {
			return true
		}
	}
	return false
}
