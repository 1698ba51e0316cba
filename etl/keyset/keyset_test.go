package keyset

import (
	"math/rand/v2"
	"testing"
)

func TestMapAgainstGoMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m := NewMap[int64](4)
	ref := map[int64]int64{}
	for i := 0; i < 200_000; i++ {
		k := r.Int64N(50_000) - 25_000
		if r.IntN(3) == 0 {
			k = r.Int64() // spread keys too
		}
		m.Put(k, int64(i))
		ref[k] = int64(i)
	}
	if m.Len() != len(ref) {
		t.Fatalf("len %d, want %d", m.Len(), len(ref))
	}
	for k, v := range ref {
		if got, ok := m.Get(k); !ok || got != v {
			t.Fatalf("key %d: %d %v, want %d", k, got, ok, v)
		}
	}
	for i := 0; i < 1000; i++ {
		k := r.Int64()
		_, want := ref[k]
		if m.Has(k) != want {
			t.Fatalf("Has(%d) wrong", k)
		}
	}
	n := 0
	m.Range(func(k int64, v int64) bool { n++; return ref[k] == v })
	if n != len(ref) {
		t.Fatalf("range visited %d", n)
	}
	s := NewSet(0)
	s.Add(0)
	s.Add(-1)
	if !s.Has(0) || !s.Has(-1) || s.Has(1) || s.Len() != 2 {
		t.Fatal("set")
	}
}

func BenchmarkMapPutGet(b *testing.B) {
	for b.Loop() {
		m := NewMap[[3]int64](0)
		for i := int64(0); i < 1_000_000; i++ {
			m.Put(i*7, [3]int64{i})
		}
		for i := int64(0); i < 1_000_000; i++ {
			m.Get(i * 7)
		}
	}
}

func BenchmarkGoMapPutGet(b *testing.B) {
	for b.Loop() {
		m := map[int64][3]int64{}
		for i := int64(0); i < 1_000_000; i++ {
			m[i*7] = [3]int64{i}
		}
		for i := int64(0); i < 1_000_000; i++ {
			_ = m[i*7]
		}
	}
}

func TestStridedKeys(t *testing.T) {
	for _, stride := range []int64{1, 3, 256, 1 << 16, 1 << 20, 1 << 32} {
		m := NewMap[int32](0)
		for i := int64(0); i < 100_000; i++ {
			m.Put(i*stride, int32(i))
		}
		for i := int64(0); i < 100_000; i++ {
			if v, ok := m.Get(i * stride); !ok || v != int32(i) {
				t.Fatalf("stride %d: key %d lost", stride, i*stride)
			}
		}
	}
}
