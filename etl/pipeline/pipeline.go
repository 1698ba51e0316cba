// Package pipeline turns raw CSV files into the lake's Delta tables: it finds
// new raw files, validates every row against the dataset rules, removes
// duplicates, checks references, MERGEs accepted rows into the silver tables,
// keeps rejected rows in the rejects tables, and records each file in the
// ingest log, reporting progress as typed events. It has no UI and no AWS
// SDK dependency.
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
)

// Options configure a run.
type Options struct {
	// Files are raw file keys relative to the lake root; empty means every
	// raw file under the bronze prefix that the ingest log has not seen.
	Files []string
	// Force re-runs files the ingest log records as ingested. A forced
	// dataset whose files are all as their last load left them (see
	// unchanged.go) is not checked again unless Recheck is set.
	Force   bool
	Recheck bool
	// RunID names the run; generated when empty.
	RunID string
	// Progress receives events (may be nil).
	Progress Progress
	// Limits bound field, record and decompressed sizes.
	Limits Limits
	// DryRun validates without writing anything (lakeops validate): rows
	// are checked against the rules, dedup and the current tables, and
	// nothing is merged, rejected or logged.
	DryRun bool
	// Source is where Files live when it is not the lake itself (validate
	// may check files outside the lake). Only with DryRun.
	Source storage.Store
}

// Counts are the row counts of a file or a run.
type Counts struct {
	RowsRead         int64            `json:"rows_read"`
	Accepted         int64            `json:"accepted"`
	Rejected         int64            `json:"rejected"`
	Inserted         int64            `json:"inserted"`
	Updated          int64            `json:"updated"`
	Unchanged        int64            `json:"unchanged"`
	RejectedByReason map[string]int64 `json:"rejected_by_reason"`
}

func (c *Counts) add(o Counts) {
	c.RowsRead += o.RowsRead
	c.Accepted += o.Accepted
	c.Rejected += o.Rejected
	c.Inserted += o.Inserted
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	if c.RejectedByReason == nil {
		c.RejectedByReason = map[string]int64{}
	}
	for k, v := range o.RejectedByReason {
		c.RejectedByReason[k] += v
	}
}

// FileResult is the outcome of one file.
type FileResult struct {
	File    string `json:"file"`
	Dataset string `json:"dataset"`
	Status  string `json:"status"` // succeeded, failed, skipped, cancelled
	Counts
	Error string `json:"error"`
	// UnchangedSince is the run whose recorded outcome of the file a forced
	// run found still holding, so its rows were not checked again (see
	// unchanged.go); empty otherwise.
	UnchangedSince string `json:"unchanged_since"`
}

// Summary is the outcome of a run (the `run --json` contract).
type Summary struct {
	RunID  string       `json:"run_id"`
	Files  []FileResult `json:"files"`
	Totals Counts       `json:"totals"`
}

// Failed reports whether any file failed.
func (s *Summary) Failed() bool {
	for _, f := range s.Files {
		if f.Status == ledger.StatusFailed {
			return true
		}
	}
	return false
}

// NewRunID returns a sortable, unique run id.
func NewRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Run processes raw files into the lake. File-level problems fail only that
// file (see Summary); the error is for problems with the run as a whole.
// When ctx is cancelled, the run stops promptly, commits nothing more, and
// records the unfinished files as cancelled.
func Run(ctx context.Context, lk *lake.Lake, opts Options) (*Summary, error) {
	if opts.Source != nil && !opts.DryRun {
		return nil, errors.New("pipeline: a separate source store is only for dry runs")
	}
	if !opts.DryRun {
		if err := lk.CheckWritable("run the pipeline"); err != nil {
			return nil, err
		}
	}
	started := time.Now().UTC()
	if opts.RunID == "" {
		opts.RunID = NewRunID(started)
	}
	lg := ledger.Open(lk)
	var entries []ledger.Entry
	if !opts.DryRun {
		var err error
		if entries, err = lg.Entries(ctx); err != nil {
			return nil, err
		}
	}
	files, err := selectFiles(ctx, lk, opts, entries)
	if err != nil {
		return nil, err
	}
	r := &run{lake: lk, opts: opts, started: started, dryKeys: map[string]*keyset.Set{}, entries: entries}
	byDataset := map[string][]*rawFile{}
	for _, f := range files {
		if f.result.Status == "" && f.dataset != nil {
			byDataset[f.dataset.Name] = append(byDataset[f.dataset.Name], f)
			if opts.Progress != nil { // every file of the run is known from the start, with its size
				opts.Progress(Event{RunID: opts.RunID, File: f.info.Key, Dataset: f.dataset.Name, Stage: StageQueued, BytesTotal: f.info.Size})
			}
		}
	}
	for _, ds := range dataset.All() {
		group := byDataset[ds.Name]
		if len(group) == 0 {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if err := r.processDataset(ctx, ds, group); err != nil && ctx.Err() == nil {
			for _, f := range group {
				if f.result.Status == "" {
					f.fail(err)
				}
			}
		}
	}
	for _, f := range files {
		if f.result.Status == "" {
			f.result.Status = ledger.StatusCancelled
			f.result.Error = "run cancelled before the file was committed"
		}
	}
	sum := &Summary{RunID: opts.RunID, Totals: Counts{RejectedByReason: map[string]int64{}}}
	var log []ledger.Entry
	ended := time.Now().UTC()
	for _, f := range files {
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
	if opts.DryRun {
		return sum, nil
	}
	// The ledger is written even when the run was cancelled, so it says so.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := lg.Append(lctx, log); err != nil {
		return sum, fmt.Errorf("record the run in the ingest log: %w", err)
	}
	return sum, nil
}

// selectFiles resolves the files of a run, marking skipped and unusable ones.
func selectFiles(ctx context.Context, lk *lake.Lake, opts Options, entries []ledger.Entry) ([]*rawFile, error) {
	var infos []storage.ObjectInfo
	var out []*rawFile
	src := lk.Store
	if opts.Source != nil {
		src = opts.Source
	}
	if len(opts.Files) == 0 {
		all, err := listRaw(ctx, lk)
		if err != nil {
			return nil, err
		}
		infos = all
	} else {
		seen := map[string]bool{}
		for _, key := range opts.Files {
			key = strings.TrimPrefix(key, "/")
			if seen[key] {
				continue
			}
			seen[key] = true
			info, err := src.Stat(ctx, key)
			if err != nil {
				f := &rawFile{info: storage.ObjectInfo{Key: key}}
				if errors.Is(err, storage.ErrNotExist) {
					err = &FileError{File: key, Msg: "no such file"}
				}
				f.fail(err)
				out = append(out, f)
				continue
			}
			infos = append(infos, info)
		}
	}
	for _, info := range infos {
		f := &rawFile{info: info, id: identityOf(info)}
		f.result.File = info.Key
		ds, ok := dataset.Detect(info.Key)
		switch {
		case !ok:
			f.fail(&FileError{File: info.Key, Msg: "cannot tell the dataset from the file or folder name (want products*, orders* or order_items*)"})
		case !opts.Force && len(opts.Files) == 0 && ledger.Ingested(entries, f.id):
			continue // not new: a default run lists only new files
		case !opts.Force && ledger.Ingested(entries, f.id):
			f.dataset = ds
			f.result.Dataset = ds.Name
			f.result.Status = ledger.StatusSkipped
			f.result.Error = ""
		default:
			f.dataset = ds
			f.result.Dataset = ds.Name
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi, oj := order(out[i]), order(out[j])
		return oi < oj
	})
	return out, nil
}

func order(f *rawFile) int {
	if f.dataset == nil {
		return -1
	}
	return dataset.Order(f.dataset.Name)
}

func (f *rawFile) fail(err error) {
	f.result.File = f.info.Key
	f.result.Status = ledger.StatusFailed
	f.result.Error = err.Error()
}

type run struct {
	lake    *lake.Lake
	opts    Options
	started time.Time
	// dryKeys are the keys a dry run accepted, per dataset, standing in for
	// the rows a real run would have merged (for later references).
	dryKeys map[string]*keyset.Set
	// entries is the ingest log as the run found it, byFile their indexes
	// by raw file key (made when first needed); outcomes caches the
	// outcome records read from the lake, by key (nil when absent).
	entries  []ledger.Entry
	byFile   map[string][]int
	outcomes map[string]*outcomeRecord
}

// source is the store raw files are read from.
func (r *run) source() storage.Store {
	if r.opts.Source != nil {
		return r.opts.Source
	}
	return r.lake.Store
}

func (r *run) entry(f *rawFile, ended time.Time) ledger.Entry {
	return ledger.Entry{File: f.info.Key, Size: f.info.Size, ETag: f.info.ETag, ModTime: f.info.ModTime,
		Dataset: f.result.Dataset, RunID: r.opts.RunID, StartedAt: r.started, EndedAt: ended, Status: f.result.Status,
		RowsRead: f.result.RowsRead, Accepted: f.result.Accepted, Rejected: f.result.Rejected, Inserted: f.result.Inserted,
		Updated: f.result.Updated, Unchanged: f.result.Unchanged, RejectedByReason: f.result.RejectedByReason, Error: f.result.Error}
}

func (r *run) emitDone(f *rawFile) {
	if r.opts.Progress == nil {
		return
	}
	res := f.result
	r.opts.Progress(Event{RunID: r.opts.RunID, File: f.info.Key, Dataset: res.Dataset, Stage: StageDone,
		BytesRead: f.info.Size, BytesTotal: f.info.Size, Rows: res.RowsRead, Accepted: res.Accepted,
		Rejected: res.Rejected, ByReason: copyCounts(res.RejectedByReason), Result: &res})
}

// isCancel reports whether err comes from a cancelled context.
func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
