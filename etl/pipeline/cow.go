package pipeline

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// The copy-on-write MERGE streams the table's files rather than holding
// their rows. It reads the files whose key range holds a key of the run
// once, remembering for each key of the run it finds there a 128-bit hash
// of the row (two 64-bit hashes with seeds drawn for this MERGE) and the
// file; an accepted row whose hash equals the stored one is unchanged (two
// different rows would have to collide on 128 random-seeded bits), any
// other replaces the old row and is held until the end, when only the
// files holding replaced rows are read again and rewritten. Memory is a few
// dozen bytes per matched key plus the changed rows, not the table.

// candidate is a silver file that may hold keys of this run.
type candidate struct {
	add     *delta.Add
	changed bool // holds a row being replaced
}

// match is where an existing row of a key of the run lives.
type match struct {
	hash rowHash
	cand int32 // index in the candidates
}

// rowHash is a 128-bit hash of a typed row.
type rowHash [2]uint64

// rowHasher hashes rows with two seeds drawn for one MERGE.
type rowHasher [2]maphash.Seed

func newRowHasher() rowHasher { return rowHasher{maphash.MakeSeed(), maphash.MakeSeed()} }

// hash hashes a row's values in an unambiguous encoding (a tag byte, the
// integer, the string's length and bytes, for each value).
func (rh rowHasher) hash(vals []dataset.Value) rowHash {
	var out rowHash
	var b [17]byte
	for i, seed := range rh {
		var h maphash.Hash
		h.SetSeed(seed)
		for _, v := range vals {
			if v.Null {
				h.WriteByte(0)
				continue
			}
			b[0] = 1
			binary.LittleEndian.PutUint64(b[1:], uint64(v.I))
			binary.LittleEndian.PutUint64(b[9:], uint64(len(v.S)))
			h.Write(b[:])
			h.WriteString(v.S)
		}
		out[i] = h.Sum64()
	}
	return out
}

// merge plans and commits the MERGE of the rows feed yields on the current
// silver snapshot. Only files whose key range holds a key of d.keys are
// read, and only those with a changed row are rewritten.
func (d *dsRun) merge(ctx context.Context, refs *refSets, feed func(acceptFunc) error) error {
	t := d.r.lake.Silver(d.ds.Name)
	snap, err := lake.OpenOrCreate(ctx, t, delta.CreateOptions{Schema: d.ds.Schema(), PartitionColumns: d.ds.PartitionColumns(), Name: d.ds.Name})
	if err != nil {
		return fmt.Errorf("open silver %s: %w", d.ds.Name, err)
	}
	rh := newRowHasher()
	cands, existing, err := d.matchExisting(ctx, snap, rh)
	if err != nil {
		return err
	}
	out := newOutput(t, snap, d.ds)
	defer out.abort(ctx)
	updates := map[int64][]dataset.Value{}
	var ins, upd, unch int64
	err = feed(func(vals []dataset.Value, cnt *Counts) (string, error) {
		if refs := d.referenceReasons(refs, vals); refs != "" {
			return refs, nil
		}
		m, ok := existing.get(vals[d.ds.Key].I)
		if !ok {
			cnt.Inserted++
			ins++
			return "", out.write(ctx, vals)
		}
		if rh.hash(vals) == m.hash {
			cnt.Unchanged++
			unch++
			return "", nil
		}
		cnt.Updated++
		upd++
		cands[m.cand].changed = true
		updates[vals[d.ds.Key].I] = slices.Clone(vals)
		return "", nil
	})
	if err != nil {
		return err
	}
	tx := snap.NewTransaction()
	rewritten := 0
	names := snap.Schema().Names()
	for _, c := range cands {
		tx.ReadFile(c.add.Path)
		if !c.changed {
			continue
		}
		rewritten++
		tx.Remove(c.add, true)
		for row, err := range snap.ProjectFile(ctx, c.add, names...) {
			if err != nil {
				return err
			}
			vals := fromAny(d.ds, row)
			if nv, ok := updates[vals[d.ds.Key].I]; ok {
				vals = nv
			}
			if err := out.write(ctx, vals); err != nil {
				return err
			}
		}
	}
	adds, err := out.close(ctx)
	if err != nil {
		return err
	}
	for _, a := range adds {
		tx.Add(a)
		tx.ReadPartition(a.PartitionValues)
	}
	if len(adds) == 0 && d.txnID == "" {
		return nil // nothing inserted or changed
	}
	if d.beforeCommit != nil {
		if err := d.beforeCommit(ctx); err != nil {
			return err
		}
	}
	if d.txnID != "" {
		tx.SetTxn(d.txnID, 1) // even with nothing to add: a retried commit must see it applied
	}
	keyName := d.ds.KeyName()
	_, err = tx.Commit(ctx, delta.Operation{Name: "MERGE",
		Parameters: map[string]string{"predicate": fmt.Sprintf("target.%s = source.%s", keyName, keyName), "runId": d.r.opts.RunID},
		Metrics: map[string]string{"numTargetRowsInserted": fmt.Sprint(ins), "numTargetRowsUpdated": fmt.Sprint(upd),
			"numTargetRowsCopied": fmt.Sprint(out.copied(ins + upd)), "numTargetFilesAdded": fmt.Sprint(len(adds)),
			"numTargetFilesRemoved": fmt.Sprint(rewritten), "numSourceRowsUnchanged": fmt.Sprint(unch)}})
	var cpe *delta.CheckpointError
	if err != nil && !errors.As(err, &cpe) {
		return err
	}
	out.committed = true
	return nil
}

// matchExisting reads the files whose key range holds a key of the run and
// returns them with, for each key of the run they hold, its row's hash and
// file.
func (d *dsRun) matchExisting(ctx context.Context, snap *delta.Snapshot, rh rowHasher) ([]*candidate, *matchIndex, error) {
	var cands []*candidate
	var keys []int64
	var ms []match
	keyName := d.ds.KeyName()
	names := snap.Schema().Names()
	for _, a := range snap.Files() {
		if lo, hi, ok := keyRange(a, keyName); ok && !d.keys.AnyIn(lo, hi) {
			continue
		}
		for row, err := range snap.ProjectFile(ctx, a, names...) {
			if err != nil {
				return nil, nil, err
			}
			vals := fromAny(d.ds, row)
			if k := vals[d.ds.Key].I; d.keys.Has(k) {
				keys = append(keys, k)
				ms = append(ms, match{hash: rh.hash(vals), cand: int32(len(cands))})
			}
		}
		cands = append(cands, &candidate{add: a})
	}
	return cands, newMatchIndex(keys, ms), nil
}

// matchIndex finds the match of a key: through an array indexed by key
// when the matched keys are dense (4 bytes a key of their range), else a
// map. When a key occurs twice, the later match wins.
type matchIndex struct {
	base  int64
	dense []int32 // key-base → index in ms + 1; 0 for none
	m     map[int64]int32
	ms    []match
}

func newMatchIndex(keys []int64, ms []match) *matchIndex {
	x := &matchIndex{ms: ms}
	if len(keys) == 0 {
		return x
	}
	lo, hi := slices.Min(keys), slices.Max(keys)
	if span := uint64(hi - lo); span < uint64(4*len(keys)) && span < 1<<31 {
		x.base, x.dense = lo, make([]int32, span+1)
		for i, k := range keys {
			x.dense[k-lo] = int32(i + 1)
		}
		return x
	}
	x.m = make(map[int64]int32, len(keys))
	for i, k := range keys {
		x.m[k] = int32(i)
	}
	return x
}

func (x *matchIndex) get(k int64) (match, bool) {
	switch {
	case x.dense != nil:
		if k < x.base || uint64(k-x.base) >= uint64(len(x.dense)) {
			return match{}, false
		}
		if i := x.dense[k-x.base]; i > 0 {
			return x.ms[i-1], true
		}
		return match{}, false
	case x.m != nil:
		i, ok := x.m[k]
		if !ok {
			return match{}, false
		}
		return x.ms[i], true
	}
	return match{}, false
}

// keyRange reads a file's min/max key from its stats.
func keyRange(a *delta.Add, key string) (int64, int64, bool) {
	if a.Stats == "" {
		return 0, 0, false
	}
	st, err := delta.ParseStats(a.Stats)
	if err != nil {
		return 0, 0, false
	}
	lo, ok1 := st.MinValues[key].(json.Number)
	hi, ok2 := st.MaxValues[key].(json.Number)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	l, err1 := strconv.ParseInt(string(lo), 10, 64)
	h, err2 := strconv.ParseInt(string(hi), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return l, h, true
}
