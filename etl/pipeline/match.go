package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"io"
	"runtime"
	"sync"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/keyset"
)

// Matching the run's keys with the table's rows: the candidate files (those
// whose key range holds a key of the run) are read several at a time, one
// per CPU, each a page at a time by typed column readers (delta.CellReader);
// only the rows whose key the run holds are hashed. When the files' key
// ranges are disjoint, each file's matches inside its own range go straight
// into the index from the worker that read it; every other match goes in
// in the snapshot's file order, so a key held by two files matches the
// later one, as a sequential read would.

// cellBatchRows is how many rows of cells are decoded at a time.
const cellBatchRows = 4096

// rowHash is a 64-bit hash of a typed row, never 0.
type rowHash uint64

// rowHasher hashes rows with a seed drawn for one MERGE. It is not safe for
// concurrent use (it keeps its encoding buffer): each goroutine hashes with
// its own fork.
type rowHasher struct {
	seed maphash.Seed
	buf  []byte
}

func newRowHasher() *rowHasher { return &rowHasher{seed: maphash.MakeSeed()} }

// fork is a hasher with the same seed for another goroutine.
func (rh *rowHasher) fork() *rowHasher { return &rowHasher{seed: rh.seed} }

// hash hashes a row's values in an unambiguous encoding: for each value a
// tag byte (null, integer alone, integer and string), the integer, and the
// string's length and bytes.
func (rh *rowHasher) hash(vals []dataset.Value) rowHash {
	b := rh.buf[:0]
	for _, v := range vals {
		switch {
		case v.Null:
			b = append(b, 0)
		case v.S == "":
			b = append(b, 1)
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
		default:
			b = append(b, 2)
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
			b = binary.AppendUvarint(b, uint64(len(v.S)))
			b = append(b, v.S...)
		}
	}
	rh.buf = b
	return rowHash(maphash.Bytes(rh.seed, b) | 1)
}

// fileMatches are the rows of one candidate file whose key the run holds.
type fileMatches struct {
	keys   []int64
	hashes []rowHash
	err    error
}

// matchExisting reads the files whose key range holds a key of the run and
// returns them with, for each key of the run they hold, its row's hash and
// file.
func (d *dsRun) matchExisting(ctx context.Context, snap *delta.Snapshot, rh *rowHasher) ([]*candidate, *matchIndex, error) {
	keyName := d.ds.KeyName()
	var cands []*candidate
	lo, hi := d.keyLo, d.keyHi
	var bound int64 // the most keys that can match
	cLo, cHi, cRanged := int64(0), int64(0), true
	var ranges []candRange
	for _, a := range snap.Files() {
		l, h, ok, may := d.mayHoldRunKeys(a, keyName)
		if !may {
			continue
		}
		cands = append(cands, &candidate{add: a})
		if !ok {
			cRanged = false
			continue
		}
		ranges = append(ranges, candRange{lo: l, hi: h, cand: int32(len(cands) - 1)})
		if len(cands) == 1 || l < cLo {
			cLo = l
		}
		if len(cands) == 1 || h > cHi {
			cHi = h
		}
		if st, err := delta.ParseStats(a.Stats); err == nil {
			bound += st.NumRecords
		}
	}
	idx := &matchIndex{}
	if cRanged && len(cands) > 0 {
		idx = newMatchIndexFor(max(lo, cLo), min(hi, cHi), min(bound, int64(d.keys.Len())), ranges)
	}
	if err := d.hashCandidates(ctx, snap, cands, rh, idx); err != nil {
		return nil, nil, err
	}
	return cands, idx.done(), nil
}

// mayHoldRunKeys tells from a file's key range (l..h, ok when its stats
// give one) whether the file may hold a key of the run.
func (d *dsRun) mayHoldRunKeys(a *delta.Add, keyName string) (l, h int64, ok, may bool) {
	l, h, ok = keyRange(a, keyName)
	if !ok {
		return l, h, false, true
	}
	return l, h, true, d.keys.Len() > 0 && l <= d.keyHi && h >= d.keyLo && d.keys.AnyIn(l, h)
}

// hashCandidates reads the candidate files, one per CPU, into the index.
// When the index finds files by their disjoint key ranges, a file's matches
// inside its own range go straight into the index (no other file's can
// land there), and only the others wait for every file to be read, to be
// added in the candidates' order; otherwise every file's matches are added
// in that order as the files are read.
func (d *dsRun) hashCandidates(ctx context.Context, snap *delta.Snapshot, cands []*candidate, rh *rowHasher, idx *matchIndex) error {
	if len(cands) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	direct := idx.hashes != nil && idx.ranges != nil
	owns := make([]candRange, len(cands)) // each candidate's own range, when direct
	for _, r := range idx.ranges {
		owns[r.cand] = r
	}
	workers := min(max(runtime.GOMAXPROCS(0), 1), len(cands))
	results := make([]chan fileMatches, len(cands))
	for i := range results {
		results[i] = make(chan fileMatches, 1)
	}
	work := make(chan int)
	ahead := make(chan struct{}, workers+1) // files read but not yet added: bounds memory
	go func() {
		defer close(work)
		for i := range cands {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	names := snap.Schema().Names()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			look, h := d.keys.Lookup(), rh.fork()
			for i := range work {
				var own *candRange
				if direct {
					own = &owns[i]
				}
				results[i] <- d.hashFile(ctx, snap, cands[i].add, names, look, h, idx, own)
			}
		}()
	}
	var late []fileMatches // direct: the matches outside their file's range, by candidate
	err := func() error {
		defer wg.Wait()
		for i := range cands {
			var fm fileMatches
			select {
			case fm = <-results[i]:
			case <-ctx.Done():
				return ctx.Err()
			}
			if fm.err != nil {
				cancel()
				return fm.err
			}
			if direct {
				late = append(late, fm)
			} else {
				idx.addFile(int32(i), fm.keys, fm.hashes)
			}
			<-ahead
		}
		return nil
	}()
	if err != nil {
		return err
	}
	for i, fm := range late {
		idx.addLate(int32(i), fm.keys, fm.hashes)
	}
	return nil
}

// hashFile hashes the rows of one file whose key look holds. With own (the
// file's key range in a direct index) the matches inside it go straight
// into idx, and only the others are returned.
func (d *dsRun) hashFile(ctx context.Context, snap *delta.Snapshot, a *delta.Add, names []string, look *keyset.Lookup, rh *rowHasher, idx *matchIndex, own *candRange) fileMatches {
	var fm fileMatches
	if st, err := delta.ParseStats(a.Stats); err == nil && a.Stats != "" && own == nil {
		n := min(st.NumRecords, int64(d.keys.Len()))
		fm.keys, fm.hashes = make([]int64, 0, n), make([]rowHash, 0, n)
	}
	fm.err = eachCells(ctx, snap, a, names, d.ds, func(rows []dataset.Value, n int) error {
		ncol := len(rows) / max(n, 1)
		for j := range n {
			row := rows[j*ncol : (j+1)*ncol]
			k := row[d.ds.Key].I
			if !look.Has(k) {
				continue
			}
			h := rh.hash(row)
			if own != nil && k >= own.lo && k <= own.hi && idx.inDense(k) {
				idx.hashes[k-idx.base] = h
				continue
			}
			fm.keys = append(fm.keys, k)
			fm.hashes = append(fm.hashes, h)
		}
		return nil
	})
	return fm
}

// eachCells calls fn with the rows of one logical file, a batch at a time
// (n rows of len(names) cells, valid during the call), typed as the row
// pass types rows: decoded a page at a time by typed column readers, or
// through the row path when a column cannot be read as cells.
func eachCells(ctx context.Context, snap *delta.Snapshot, a *delta.Add, names []string, ds *dataset.Dataset, fn func(rows []dataset.Value, n int) error) error {
	return eachCellsInto(ctx, snap, a, names, ds, nil, fn)
}

// eachCellsInto is eachCells decoding each batch into a buffer of
// cellBatchRows rows that next gives (one buffer for every batch when next
// is nil).
func eachCellsInto(ctx context.Context, snap *delta.Snapshot, a *delta.Add, names []string, ds *dataset.Dataset, next func() ([]dataset.Value, error), fn func(rows []dataset.Value, n int) error) error {
	sc, err := snap.ScanFile(ctx, a, names...)
	if err != nil {
		return err
	}
	cr, err := sc.CellReader()
	if errors.Is(err, delta.ErrNotCells) {
		return eachRow(ctx, snap, a, names, ds, fn)
	}
	if err != nil {
		return err
	}
	defer cr.Close()
	var buf []dataset.Value
	if next == nil {
		buf = make([]dataset.Value, cellBatchRows*len(names))
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if next != nil {
			if buf, err = next(); err != nil {
				return err
			}
		}
		n, err := cr.Read(buf, cellBatchRows)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(buf[:n*len(names)], n); err != nil {
			return err
		}
	}
}

// decodedBatch is n rows of cells decoded ahead.
type decodedBatch struct {
	rows []dataset.Value
	n    int
}

// decodeAhead calls fn with the rows of the files in order, as eachCells
// does, while a goroutine of its own decodes the next batches (at most two
// ahead), so that decoding and what fn does share the CPUs.
func decodeAhead(ctx context.Context, snap *delta.Snapshot, adds []*delta.Add, names []string, ds *dataset.Dataset, fn func(rows []dataset.Value, n int) error) error {
	if len(adds) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const buffers = 3
	free := make(chan []dataset.Value, buffers)
	for range buffers {
		free <- make([]dataset.Value, cellBatchRows*len(names))
	}
	var cur []dataset.Value // the decoder's buffer not yet sent (a file's last Read finds no rows)
	next := func() ([]dataset.Value, error) {
		if cur != nil {
			return cur, nil
		}
		select {
		case cur = <-free:
			return cur, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	batches := make(chan decodedBatch, buffers-1)
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		for _, a := range adds {
			err := eachCellsInto(ctx, snap, a, names, ds, next, func(rows []dataset.Value, n int) error {
				if cap(rows) == cellBatchRows*len(names) {
					cur = nil // sent: the consumer gives it back
				}
				select {
				case batches <- decodedBatch{rows: rows, n: n}:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if err != nil {
				errc <- err
				return
			}
		}
	}()
	for b := range batches {
		if err := fn(b.rows, b.n); err != nil {
			cancel()
			for range batches { // let the decoder end
			}
			return err
		}
		if cap(b.rows) == cellBatchRows*len(names) { // the row path's rows are its own
			free <- b.rows[:cap(b.rows)]
		}
	}
	select {
	case err := <-errc:
		return err
	default:
		return ctx.Err()
	}
}

// eachRow is eachCells through the row path, a row at a time.
func eachRow(ctx context.Context, snap *delta.Snapshot, a *delta.Add, names []string, ds *dataset.Dataset, fn func(rows []dataset.Value, n int) error) error {
	for row, err := range snap.ProjectFile(ctx, a, names...) {
		if err != nil {
			return err
		}
		if err := fn(fromAny(ds, row), 1); err != nil {
			return err
		}
	}
	return nil
}
