package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
)

// DefaultBatchRows is the row budget of a batch when a plan is given
// neither a batch size nor a budget: about a million rows, some seconds
// of one worker.
const DefaultBatchRows = 1_000_000

// PlanOptions configure the plan of a load.
type PlanOptions struct {
	// Load names the load (a Step Functions execution name fits); required.
	Load string
	// Files and Force select files as in a run (Options).
	Files []string
	Force bool
	// BatchFiles is the number of files per batch; when 0 it follows from
	// BatchRows, the rows a batch should hold (estimated from file sizes;
	// default DefaultBatchRows).
	BatchFiles int
	BatchRows  int64
}

// Plan lists the files of a load as a run would select them (new raw files
// by default), in a run's order, numbers each dataset's files, sizes its
// batches, and keeps the plan in the staging folder with each dataset's
// items (see ItemsKey). A load planned before keeps its plan: a retried
// plan step returns the first one. A plan with nothing to do is not kept. Files that cannot be loaded are in
// NotLoaded and, when failed, in the ingest log.
func Plan(ctx context.Context, lk *lake.Lake, opts PlanOptions) (*LoadPlan, error) {
	if err := CheckLoad(opts.Load); err != nil {
		return nil, err
	}
	if err := lk.CheckWritable("plan a load"); err != nil {
		return nil, err
	}
	if opts.BatchFiles < 0 || opts.BatchRows < 0 {
		return nil, errors.New("plan: batch files and batch rows must not be negative")
	}
	var earlier LoadPlan
	err := readJSON(ctx, lk.Store, planKey(opts.Load), &earlier)
	if err == nil {
		return &earlier, writeItems(ctx, lk, &earlier)
	}
	if !errors.Is(err, storage.ErrNotExist) {
		return nil, fmt.Errorf("plan load %s: %w", opts.Load, err)
	}
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil {
		return nil, err
	}
	files, err := selectFiles(ctx, lk, Options{Files: opts.Files, Force: opts.Force}, entries)
	if err != nil {
		return nil, err
	}
	p := &LoadPlan{Load: opts.Load, Started: time.Now().UTC().Truncate(time.Microsecond), Force: opts.Force, NotLoaded: []FileResult{}}
	r := &run{lake: lk, opts: Options{RunID: opts.Load}, started: p.Started, dryKeys: map[string]*keyset.Set{}}
	byDataset := map[string][]*rawFile{}
	var failed []ledger.Entry
	for _, f := range files {
		switch f.result.Status {
		case "":
			byDataset[f.dataset.Name] = append(byDataset[f.dataset.Name], f)
		case ledger.StatusFailed:
			failed = append(failed, r.entry(f, p.Started))
			fallthrough
		default:
			if f.result.RejectedByReason == nil {
				f.result.RejectedByReason = map[string]int64{}
			}
			p.NotLoaded = append(p.NotLoaded, f.result)
		}
	}
	for _, ds := range dataset.All() {
		group := byDataset[ds.Name]
		dp := DatasetPlan{Dataset: ds.Name, Files: len(group), EstimatedRows: int64(estimateRows(group)),
			ItemsKey: ItemsKey(opts.Load, ds.Name), Items: []PlannedFile{}}
		for i, f := range group {
			dp.Bytes += f.info.Size
			dp.Items = append(dp.Items, PlannedFile{Key: f.info.Key, Size: f.info.Size, ETag: f.info.ETag, ModTime: f.info.ModTime, Ordinal: i})
		}
		dp.BatchFiles = batchFiles(opts, group)
		dp.Batches = (len(group) + dp.BatchFiles - 1) / dp.BatchFiles
		p.Files += len(group)
		p.Sets = append(p.Sets, dp)
	}
	if p.Files == 0 && len(failed) == 0 {
		return p, nil // nothing to load: nothing is kept (a retry plans again)
	}
	won, err := putOnce(ctx, lk.Store, planKey(opts.Load), p) // a concurrent attempt's plan wins
	if err != nil {
		return nil, fmt.Errorf("save the plan of load %s: %w", opts.Load, err)
	}
	if err := writeItems(ctx, lk, p); err != nil {
		return nil, err
	}
	if won {
		if err := ledger.Open(lk).Append(ctx, failed); err != nil {
			return nil, fmt.Errorf("record the files load %s cannot load: %w", opts.Load, err)
		}
	}
	return p, nil
}

// writeItems writes each dataset's planned files as the JSON array a
// Distributed Map's ItemReader reads.
func writeItems(ctx context.Context, lk *lake.Lake, p *LoadPlan) error {
	for _, dp := range p.Sets {
		items := dp.Items
		if items == nil {
			items = []PlannedFile{}
		}
		if err := putJSON(ctx, lk.Store, dp.ItemsKey, items); err != nil {
			return fmt.Errorf("write the items of load %s: %w", p.Load, err)
		}
	}
	return nil
}

// batchFiles is the files per batch: as given, or what fits the row budget.
func batchFiles(opts PlanOptions, files []*rawFile) int {
	if opts.BatchFiles > 0 {
		return opts.BatchFiles
	}
	if len(files) == 0 {
		return 1
	}
	budget := opts.BatchRows
	if budget == 0 {
		budget = DefaultBatchRows
	}
	perFile := max(int64(estimateRows(files))/int64(len(files)), 1)
	return int(min(max(budget/perFile, 1), int64(len(files))))
}
