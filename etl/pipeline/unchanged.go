package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"sync"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// A forced run re-runs files the ingest log says are ingested. When every
// file of a dataset in the run is as its last load left it, checking its
// rows again would change nothing, and the run says so instead, after the
// key pass and one read of the table. All of this must hold, else the
// rows are checked again as in any run:
//
//   - the file's identity is that of a load that recorded its outcome
//     (outcome.go), and the key pass read as many records as it did;
//   - the rules (and limits) have the fingerprint they had then;
//   - every reference value its rows missed is still missing;
//   - its rejected rows are still recorded in the rejects table;
//   - the table's rows holding a key of the run's files are exactly the
//     rows those loads accepted: as many, with the same sum of digests,
//     and every one of them still finds its references.
//
// Any later change to one of those rows, or a row gone, or another file's
// row under one of the keys, changes the count or the sum. The shortcut
// trusts the file's identity as a run that is not forced does (ETag, or
// size and modification time); Options.Recheck turns it off.

// recalled is one file's recorded outcome with the ledger entry of its load.
type recalled struct {
	f     *rawFile
	out   fileOutcome
	entry ledger.Entry
}

// unchangedSinceLoad takes the shortcut for a forced run's files when it
// may, setting their results, and reports whether it did.
func (d *dsRun) unchangedSinceLoad(ctx context.Context, files []*rawFile, refs func() (*refSets, error)) (bool, error) {
	rules := d.rulesFingerprint()
	recs := make([]recalled, 0, len(files))
	var wantRows int64
	var wantDigest uint64
	for _, f := range files {
		out, e, recRules, ok := d.r.recordedOutcome(ctx, d.ds.Name, f)
		dg, okDigest := out.digest()
		if !ok || !okDigest || recRules != rules || out.Records != d.perFile[f].records || out.Accepted != e.Accepted {
			return false, nil
		}
		recs = append(recs, recalled{f: f, out: out, entry: e})
		wantRows += out.Accepted
		wantDigest += dg
	}
	rs, err := refs()
	if err != nil {
		return false, err
	}
	if !stillMissing(recs, rs) {
		return false, nil
	}
	if ok, err := d.rejectsStillRecorded(ctx, recs); !ok || err != nil {
		return false, err
	}
	snap, err := d.r.lake.Silver(d.ds.Name).Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", d.ds.Name, err)
	}
	got, err := d.tableDigest(ctx, snap, rs)
	if err != nil || !got.refsOK || got.rows != wantRows || got.digest != wantDigest {
		return false, err
	}
	outcomes := make([]fileOutcome, len(recs))
	for i, rc := range recs {
		e := rc.entry
		rc.f.result.Counts = Counts{RowsRead: e.RowsRead, Accepted: e.Accepted, Rejected: e.Rejected,
			Unchanged: e.Accepted, RejectedByReason: maps.Clone(e.RejectedByReason)}
		rc.f.result.Status = ledger.StatusSucceeded
		outcomes[i] = rc.out
		d.emit(rc.f, StageMerge, fmt.Sprintf("unchanged since run %s: its rows were not checked again", e.RunID))
	}
	why := fmt.Sprintf("the file is as its load left it (the same file, rules, references and rejects; its %s accepted rows unchanged in the table)", textfmt.Count(wantRows))
	if len(files) > 1 {
		why = fmt.Sprintf("these %d %s files are as their loads left them (the same files, rules, references and rejects; their %s accepted rows unchanged in the table)", len(files), d.ds.Name, textfmt.Count(wantRows))
	}
	d.emit(files[0], StageMerge, why+": lakeops run --force --recheck checks every row")
	d.recordOutcomes(ctx, rules, files, outcomes)
	return true, nil
}

// stillMissing reports whether every reference value the files' rows
// missed is still missing.
func stillMissing(recs []recalled, rs *refSets) bool {
	for _, rc := range recs {
		for col, vals := range rc.out.Missed {
			set := rs.byColumn(col)
			if set == nil {
				return false
			}
			for _, v := range vals {
				if set.Has(v) {
					return false
				}
			}
		}
	}
	return true
}

// rejectsStillRecorded reports whether the rejects table still records the
// rejected rows of every file that had some.
func (d *dsRun) rejectsStillRecorded(ctx context.Context, recs []recalled) (bool, error) {
	var ids []string
	for _, rc := range recs {
		if rc.entry.Rejected > 0 {
			ids = append(ids, d.perFile[rc.f].identity)
		}
	}
	if len(ids) == 0 {
		return true, nil
	}
	written, err := rejects.Written(ctx, d.r.lake, d.ds.Name, ids)
	if err != nil {
		return false, fmt.Errorf("read %s rejects: %w", d.ds.Name, err)
	}
	for _, id := range ids {
		if !written[id] {
			return false, nil
		}
	}
	return true, nil
}

// tableSum is what the table holds under the run's keys.
type tableSum struct {
	rows   int64
	digest uint64
	refsOK bool // every one of those rows finds its references
}

// tableDigest reads the table's files that may hold a key of the run, one
// per CPU, and sums the rows holding one.
func (d *dsRun) tableDigest(ctx context.Context, snap *delta.Snapshot, rs *refSets) (tableSum, error) {
	keyName, names := d.ds.KeyName(), snap.Schema().Names()
	var cands []*delta.Add
	for _, a := range snap.Files() {
		if _, _, _, may := d.mayHoldRunKeys(a, keyName); may {
			cands = append(cands, a)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan *delta.Add, len(cands))
	for _, a := range cands {
		work <- a
	}
	close(work)
	workers := min(max(runtime.GOMAXPROCS(0), 1), len(cands))
	sums := make([]tableSum, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			look, s := d.keys.Lookup(), tableSum{refsOK: true}
			for a := range work {
				err := eachCells(ctx, snap, a, names, d.ds, func(rows []dataset.Value, n int) error {
					ncol := len(rows) / max(n, 1)
					for j := range n {
						row := rows[j*ncol : (j+1)*ncol]
						if !look.Has(row[d.ds.Key].I) {
							continue
						}
						s.rows++
						s.digest += dataset.Digest(row)
						if d.referenceReasons(rs, row) != "" {
							s.refsOK = false
							return errStopScan
						}
					}
					return nil
				})
				if err != nil {
					if !errors.Is(err, errStopScan) {
						errs[w] = err
					}
					cancel()
					break
				}
			}
			sums[w] = s
		}()
	}
	wg.Wait()
	total := tableSum{refsOK: true}
	for w := range workers {
		total.rows += sums[w].rows
		total.digest += sums[w].digest
		total.refsOK = total.refsOK && sums[w].refsOK
	}
	if !total.refsOK { // the others stopped because of it
		return total, nil
	}
	for _, err := range errs {
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// errStopScan ends a table scan whose answer is known.
var errStopScan = errors.New("stop the scan")
