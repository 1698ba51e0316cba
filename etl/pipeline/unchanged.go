package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
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
//     (outcome.go) under the rules (and limits) of this run, it still has
//     that identity, and the key pass read as many records as that load;
//   - no key occurs in two files of the run (dedup would pick among them);
//   - each of its rows that failed its references fails them alike now;
//   - the rejects table still records its rejected rows;
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
	f      *rawFile
	out    fileOutcome
	digest uint64
	entry  ledger.Entry
}

// recall finds the recorded outcome of every file under this run's rules,
// nil when a file has none.
func (d *dsRun) recall(ctx context.Context, files []*rawFile) []recalled {
	rules := d.rulesFingerprint()
	recs := make([]recalled, 0, len(files))
	for _, f := range files {
		out, e, recRules, ok, err := d.r.recordedOutcome(ctx, d.ds.Name, f)
		if err != nil {
			d.emit(f, StageScan, fmt.Sprintf("warning: the outcomes run %s recorded are unreadable (%v): every row is checked again", e.RunID, err))
		}
		dg, okDigest := out.digest()
		if !ok || !okDigest || recRules != rules || out.Accepted != e.Accepted {
			return nil
		}
		recs = append(recs, recalled{f: f, out: out, digest: dg, entry: e})
	}
	return recs
}

// unchangedSinceLoad takes the shortcut for a forced run's files, recalled
// before the key pass, when it may, setting their results, and reports
// whether it did.
func (d *dsRun) unchangedSinceLoad(ctx context.Context, recs []recalled, refs func() (*refSets, error)) (bool, error) {
	if d.crossFile {
		return false, nil
	}
	var wantRows int64
	var wantDigest uint64
	for _, rc := range recs {
		if rc.out.Records != d.perFile[rc.f].records {
			return false, nil
		}
		info, err := d.r.source().Stat(ctx, rc.f.info.Key)
		if err != nil || !ledger.Same(identityOf(info), rc.f.id) {
			return false, nil // the row pass says how it changed
		}
		wantRows += rc.out.Accepted
		wantDigest += rc.digest
	}
	rs, err := refs()
	if err != nil {
		return false, err
	}
	if !d.referencesFailAlike(recs, rs) {
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
	files := make([]*rawFile, len(recs))
	outcomes := make([]fileOutcome, len(recs))
	for i, rc := range recs {
		e := rc.entry
		rc.f.result.Counts = Counts{RowsRead: e.RowsRead, Accepted: e.Accepted, Rejected: e.Rejected,
			Unchanged: e.Accepted, RejectedByReason: maps.Clone(e.RejectedByReason)}
		rc.f.result.Status, rc.f.result.UnchangedSince = ledger.StatusSucceeded, e.RunID
		files[i], outcomes[i] = rc.f, rc.out
		d.emit(rc.f, StageMerge, fmt.Sprintf("unchanged since run %s: its rows were not checked again", e.RunID))
	}
	why := fmt.Sprintf("the file is as its load left it (the same file, rules, references and rejects; its %s accepted rows unchanged in the table)", textfmt.Count(wantRows))
	if len(files) > 1 {
		why = fmt.Sprintf("these %d %s files are as their loads left them (the same files, rules, references and rejects; their %s accepted rows unchanged in the table)", len(files), d.ds.Name, textfmt.Count(wantRows))
	}
	d.emit(files[0], StageMerge, why+": lakeops run --force --recheck checks every row")
	d.recordOutcomes(ctx, d.rulesFingerprint(), files, outcomes, recs)
	return true, nil
}

// referencesFailAlike reports whether each of the files' rows that failed
// its references fails them with the same reasons against today's tables.
func (d *dsRun) referencesFailAlike(recs []recalled, rs *refSets) bool {
	row := make([]dataset.Value, len(d.ds.Columns))
	for _, rc := range recs {
		r := rc.out.Refs
		if len(r.Reasons) == 0 {
			continue
		}
		if !slices.Equal(r.Columns, referenceColumns(d.ds)) || len(r.Values) != len(r.Reasons)*len(r.Columns) {
			return false
		}
		for i, reasons := range r.Reasons {
			for j, col := range r.Columns {
				ci := d.ds.Index(col)
				if ci < 0 {
					return false
				}
				row[ci] = dataset.Value{I: r.Values[i*len(r.Columns)+j]}
			}
			if d.referenceReasons(rs, row) != reasons {
				return false
			}
		}
	}
	return true
}

// rejectsStillRecorded reports whether the rejects table still records
// every file's rejected rows (a file without any is recorded as such).
func (d *dsRun) rejectsStillRecorded(ctx context.Context, recs []recalled) (bool, error) {
	ids := make([]string, len(recs))
	for i, rc := range recs {
		ids[i] = d.perFile[rc.f].identity // a file without rejects is marked too
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
			look, refs, s := d.keys.Lookup(), rs.forWorker(), tableSum{refsOK: true}
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
						if d.referenceReasons(refs, row) != "" {
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
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || isCancel(first)) { // a failure, not a sibling's cancel
			first = err
		}
	}
	return total, first
}

// errStopScan ends a table scan whose answer is known.
var errStopScan = errors.New("stop the scan")
