package pipeline

import (
	"math"
	"testing"
)

// TestMatchIndex checks every layout of the match index against a map:
// dense with the candidates found by their key ranges, dense with
// overlapping ranges, dense with a file holding a key outside its stated
// range, and sparse; with keys repeated within a file and across files
// (the later wins), keys outside the dense range, and keys at the int64
// extremes.
func TestMatchIndex(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo, hi int64
		ranges []candRange
		files  [][]int64
		layout string
	}{
		{"dense by ranges", 10, 30, []candRange{{20, 25, 1}, {10, 14, 0}, {26, 40, 2}},
			[][]int64{{10, 11, 12, 12}, {20, 21, 25}, {26, 30, 200}}, "ranges"},
		{"dense overlapping", 10, 14, []candRange{{10, 12, 0}, {11, 14, 1}, {9, 200, 2}},
			[][]int64{{10, 11, 12}, {14, 11, 13, 13}, {9, 200}}, "cands"},
		{"dense, a key outside its file's range", 10, 30, []candRange{{10, 14, 0}, {20, 25, 1}},
			[][]int64{{10, 11, 22}, {20, 21, 11, 25}}, "cands"},
		{"no ranges", 10, 14, nil, [][]int64{{10, 11, 12}, {14, 11}}, "cands"},
		{"sparse", math.MinInt64, math.MaxInt64, nil, [][]int64{{5, 1 << 40}, {-3, 5, math.MinInt64, math.MaxInt64}}, "map"},
		{"empty", 1, 0, nil, nil, "map"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			for _, f := range c.files {
				n += len(f)
			}
			x := newMatchIndexFor(c.lo, c.hi, int64(n), c.ranges)
			want := map[int64]match{}
			seq := rowHash(0)
			for cand, keys := range c.files {
				hashes := make([]rowHash, len(keys))
				for i, k := range keys {
					seq += 2
					hashes[i] = seq | 1
					want[k] = match{hash: hashes[i], cand: int32(cand)}
				}
				x.addFile(int32(cand), keys, hashes)
			}
			x.done()
			layout := "map"
			switch {
			case x.hashes != nil && x.cands != nil:
				layout = "cands"
			case x.hashes != nil:
				layout = "ranges"
			}
			if layout != c.layout {
				t.Fatalf("layout %s, want %s", layout, c.layout)
			}
			probe := []int64{9, 15, 0, 19, 1 << 41, math.MinInt64 + 1, math.MaxInt64 - 1}
			for _, f := range c.files {
				probe = append(probe, f...)
			}
			for _, k := range probe {
				m, ok := x.get(k)
				w, wok := want[k]
				if ok != wok || ok && m != w {
					t.Fatalf("get(%d) = %v %v, want %v %v", k, m, ok, w, wok)
				}
			}
		})
	}
}

// TestMatchIndexLateMatches: in a direct index files write the matches in
// their own key ranges straight in; the others come after every file, in
// file order, and a key a later file holds in its own range keeps that
// file's match, while a later file's match outside its range wins over an
// earlier file's own.
func TestMatchIndexLateMatches(t *testing.T) {
	x := newMatchIndexFor(10, 40, 20, []candRange{{10, 14, 0}, {20, 25, 1}, {30, 40, 2}})
	if x.hashes == nil || x.cands != nil {
		t.Fatal("not a direct index")
	}
	for _, k := range []int64{10, 12, 21, 22, 33} { // each in its own file's range
		x.hashes[k-x.base] = rowHash(2*k + 1)
	}
	x.addLate(0, []int64{22, 17, 100}, []rowHash{501, 503, 505}) // 22 stays file 1's; 17 in a gap; 100 outside the dense range
	x.addLate(1, []int64{12, 33}, []rowHash{507, 509})           // 12: file 1 is later than its owner 0; 33 stays file 2's
	x.done()
	want := map[int64]match{
		10: {hash: 21, cand: 0}, 12: {hash: 507, cand: 1}, 21: {hash: 43, cand: 1}, 22: {hash: 45, cand: 1},
		33: {hash: 67, cand: 2}, 17: {hash: 503, cand: 0}, 100: {hash: 505, cand: 0},
	}
	for k := int64(0); k <= 110; k++ {
		m, ok := x.get(k)
		w, wok := want[k]
		if ok != wok || ok && m != w {
			t.Fatalf("get(%d) = %v %v, want %v %v", k, m, ok, w, wok)
		}
	}
}
