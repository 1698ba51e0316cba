package keyset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestSetAgainstGoMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := NewSet(4)
	ref := map[int64]bool{}
	for i := 0; i < 300_000; i++ {
		k := r.Int64N(50_000) - 25_000
		switch r.IntN(4) {
		case 0:
			k = int64(r.Uint64()) // spread keys, both signs
		case 1:
			k = math.MinInt64 + r.Int64N(3) // the sentinel and its neighbours
		}
		if got, want := s.AddNew(k), !ref[k]; got != want {
			t.Fatalf("AddNew(%d) = %v, want %v", k, got, want)
		}
		ref[k] = true
	}
	if s.Len() != len(ref) {
		t.Fatalf("len %d, want %d", s.Len(), len(ref))
	}
	for k := range ref {
		if !s.Has(k) {
			t.Fatalf("key %d lost", k)
		}
	}
	for i := 0; i < 10_000; i++ {
		k := int64(r.Uint64())
		if s.Has(k) != ref[k] {
			t.Fatalf("Has(%d) wrong", k)
		}
	}
	seen := map[int64]bool{}
	s.Range(func(k int64) {
		if seen[k] || !ref[k] {
			t.Fatalf("range gave %d twice or unknown", k)
		}
		seen[k] = true
	})
	if len(seen) != len(ref) {
		t.Fatalf("range visited %d of %d", len(seen), len(ref))
	}
}

func TestAnyIn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := NewSet(0)
	var keys []int64
	for i := 0; i < 2000; i++ {
		k := r.Int64N(100_000) - 50_000
		s.Add(k)
		keys = append(keys, k)
	}
	check := func() {
		for i := 0; i < 3000; i++ {
			lo := r.Int64N(120_000) - 60_000
			hi := lo + r.Int64N(200)
			want := false
			for _, k := range keys {
				if k >= lo && k <= hi {
					want = true
				}
			}
			if got := s.AnyIn(lo, hi); got != want {
				t.Fatalf("AnyIn(%d, %d) = %v, want %v", lo, hi, got, want)
			}
		}
	}
	check()
	s.Add(777_777) // a new key drops the sorted copy
	keys = append(keys, 777_777)
	if !s.AnyIn(777_000, 778_000) {
		t.Fatal("a key added after AnyIn is not seen")
	}
	check()
	if s.AnyIn(5, 4) {
		t.Fatal("an empty range holds a key")
	}
}

func TestStridedKeys(t *testing.T) {
	for _, stride := range []int64{1, 3, 8, 256, 1 << 16, 1 << 20, 1 << 32, -7} {
		s := NewSet(0)
		for i := int64(0); i < 100_000; i++ {
			if !s.AddNew(i * stride) {
				t.Fatalf("stride %d: key %d reported as repeated", stride, i*stride)
			}
		}
		for i := int64(0); i < 100_000; i++ {
			if !s.Has(i*stride) || s.AddNew(i*stride) {
				t.Fatalf("stride %d: key %d lost", stride, i*stride)
			}
		}
		if s.Len() != 100_000 {
			t.Fatalf("stride %d: len %d", stride, s.Len())
		}
	}
}

// BenchmarkAddNew adds 5M keys in input order, the key pass's work on the
// benchmark data: sequential ids, and random ones for the worst case.
func BenchmarkAddNew(b *testing.B) {
	const n = 5_000_000
	seq := make([]int64, n)
	rnd := make([]int64, n)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range seq {
		seq[i] = int64(i + 1)
		rnd[i] = int64(r.Uint64())
	}
	for _, c := range []struct {
		name string
		keys []int64
	}{{"sequential", seq}, {"random", rnd}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s := NewSet(n)
				for _, k := range c.keys {
					s.AddNew(k)
				}
				b.ReportMetric(float64(len(s.slots)*8+len(s.byIndex)*len(page{})*8)/n, "bytes/key")
			}
		})
		b.Run(c.name+"/gomap", func(b *testing.B) {
			for b.Loop() {
				m := make(map[int64]struct{}, n)
				for _, k := range c.keys {
					m[k] = struct{}{}
				}
			}
		})
	}
}

// BenchmarkHas looks up 5M keys in input order in sets of the pipeline's
// sizes: the repeated keys (few), products (1,000), orders (1M, sequential).
func BenchmarkHas(b *testing.B) {
	const n = 5_000_000
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name string
		size int
		seq  bool
	}{{"few", 10_000, false}, {"products", 1000, true}, {"orders", 1_000_000, true}} {
		s := NewSet(0)
		for i := 0; i < c.size; i++ {
			if c.seq {
				s.Add(int64(i))
			} else {
				s.Add(r.Int64N(n))
			}
		}
		keys := make([]int64, n)
		for i := range keys {
			keys[i] = int64(i) * int64(c.size) / n
			if !c.seq {
				keys[i] = int64(i)
			}
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				hits := 0
				for _, k := range keys {
					if s.Has(k) {
						hits++
					}
				}
			}
		})
	}
}

// TestPagesThenTable checks that a key keeps its place: dense keys fill
// pages, spread keys then fall back to the table, and later keys of new
// ranges go to the table too, so every repeat is still seen; and that
// spread keys cost at most the capped pages.
func TestPagesThenTable(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	s := NewSet(0)
	ref := map[int64]bool{}
	add := func(k int64) {
		if got, want := s.AddNew(k), !ref[k]; got != want {
			t.Fatalf("AddNew(%d) = %v, want %v", k, got, want)
		}
		ref[k] = true
	}
	for k := int64(0); k < 200_000; k++ { // dense: pages
		add(k)
	}
	if s.slots != nil || len(s.byIndex) != 4 {
		t.Fatalf("dense keys: table %v, %d pages", s.slots != nil, len(s.byIndex))
	}
	for i := 0; i < 50_000; i++ { // spread: the cap sends them to the table
		add(int64(r.Uint64()))
	}
	if len(s.byIndex) > 128+s.seen/4096 || s.n == 0 {
		t.Fatalf("spread keys: %d pages, %d in the table", len(s.byIndex), s.n)
	}
	for k := int64(1 << 40); k < 1<<40+100_000; k++ { // dense again, new ranges: table
		add(k)
	}
	for i := 0; i < 100_000; i++ { // repeats of everything
		switch i % 3 {
		case 0:
			add(r.Int64N(200_000))
		case 1:
			add(1<<40 + r.Int64N(100_000))
		default:
			add(int64(r.Uint64()))
		}
	}
	if s.Len() != len(ref) {
		t.Fatalf("len %d, want %d", s.Len(), len(ref))
	}
	n := 0
	s.Range(func(k int64) {
		if !ref[k] {
			t.Fatalf("range gave unknown key %d", k)
		}
		n++
	})
	if n != len(ref) {
		t.Fatalf("range gave %d keys, want %d", n, len(ref))
	}
}

// TestAnyInPagesAndTable checks AnyIn over dense keys (bitmap pages),
// spread keys (the table), the sentinel and ranges at the int64 extremes,
// against a brute-force scan.
func TestAnyInPagesAndTable(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	s := NewSet(0)
	var keys []int64
	add := func(k int64) {
		s.Add(k)
		keys = append(keys, k)
	}
	for i := range 50_000 { // dense: pages
		add(int64(i*3) - 70_000)
	}
	for range 300 { // spread: the table, once pages are capped
		add(int64(r.Uint64()))
	}
	add(math.MinInt64)
	add(math.MaxInt64)
	if s.slots == nil || len(s.pages.byIndex) == 0 {
		t.Fatalf("want keys in both parts: %d pages, table %v", len(s.pages.byIndex), s.slots != nil)
	}
	brute := func(lo, hi int64) bool {
		for _, k := range keys {
			if k >= lo && k <= hi {
				return true
			}
		}
		return false
	}
	ranges := [][2]int64{{math.MinInt64, math.MinInt64}, {math.MaxInt64, math.MaxInt64}, {math.MinInt64, math.MaxInt64},
		{math.MinInt64 + 1, math.MaxInt64 - 1}, {-70_001, -70_001}, {-70_000, -70_000}, {-69_999, -69_998}, {5, 4}}
	for range 20_000 {
		lo := r.Int64N(300_000) - 150_000
		hi := lo + r.Int64N(5)
		if r.IntN(10) == 0 {
			hi = lo + r.Int64N(1<<40)
		}
		if r.IntN(10) == 0 {
			lo = int64(r.Uint64())
			hi = lo + int64(r.Uint64()>>(1+r.IntN(62)))
			if hi < lo {
				hi = math.MaxInt64
			}
		}
		ranges = append(ranges, [2]int64{lo, hi})
	}
	for _, rg := range ranges {
		if got, want := s.AnyIn(rg[0], rg[1]), brute(rg[0], rg[1]); got != want {
			t.Fatalf("AnyIn(%d, %d) = %v, want %v", rg[0], rg[1], got, want)
		}
	}
}

// TestLookupsOnSeveralGoroutines runs lookups on goroutines of their own
// (go test -race checks they share nothing they write).
func TestLookupsOnSeveralGoroutines(t *testing.T) {
	s := NewSet(0)
	r := rand.New(rand.NewPCG(7, 8))
	ref := map[int64]bool{}
	for i := range 200_000 {
		k := int64(i)
		if i%3 == 0 {
			k = int64(r.Uint64())
		}
		s.Add(k)
		ref[k] = true
	}
	s.Add(math.MinInt64)
	ref[math.MinInt64] = true
	done := make(chan error)
	for g := range 4 {
		go func() {
			l := s.Lookup()
			rr := rand.New(rand.NewPCG(uint64(g), 9))
			for range 100_000 {
				k := rr.Int64N(300_000)
				if rr.IntN(4) == 0 {
					k = int64(rr.Uint64())
				}
				if l.Has(k) != ref[k] {
					done <- fmt.Errorf("Lookup.Has(%d) = %v", k, !ref[k])
					return
				}
			}
			if !l.Has(math.MinInt64) {
				done <- fmt.Errorf("the sentinel key is lost")
				return
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeysTakingTurnsAmongPages: ids of rows whose dates interleave take
// turns among dozens of pages, more than the pages a set remembers, some
// of their page indexes alike in their low bits, negative ones among
// them; the set and a Lookup of it answer as a map does.
func TestKeysTakingTurnsAmongPages(t *testing.T) {
	const runs = 90 // pages taking turns, over the 64 remembered
	s := NewSet(0)
	ref := map[int64]bool{}
	base := func(run int) int64 {
		if run%9 == 0 {
			return -int64(run+1) << pageBits // negative page indexes
		}
		return int64(run*64+run%3) << pageBits // indexes equal modulo 64 among runs
	}
	for i := range 40_000 {
		run := i % runs
		k := base(run) + int64(i/runs)*3
		if got, want := s.AddNew(k), !ref[k]; got != want {
			t.Fatalf("AddNew(%d) = %v, want %v", k, got, want)
		}
		ref[k] = true
	}
	if s.pages.off || len(s.pages.byIndex) < runs {
		t.Fatalf("the keys went to the table (%d pages): the test would not look pages up", len(s.pages.byIndex))
	}
	l := s.Lookup()
	for i := range 120_000 {
		run := i % runs
		k := base(run) + int64(i/runs)
		if s.Has(k) != ref[k] || l.Has(k) != ref[k] {
			t.Fatalf("Has(%d) = %v, Lookup %v, want %v", k, s.Has(k), l.Has(k), ref[k])
		}
	}
}

// AddAll leaves the set as adding o's keys one by one would (the same
// keys, the same length) and names exactly the keys both held; dense keys
// (pages, a word at a time), spread keys (the table) and math.MinInt64 mixed.
// At the page cap, the keys go where AddNew would put them too.
func TestAddAllAgainstAddNew(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	gen := func(n int, spread float64) *Set {
		s := NewSet(n)
		base := rng.Int64N(1 << 20)
		for range n {
			switch {
			case rng.Float64() < spread:
				s.Add(rng.Int64() - rng.Int64())
			case rng.IntN(500) == 0:
				s.Add(math.MinInt64)
			default:
				s.Add(base + rng.Int64N(300_000))
			}
		}
		return s
	}
	for round := range 60 {
		spread := []float64{0, 0.01, 0.5, 1}[round%4]
		a, o := gen(rng.IntN(50_000), spread), gen(rng.IntN(50_000), []float64{0, 0.02, 1, 0.3}[round%4])
		one := NewSet(0) // a, then o's keys one by one
		a.Range(func(k int64) { one.Add(k) })
		want := map[int64]bool{}
		o.Range(func(k int64) {
			if !one.AddNew(k) {
				want[k] = true
			}
		})
		all := NewSet(0) // a, then o at once
		a.Range(func(k int64) { all.Add(k) })
		got := map[int64]bool{}
		all.AddAll(o, func(k int64) {
			if got[k] {
				t.Fatalf("round %d: %d named twice", round, k)
			}
			got[k] = true
		})
		if o.Len() > 0 { // Bounds against a scan of the keys
			lo, hi := o.Bounds()
			wlo, whi := int64(math.MaxInt64), int64(math.MinInt64)
			o.Range(func(k int64) { wlo, whi = min(wlo, k), max(whi, k) })
			if lo != wlo || hi != whi {
				t.Fatalf("round %d: bounds %d..%d, want %d..%d", round, lo, hi, wlo, whi)
			}
		}
		if all.Len() != one.Len() {
			t.Fatalf("round %d: %d keys, want %d", round, all.Len(), one.Len())
		}
		one.Range(func(k int64) {
			if !all.Has(k) {
				t.Fatalf("round %d: %d missing", round, k)
			}
		})
		if len(got) != len(want) {
			t.Fatalf("round %d: %d keys named as held already, want %d", round, len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("round %d: %d held by both, not named", round, k)
			}
		}
	}
}

// A set at its page cap (128 pages, 3,968 keys seen) given a dense page of
// 8,000 keys: one by one, the first key goes to the table, the pages are
// found sparse and given up; AddAll lays the keys out the same way.
func TestAddAllAtThePageCap(t *testing.T) {
	build := func() *Set {
		s := NewSet(0)
		for p := range int64(128) {
			for k := range int64(31) {
				s.Add(p<<pageBits + k)
			}
		}
		return s
	}
	o := NewSet(0)
	for k := range int64(8000) {
		o.Add(1000<<pageBits + k)
	}
	one, all := build(), build()
	o.Range(func(k int64) { one.Add(k) })
	all.AddAll(o, func(int64) {})
	if len(all.pages.byIndex) != len(one.pages.byIndex) || all.n != one.n || all.pages.off != one.pages.off {
		t.Fatalf("AddAll: %d pages, %d table keys, pages off %v; one by one: %d, %d, %v",
			len(all.pages.byIndex), all.n, all.pages.off, len(one.pages.byIndex), one.n, one.pages.off)
	}
}
