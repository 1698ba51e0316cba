package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/rejects"
)

// CommitOptions name the dataset of a load to commit.
type CommitOptions struct {
	Load     string
	Dataset  string
	Progress Progress
}

// commitRecord is what a staged commit saves just before its MERGE
// commits, so that a retry after the MERGE finishes the same commit: the
// counts of each file and the key of the rows its dedup and reference
// checks rejected.
type commitRecord struct {
	Counts     map[string]Counts `json:"counts"` // by file identity
	RejectsKey string            `json:"rejects_file,omitempty"`
}

func commitTxnID(load string) string { return "lakeops-load:" + load }

// CommitStaged commits one dataset of a load from its staged batches, with
// the meaning of one run over the load's files: the keys of every staged
// valid row are read first, then the rows in the plan's order go through
// the run's dedup (greatest order_timestamp, ties to the last; the others
// duplicate or superseded), reference checks (against the tables, so
// datasets are committed products, orders, order_items) and MERGE. Then
// the rejected rows (staged and new) and the ingest log are written and the
// dataset's staging is removed.
//
// Files the ingest log already records as loaded (by another load, or by
// this commit before a crash) are skipped unless the load was forced;
// files whose batch has no manifest fail ("not staged"). The MERGE records
// the Delta txn lakeops-load:<load>, so a retried commit does not apply it
// again: it finishes the rejects and the log from the record it saved.
func CommitStaged(ctx context.Context, lk *lake.Lake, opts CommitOptions) (*Summary, error) {
	if err := CheckLoad(opts.Load); err != nil {
		return nil, err
	}
	if err := lk.CheckWritable("commit a load"); err != nil {
		return nil, err
	}
	ds, err := dataset.ByName(opts.Dataset)
	if err != nil {
		return nil, err
	}
	plan, err := ReadPlan(ctx, lk, opts.Load)
	if err != nil {
		return nil, err
	}
	dp, err := plan.Dataset(ds.Name)
	if err != nil {
		return nil, err
	}
	staged, err := readManifests(ctx, lk, opts.Load, ds.Name)
	if err != nil {
		return nil, err
	}
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil {
		return nil, err
	}
	r := &run{lake: lk, opts: Options{RunID: opts.Load, Progress: opts.Progress}, started: plan.Started, dryKeys: map[string]*keyset.Set{}, entries: entries}
	d := &dsRun{r: r, ds: ds, repeated: keyset.NewSet(0), perFile: map[*rawFile]*fileState{}, txnID: commitTxnID(opts.Load)}
	all, commit, byFile := d.stagedFiles(dp, staged, entries, plan.Force)
	if len(commit) > 0 {
		if err := d.commitFiles(ctx, commit, byFile); err != nil {
			return nil, err
		}
	}
	sum := &Summary{RunID: opts.Load, Totals: Counts{RejectedByReason: map[string]int64{}}}
	var log []ledger.Entry
	ended := time.Now().UTC()
	for _, f := range all {
		if f.result.RejectedByReason == nil {
			f.result.RejectedByReason = map[string]int64{}
		}
		sum.Files = append(sum.Files, f.result)
		sum.Totals.add(f.result.Counts)
		if f.result.Status != ledger.StatusSkipped {
			log = append(log, r.entry(f, ended))
		}
		r.emitDone(f)
	}
	if err := ledger.Open(lk).Append(ctx, log); err != nil {
		return nil, fmt.Errorf("record load %s in the ingest log: %w", opts.Load, err)
	}
	if err := removePrefix(ctx, lk.Store, datasetStaging(opts.Load, ds.Name)); err != nil {
		return nil, err
	}
	return sum, nil
}

// stagedFiles sorts the planned files of the dataset into those to commit
// (in ordinal order, with their states set up from the staging) and the
// rest (skipped or failed), returning all of them in ordinal order too,
// and what was staged of each file to commit.
func (d *dsRun) stagedFiles(dp *DatasetPlan, staged map[int]StagedFile, entries []ledger.Entry, force bool) (all, commit []*rawFile, byFile map[*rawFile]StagedFile) {
	byFile = map[*rawFile]StagedFile{}
	for _, p := range dp.Items {
		f := &rawFile{info: storage.ObjectInfo{Key: p.Key, Size: p.Size, ETag: p.ETag, ModTime: p.ModTime}, id: p.identity(), dataset: d.ds}
		f.result.File, f.result.Dataset = p.Key, d.ds.Name
		all = append(all, f)
		sf, ok := staged[p.Ordinal]
		switch {
		case !force && ledger.Ingested(entries, f.id):
			f.result.Status = ledger.StatusSkipped // loaded already (another load, or this commit before a crash)
		case !ok:
			f.fail(&FileError{File: p.Key, Msg: "not staged: its batch of the load did not finish (the Map gave up on it); a later load takes it"})
		case sf.Status != ledger.StatusSucceeded:
			f.result.Status, f.result.Error = ledger.StatusFailed, sf.Error
			f.result.RowsRead, f.result.Rejected, f.result.RejectedByReason = sf.RowsRead, sf.Rejected, sf.RejectedByReason
		default:
			d.perFile[f] = &fileState{identity: sf.Identity, header: sf.Header, records: sf.RowsRead}
			byFile[f] = sf
			commit = append(commit, f)
		}
	}
	return all, commit, byFile
}

// readManifests reads the manifests of a dataset's staged batches, by the
// ordinal of each of their files.
func readManifests(ctx context.Context, lk *lake.Lake, load, ds string) (map[int]StagedFile, error) {
	out := map[int]StagedFile{}
	prefix := datasetStaging(load, ds) + "batches/"
	for obj, err := range lk.Store.List(ctx, prefix, storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("list the staged batches of load %s: %w", load, err)
		}
		if !strings.HasSuffix(obj.Key, "/batch.json") {
			continue
		}
		var m BatchManifest
		if err := readJSON(ctx, lk.Store, obj.Key, &m); err != nil {
			return nil, fmt.Errorf("read a staged batch of load %s: %w", load, err)
		}
		for _, f := range m.Files {
			out[f.Ordinal] = f
		}
	}
	return out, nil
}

// commitFiles dedups, checks and MERGEs the staged valid rows of files,
// then writes their rejected rows; it sets their results.
func (d *dsRun) commitFiles(ctx context.Context, files []*rawFile, ordinal map[*rawFile]StagedFile) error {
	var valid int64
	for _, f := range files {
		valid += ordinal[f].Valid
	}
	d.keys = keyset.NewSet(int(min(valid, 1<<30)))
	for _, f := range files { // the key pass, over the staged keys
		if sf := ordinal[f]; sf.ValidKey != "" {
			if err := d.stagedKeys(ctx, sf.ValidKey); err != nil {
				return err
			}
		}
	}
	refs, err := d.loadRefs(ctx)
	if err != nil {
		return err
	}
	rec := &commitRecord{Counts: map[string]Counts{}}
	recKey := commitPrefix(d.r.opts.RunID, d.ds.Name) + "record.json"
	tallied := false // the rows went through accept in this process: the outcomes are known
	for attempt := 1; ; attempt++ {
		tallied = false
		applied, err := d.mergeApplied(ctx)
		if err != nil {
			return err
		}
		if applied { // a commit of this load MERGEd before it was interrupted
			if err := readJSON(ctx, d.r.lake.Store, recKey, rec); err != nil {
				return fmt.Errorf("load %s: the MERGE of %s is committed but its record is unreadable: %w", d.r.opts.RunID, d.ds.Name, err)
			}
			break
		}
		for _, f := range files {
			sf := ordinal[f]
			st := d.perFile[f]
			st.counts = Counts{RowsRead: sf.RowsRead, Rejected: sf.Rejected, RejectedByReason: maps.Clone(sf.RejectedByReason)}
			if st.counts.RejectedByReason == nil {
				st.counts.RejectedByReason = map[string]int64{}
			}
			st.rejected = rejectLog{}
			st.outcome = outcomeTally{}
		}
		d.beforeCommit = func(ctx context.Context) error { return d.saveRecord(ctx, files, recKey, rec) }
		err = d.merge(ctx, ready(refs), func(accept acceptFunc) error {
			tallied = true
			return d.stagedRows(ctx, files, ordinal, accept)
		})
		var ce *delta.ConflictError
		if errors.As(err, &ce) && attempt < maxMergeAttempts && ctx.Err() == nil {
			d.emit(files[0], StageCommit, fmt.Sprintf("MERGE lost a race (%v); re-planning", err))
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	if err := d.writeRejects(ctx, files, ordinal, rec); err != nil {
		return err
	}
	if tallied {
		d.recordStagedOutcomes(ctx, files, ordinal)
	}
	return nil
}

// recordStagedOutcomes records the outcomes of the committed files, when
// every file was staged under the same rules.
func (d *dsRun) recordStagedOutcomes(ctx context.Context, files []*rawFile, ordinal map[*rawFile]StagedFile) {
	rules := ordinal[files[0]].Rules
	var recorded []*rawFile
	var outcomes []fileOutcome
	for _, f := range files {
		if ordinal[f].Rules != rules || rules == "" {
			return
		}
		if st := d.perFile[f]; !st.outcome.unrecorded {
			recorded, outcomes = append(recorded, f), append(outcomes, outcomeOf(st))
		}
	}
	d.recordOutcomes(ctx, rules, recorded, outcomes, nil)
}

// mergeApplied reports whether the silver table records this load's txn.
func (d *dsRun) mergeApplied(ctx context.Context) (bool, error) {
	snap, err := d.r.lake.Silver(d.ds.Name).Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open silver %s: %w", d.ds.Name, err)
	}
	_, ok := snap.State().TxnVersion(d.txnID)
	return ok, nil
}

// stagedKeys adds the keys of a staged file to the key sets.
func (d *dsRun) stagedKeys(ctx context.Context, key string) error {
	f, err := openStaged(ctx, d.r.lake.Store, key)
	if err != nil {
		return err
	}
	return f.Int64s(d.ds.KeyName(), func(keys []int64) error {
		d.noteKeys(keys)
		return ctx.Err()
	})
}

// stagedRows feeds the staged valid rows, file by file in ordinal order,
// through the run's dedup to accept (the row pass of a staged commit).
func (d *dsRun) stagedRows(ctx context.Context, files []*rawFile, staged map[*rawFile]StagedFile, accept acceptFunc) error {
	var held []heldRow
	for _, f := range files {
		sf, st := staged[f], d.perFile[f]
		if sf.ValidKey == "" {
			continue
		}
		var n int64
		err := readStaged(ctx, d.r.lake.Store, sf.ValidKey, d.ds, func(line int64, raw []byte, vals []dataset.Value) error {
			n++
			return d.holdOrAccept(&held, f, st, line, raw, vals, accept)
		})
		if err != nil {
			return err
		}
		if n != sf.Valid {
			return fmt.Errorf("load %s: staged rows of %s: %d rows, the manifest says %d", d.r.opts.RunID, f.info.Key, n, sf.Valid)
		}
	}
	return d.dedupHeld(held, accept)
}

// saveRecord keeps the files' counts and the rows the commit rejected.
func (d *dsRun) saveRecord(ctx context.Context, files []*rawFile, key string, rec *commitRecord) error {
	var rows []rejects.Row
	clear(rec.Counts)
	rec.RejectsKey = ""
	for _, f := range files {
		st := d.perFile[f]
		rec.Counts[st.identity] = st.counts
		rows = st.rejected.appendRows(rows, d.r, f, st)
	}
	if len(rows) > 0 {
		k, err := rejects.WriteStaged(ctx, d.r.lake.Store, commitPrefix(d.r.opts.RunID, d.ds.Name), rows)
		if err != nil {
			return err
		}
		rec.RejectsKey = k
	}
	if err := putJSON(ctx, d.r.lake.Store, key, rec); err != nil {
		return fmt.Errorf("load %s: save the commit record of %s: %w", d.r.opts.RunID, d.ds.Name, err)
	}
	return nil
}

// writeRejects appends the staged and the commit's rejected rows of the
// files (marked per file, so a repeat writes none twice) and sets the
// files' results from the record.
func (d *dsRun) writeRejects(ctx context.Context, files []*rawFile, staged map[*rawFile]StagedFile, rec *commitRecord) error {
	var rows []rejects.Row
	ids := make([]string, 0, len(files))
	for _, f := range files {
		ids = append(ids, d.perFile[f].identity)
		if k := staged[f].RejectsKey; k != "" {
			rs, err := rejects.ReadStaged(ctx, d.r.lake.Store, k)
			if err != nil {
				return err
			}
			rows = append(rows, rs...)
		}
	}
	if rec.RejectsKey != "" {
		rs, err := rejects.ReadStaged(ctx, d.r.lake.Store, rec.RejectsKey)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	if err := rejects.Append(ctx, d.r.lake, d.ds.Name, ids, rows); err != nil {
		return err
	}
	d.closeReplacedRejects(ctx, files)
	for _, f := range files {
		c, ok := rec.Counts[d.perFile[f].identity]
		if !ok {
			return fmt.Errorf("load %s: the commit record of %s has no counts for %s", d.r.opts.RunID, d.ds.Name, f.info.Key)
		}
		d.perFile[f].counts = c
	}
	d.finish(files)
	return nil
}
