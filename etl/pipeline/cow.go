package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// The copy-on-write MERGE streams the table's files rather than holding
// their rows. It reads the files whose key range holds a key of the run
// once (see match.go), remembering for each key of the run it finds there
// a 64-bit hash of the row, with a seed drawn for this MERGE, and the file;
// an accepted row whose hash equals its old row's is unchanged (a changed
// row is taken for unchanged only when the two collide: about once in
// 9×10^18 changed rows), any other replaces the old row and is held until
// the end, when only the files holding replaced rows are read again and
// rewritten. Memory is 8 bytes per key of the matched keys' range (12 when
// files' key ranges overlap; a map for spread keys) plus the changed rows,
// not the table.

// candidate is a silver file that may hold keys of this run.
type candidate struct {
	add     *delta.Add
	changed bool // holds a row being replaced
}

// merge plans and commits the MERGE of the rows feed yields on the current
// silver snapshot. Only files whose key range holds a key of d.keys are
// read, and only those with a changed row are rewritten.
func (d *dsRun) merge(ctx context.Context, loadRefs func() (*refSets, error), feed func(acceptFunc) error) error {
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
	refs, err := loadRefs() // loaded while the key pass read and the files were matched
	if err != nil {
		return err
	}
	out := newOutput(t, snap, d.ds, d.r.opts.Limits.BufferedRows)
	defer out.abort(ctx)
	updates := map[int64][]dataset.Value{}
	var ins, upd, unch int64
	var insLo, insHi int64 // the least and greatest key inserted (when ins > 0)
	err = feed(func(vals []dataset.Value, cnt *Counts) (string, error) {
		if refs := d.referenceReasons(refs, vals); refs != "" {
			return refs, nil
		}
		k := vals[d.ds.Key].I
		m, ok := existing.get(k)
		if !ok {
			if ins == 0 {
				insLo, insHi = k, k
			}
			insLo, insHi = min(insLo, k), max(insHi, k)
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
	keyName := d.ds.KeyName()
	// A file a concurrent run adds may hold a key this MERGE inserts:
	// committing past it would hold the key twice. (The keys it found in the
	// table are in files it read: ReadFile covers them.)
	if ins > 0 {
		tx.ReadWhere(func(a *delta.Add) bool {
			l, h, ok := keyRange(a, keyName)
			return !ok || l <= insHi && h >= insLo && d.keys.AnyIn(max(l, insLo), min(h, insHi))
		})
	}
	names := snap.Schema().Names()
	var rewrite []*delta.Add
	for _, c := range cands {
		tx.ReadFile(c.add.Path)
		if c.changed {
			rewrite = append(rewrite, c.add)
			tx.Remove(c.add, true)
		}
	}
	err = decodeAhead(ctx, snap, rewrite, names, d.ds, func(rows []dataset.Value, n int) error {
		ncol := len(rows) / n
		for j := range n {
			vals := rows[j*ncol : (j+1)*ncol]
			if nv, ok := updates[vals[d.ds.Key].I]; ok {
				vals = nv
			}
			if err := out.write(ctx, vals); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
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
	_, err = tx.Commit(ctx, delta.Operation{Name: "MERGE",
		Parameters: map[string]string{"predicate": fmt.Sprintf("target.%s = source.%s", keyName, keyName), "runId": d.r.opts.RunID},
		Metrics: map[string]string{"numTargetRowsInserted": fmt.Sprint(ins), "numTargetRowsUpdated": fmt.Sprint(upd),
			"numTargetRowsCopied": fmt.Sprint(out.copied(ins + upd)), "numTargetFilesAdded": fmt.Sprint(len(adds)),
			"numTargetFilesRemoved": fmt.Sprint(len(rewrite)), "numSourceRowsUnchanged": fmt.Sprint(unch)}})
	var cpe *delta.CheckpointError
	if err != nil && !errors.As(err, &cpe) {
		return err
	}
	out.committed = true
	return nil
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
