package pipeline

import "math/bits"

// survivor is the row that wins dedup for a key so far.
type survivor struct {
	ts   int64  // order_timestamp in µs (0 for products)
	seq  uint32 // position among the dataset's valid rows in this run, from 1
	hash uint32 // hash of the row's values, to tell duplicates from superseded rows
}

// survEntry is one slot of the survivor table; seq 0 marks it empty.
type survEntry struct {
	key int64
	survivor
}

// survivorTable maps keys to survivors with open addressing, 24 bytes a
// slot. Keys that differ only in their low 4 bits share a block of 16 slots,
// so lookups of ids in input order stay cache friendly; blocks are placed by
// a multiplicative hash of the rest of the key.
type survivorTable struct {
	slots   []survEntry
	nblocks uint64
	n       int
}

// newSurvivorTable sizes the table for about n keys (it grows when needed).
func newSurvivorTable(n int) *survivorTable {
	t := &survivorTable{}
	t.init(n)
	return t
}

func (t *survivorTable) init(n int) {
	blocks := uint64(n*10/7)/16 + 1 // load factor about 0.7
	t.slots = make([]survEntry, blocks*16)
	t.nblocks = blocks
	t.n = 0
}

func (t *survivorTable) find(k int64) int {
	hi, _ := bits.Mul64(uint64(k>>4)*0x9E3779B97F4A7C15, t.nblocks)
	i := int(hi*16) + int(k&15)
	for {
		e := &t.slots[i]
		if e.seq == 0 || e.key == k {
			return i
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

// get returns the survivor of k.
func (t *survivorTable) get(k int64) (survivor, bool) {
	e := &t.slots[t.find(k)]
	return e.survivor, e.seq != 0
}

// has reports whether k has a survivor.
func (t *survivorTable) has(k int64) bool { return t.slots[t.find(k)].seq != 0 }

// put sets the survivor of k (s.seq must not be 0).
func (t *survivorTable) put(k int64, s survivor) {
	i := t.find(k)
	if t.slots[i].seq == 0 {
		if (t.n+1)*10 > len(t.slots)*8 { // keep the load under 0.8
			t.grow()
			i = t.find(k)
		}
		t.n++
	}
	t.slots[i] = survEntry{key: k, survivor: s}
}

func (t *survivorTable) grow() {
	old := t.slots
	t.init(len(old))
	for _, e := range old {
		if e.seq != 0 {
			t.slots[t.find(e.key)] = e
			t.n++
		}
	}
}

// len is the number of keys.
func (t *survivorTable) len() int { return t.n }

// keys calls fn for every key.
func (t *survivorTable) keys(fn func(k int64)) {
	for _, e := range t.slots {
		if e.seq != 0 {
			fn(e.key)
		}
	}
}

// estimateRows guesses the rows of raw files from their sizes (about 60
// bytes a row for the datasets; gzip files about 4 times that), to size the
// survivor table once instead of growing it.
func estimateRows(files []*rawFile) int {
	var n int64
	for _, f := range files {
		per := int64(60)
		if len(f.info.Key) > 3 && f.info.Key[len(f.info.Key)-3:] == ".gz" {
			per = 15
		}
		n += f.info.Size / per
	}
	return int(min(n, 1<<31))
}
