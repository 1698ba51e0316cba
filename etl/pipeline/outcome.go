package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/ledger"
)

// A load records what each file it merged contributed: how many rows it
// accepted and the sum of their digests (dataset.Digest), the reference
// values and reasons of its rows that failed their references, and the
// fingerprint of the rules it was checked under. The record is one JSON object per run and dataset under
// the lake's outcomes prefix. A forced run over files whose record still
// holds finds that nothing would change without checking their rows again
// (unchanged.go). A missing or unreadable record only means the rows are
// checked again.

// maxReferenceRejects bounds the rows rejected for their references a
// file's record keeps; a file with more is not recorded.
const maxReferenceRejects = 100_000

// outcomeTally is what the row pass learns of a file for its record.
type outcomeTally struct {
	accepted int64
	digest   uint64
	refs     referenceRejects
	// unrecorded is set when the file's outcome depends on more than its
	// bytes, the rules and the tables: a row of it lost dedup to a row of
	// another file of the run, or too many rows failed their references.
	unrecorded bool
}

// accept notes a row that passed every rule.
func (t *outcomeTally) accept(vals []dataset.Value) {
	t.accepted++
	t.digest += dataset.Digest(vals)
}

// miss notes a row that failed its references (reasons as the accept
// function returns them): its reference values and the reasons.
func (t *outcomeTally) miss(ds *dataset.Dataset, reasons string, vals []dataset.Value) {
	if t.refs.Columns == nil {
		t.refs.Columns = referenceColumns(ds)
	}
	if len(t.refs.Reasons) >= maxReferenceRejects {
		t.unrecorded = true
		return
	}
	t.refs.Reasons = append(t.refs.Reasons, reasons)
	for _, col := range t.refs.Columns {
		t.refs.Values = append(t.refs.Values, vals[ds.Index(col)].I)
	}
}

// referenceRejects are a file's rows that failed their references: per
// row its reasons and, for each reference column, its value.
type referenceRejects struct {
	Columns []string `json:"columns,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
	Values  []int64  `json:"values,omitempty"` // len(Columns) a row
}

// outcomeRecord is what one run recorded of one dataset's files.
type outcomeRecord struct {
	Rules string                 `json:"rules"`
	Files map[string]fileOutcome `json:"files"` // by file identity (ledger.Identity.String)
}

// fileOutcome is what one file contributed to its table.
type fileOutcome struct {
	Records  int64            `json:"records"`  // records read, the header not counted
	Accepted int64            `json:"accepted"` // rows accepted: the table held exactly these after the load
	Digest   string           `json:"digest"`   // the sum of their digests, 16 hex digits
	Refs     referenceRejects `json:"reference_rejects"`
}

func (o fileOutcome) digest() (uint64, bool) {
	v, err := strconv.ParseUint(o.Digest, 16, 64)
	return v, err == nil
}

func outcomeOf(st *fileState) fileOutcome {
	return fileOutcome{Records: st.records, Accepted: st.outcome.accepted,
		Digest: fmt.Sprintf("%016x", st.outcome.digest), Refs: st.outcome.refs}
}

// rulesFingerprint names the rules a row of the dataset is checked under in this run.
func (d *dsRun) rulesFingerprint() string {
	lim := d.r.opts.Limits
	return d.ds.RulesFingerprint(fmt.Sprintf("limits:%d:%d:%d", lim.MaxFieldBytes, lim.MaxRecordBytes, lim.maxDecompressed()))
}

func (r *run) outcomeKey(ds, runID string) string {
	return r.lake.Layout.Outcomes + ds + "/" + runID + ".json"
}

// recordOutcomes writes this run's record of the dataset's files, checked
// under the rules of the fingerprint. It runs after the MERGE committed;
// when it fails, the run goes on (a forced run over the files then checks
// their rows again) and says so.
//
// The records a forced run recalled (recs, nil otherwise) whose every file
// this run records again are then deleted: the ingest log's latest entry
// of those files is this run's, so they are never read again.
func (d *dsRun) recordOutcomes(ctx context.Context, rules string, files []*rawFile, outcomes []fileOutcome, recs []recalled) {
	rec := outcomeRecord{Rules: rules, Files: map[string]fileOutcome{}}
	for i, f := range files {
		rec.Files[f.id.String()] = outcomes[i]
	}
	if len(rec.Files) == 0 {
		return
	}
	if err := putJSON(ctx, d.r.lake.Store, d.r.outcomeKey(d.ds.Name, d.r.opts.RunID), rec); err != nil {
		d.emit(files[0], StageCommit, "warning: could not record the files' outcomes ("+err.Error()+"); a forced run will check their rows again")
		return
	}
	d.pruneSuperseded(ctx, recs, rec.Files)
}

// pruneSuperseded deletes the recalled runs' records whose every file is
// in now (a failure to delete only leaves a record behind).
func (d *dsRun) pruneSuperseded(ctx context.Context, recs []recalled, now map[string]fileOutcome) {
	done := map[string]bool{d.r.opts.RunID: true}
	for _, rc := range recs {
		run := rc.entry.RunID
		if done[run] {
			continue
		}
		done[run] = true
		key := d.r.outcomeKey(d.ds.Name, run)
		old := d.r.outcomes[key]
		if old == nil {
			continue
		}
		covered := true
		for id := range old.Files {
			if _, ok := now[id]; !ok {
				covered = false
				break
			}
		}
		if covered {
			_ = d.r.lake.Store.Delete(ctx, key)
		}
	}
}

// recordedOutcome finds the file's outcome as recorded by the latest run
// that ingested it, with that run's ledger entry and rules fingerprint; ok
// is false when there is none, err set when the record is unreadable.
func (r *run) recordedOutcome(ctx context.Context, ds string, f *rawFile) (out fileOutcome, e ledger.Entry, rules string, ok bool, err error) {
	if r.byFile == nil {
		r.byFile = map[string][]int{}
		for i, x := range r.entries {
			r.byFile[x.File] = append(r.byFile[x.File], i)
		}
	}
	var latest time.Time
	for _, i := range r.byFile[f.info.Key] {
		x := r.entries[i]
		if x.Status == ledger.StatusSucceeded && x.Dataset == ds && ledger.Same(x.Identity(), f.id) && !x.EndedAt.Before(latest) {
			e, latest, ok = x, x.EndedAt, true
		}
	}
	if !ok {
		return out, e, "", false, nil
	}
	rec, err := r.outcomeRecord(ctx, ds, e.RunID)
	if err != nil || rec == nil {
		return out, e, "", false, err
	}
	out, ok = rec.Files[f.id.String()]
	return out, e, rec.Rules, ok, nil
}

// outcomeRecord reads (once per run) the record a run wrote of a dataset;
// nil when it wrote none.
func (r *run) outcomeRecord(ctx context.Context, ds, runID string) (*outcomeRecord, error) {
	key := r.outcomeKey(ds, runID)
	if rec, seen := r.outcomes[key]; seen {
		return rec, nil
	}
	rec := &outcomeRecord{}
	err := readJSON(ctx, r.lake.Store, key, rec)
	if err != nil {
		rec = nil
	}
	if r.outcomes == nil {
		r.outcomes = map[string]*outcomeRecord{}
	}
	r.outcomes[key] = rec // nil when absent or unreadable: read once
	if err != nil && !errors.Is(err, storage.ErrNotExist) {
		return nil, err
	}
	return rec, nil
}
