package pipeline

import (
	"math"
	"testing"
)

// TestMatchIndex checks both layouts of the match index against a map,
// with repeated keys (the later wins) and keys at the int64 extremes.
func TestMatchIndex(t *testing.T) {
	for _, c := range []struct {
		name string
		keys []int64
	}{
		{"dense", []int64{10, 11, 12, 14, 11, 13}},
		{"sparse", []int64{5, 1 << 40, -3, 5, math.MinInt64, math.MaxInt64}},
		{"empty", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms := make([]match, len(c.keys))
			want := map[int64]int32{}
			for i, k := range c.keys {
				ms[i] = match{cand: int32(i)}
				want[k] = int32(i)
			}
			x := newMatchIndex(c.keys, ms)
			if c.name == "dense" && x.dense == nil || c.name == "sparse" && x.m == nil {
				t.Fatalf("layout: dense %v, map %v", x.dense != nil, x.m != nil)
			}
			for _, k := range append(c.keys, 9, 15, 0, 1<<41, math.MinInt64+1, math.MaxInt64-1) {
				m, ok := x.get(k)
				w, wok := want[k]
				if ok != wok || ok && m.cand != w {
					t.Fatalf("get(%d) = %v %v, want %v %v", k, m.cand, ok, w, wok)
				}
			}
		})
	}
}
