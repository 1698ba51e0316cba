package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// maxMergeAttempts bounds how often a MERGE is re-planned after losing a race.
const maxMergeAttempts = 8

// processDataset runs both passes, the MERGE and the rejects commit for the
// files of one dataset.
func (r *run) processDataset(ctx context.Context, ds *dataset.Dataset, files []*rawFile) error {
	d := &dsRun{r: r, ds: ds, keys: keyset.NewSet(estimateRows(files)), repeated: keyset.NewSet(0), perFile: map[*rawFile]*fileState{}}
	type loaded struct {
		refs *refSets
		err  error
	}
	refsc := make(chan loaded, 1)
	go func() { // the reference keys load while the key pass reads and the MERGE matches
		refs, err := d.loadRefs(ctx)
		refsc <- loaded{refs, err}
	}()
	refs := sync.OnceValues(func() (*refSets, error) {
		lr := <-refsc
		return lr.refs, lr.err
	})
	var recs []recalled // a forced run's files as their loads recorded them (unchanged.go)
	if r.opts.Force && !r.opts.Recheck && !r.opts.DryRun {
		recs = d.recall(ctx, files)
		d.crossCheck = recs != nil && len(files) > 1 // one file cannot share a key with another
	}
	if err := d.keyPass(ctx, files); err != nil {
		return err
	}
	var ok []*rawFile
	for _, f := range files {
		if f.result.Status == "" {
			ok = append(ok, f)
		}
	}
	if len(ok) == 0 {
		return nil
	}
	if recs != nil && len(ok) == len(files) {
		if same, err := d.unchangedSinceLoad(ctx, recs, refs); err != nil || same {
			return err
		}
	}
	if r.opts.DryRun {
		refs, err := refs()
		if err != nil {
			return err
		}
		return d.dryRun(ctx, ok, refs)
	}
	var rw *rejectsWrite // the rejects, written while the MERGE commits
	for attempt := 1; ; attempt++ {
		err := d.merge(ctx, refs, func(accept acceptFunc) error {
			if err := d.rowPass(ctx, ok, accept); err != nil {
				return err
			}
			rw = d.startRejects(ctx, ok)
			return nil
		})
		var ce *delta.ConflictError
		if err == nil {
			break
		}
		rw.abort(ctx)
		rw = nil
		if errors.As(err, &ce) && attempt < maxMergeAttempts && ctx.Err() == nil {
			d.emit(ok[0], StageCommit, fmt.Sprintf("MERGE lost a race (%v); re-planning", err))
			continue
		}
		if d.failFile(ok, err) {
			return d.retryWithout(ctx, files) // without the file that failed in the row pass
		}
		return err
	}
	d.keys, d.repeated, d.batches = nil, nil, nil // done with: let the GC have them
	if err := ctx.Err(); err != nil {
		rw.abort(ctx)
		return err
	}
	if err := rw.commit(ctx); err != nil {
		return err
	}
	d.closeReplacedRejects(ctx, ok)
	for _, f := range ok {
		d.perFile[f].rejected = rejectLog{}
	}
	d.finish(ok)
	var recorded []*rawFile
	var outcomes []fileOutcome
	for _, f := range ok {
		if st := d.perFile[f]; !st.outcome.unrecorded {
			recorded, outcomes = append(recorded, f), append(outcomes, outcomeOf(st))
		}
	}
	d.recordOutcomes(ctx, d.rulesFingerprint(), recorded, outcomes, recs)
	return nil
}

// ready is reference keys already loaded, as merge takes them.
func ready(refs *refSets) func() (*refSets, error) {
	return func() (*refSets, error) { return refs, nil }
}

// failFile fails the file a FileError names and reports whether it did.
func (d *dsRun) failFile(files []*rawFile, err error) bool {
	var fe *FileError
	if !errors.As(err, &fe) {
		return false
	}
	for _, f := range files {
		if f.info.Key == fe.File {
			f.fail(fe)
		}
	}
	return true
}

// finish sets the results of files the row pass read.
func (d *dsRun) finish(files []*rawFile) {
	for _, f := range files {
		c := d.perFile[f].counts
		c.Accepted = c.RowsRead - c.Rejected
		f.result.Counts = c
		f.result.Status = ledger.StatusSucceeded
	}
}

// retryWithout re-processes the dataset without files that failed.
func (d *dsRun) retryWithout(ctx context.Context, files []*rawFile) error {
	var rest []*rawFile
	for _, f := range files {
		if f.result.Status == "" {
			rest = append(rest, f)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return d.r.processDataset(ctx, d.ds, rest)
}

// refSets are the keys a dataset's references must point at.
type refSets struct {
	orders   keyHas
	products keyHas
	orderCol int // order_items columns holding the references
	prodCol  int
}

// keyHas is a key set's lookup: a keyset.Set on one goroutine, or a
// keyset.Lookup of it for each of several (Set.Has is not safe for
// concurrent use: it keeps a cache of recent pages).
type keyHas interface{ Has(k int64) bool }

// forWorker is the reference sets for one of several goroutines: each
// looks keys up with lookups of its own.
func (r *refSets) forWorker() *refSets {
	w := *r
	if s, ok := r.orders.(*keyset.Set); ok {
		w.orders = s.Lookup()
	}
	if s, ok := r.products.(*keyset.Set); ok {
		w.products = s.Lookup()
	}
	return &w
}

// referenceColumns are a dataset's columns that reference another's keys.
func referenceColumns(ds *dataset.Dataset) []string {
	if ds.Name == dataset.OrderItems {
		return []string{"order_id", "product_id"}
	}
	return nil
}

func (d *dsRun) loadRefs(ctx context.Context) (*refSets, error) {
	if d.ds.Name != dataset.OrderItems {
		return &refSets{}, nil
	}
	orders, err := loadKeys(ctx, d.r.lake, dataset.Orders, "order_id")
	if err != nil {
		return nil, err
	}
	products, err := loadKeys(ctx, d.r.lake, dataset.Products, "product_id")
	if err != nil {
		return nil, err
	}
	if keys := d.r.dryKeys[dataset.Orders]; keys != nil {
		keys.Range(func(k int64) { orders.Add(k) })
	}
	if keys := d.r.dryKeys[dataset.Products]; keys != nil {
		keys.Range(func(k int64) { products.Add(k) })
	}
	return &refSets{orders: orders, products: products,
		orderCol: d.ds.Index("order_id"), prodCol: d.ds.Index("product_id")}, nil
}

// loadKeys reads the key column of a silver table (empty when it does not exist).
func loadKeys(ctx context.Context, lk *lake.Lake, ds, col string) (*keyset.Set, error) {
	snap, err := lk.Silver(ds).Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return keyset.NewSet(0), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s keys: %w", ds, err)
	}
	var rows int64 // from the files' stats, to size the set once
	for _, a := range snap.Files() {
		if st, err := delta.ParseStats(a.Stats); err == nil && a.Stats != "" {
			rows += st.NumRecords
		}
	}
	out := keyset.NewSet(int(min(rows, 1<<30)))
	err = snap.Int64Column(ctx, col, func(keys []int64) error {
		for _, k := range keys {
			out.Add(k)
		}
		return nil
	})
	if errors.Is(err, parquetrows.ErrNotInt64) { // stored otherwise: decode rows
		out = keyset.NewSet(int(min(rows, 1<<30)))
		for row, err := range snap.Project(ctx, col) {
			if err != nil {
				return nil, fmt.Errorf("read %s keys: %w", ds, err)
			}
			if k, ok := row[0].(int64); ok {
				out.Add(k)
			}
		}
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s keys: %w", ds, err)
	}
	return out, nil
}

// referenceReasons returns the reference codes an accepted order_items row breaks.
func (d *dsRun) referenceReasons(refs *refSets, vals []dataset.Value) string {
	if d.ds.Name != dataset.OrderItems {
		return ""
	}
	orderOK, prodOK := refs.orders.Has(vals[refs.orderCol].I), refs.products.Has(vals[refs.prodCol].I)
	switch {
	case orderOK && prodOK:
		return ""
	case prodOK:
		return "reference:order_id"
	case orderOK:
		return "reference:product_id"
	}
	return dataset.JoinReasons([]string{"reference:order_id", "reference:product_id"})
}

// acceptFunc takes one accepted row (after dedup) and the counts to charge;
// it returns the reference reasons when the row fails its references.
type acceptFunc func(vals []dataset.Value, c *Counts) (string, error)

// dryRun classifies the rows of a dataset's files without writing: accepted
// rows are counted (and their keys kept for later references), nothing is merged.
func (d *dsRun) dryRun(ctx context.Context, files []*rawFile, refs *refSets) error {
	keys := keyset.NewSet(0)
	err := d.rowPass(ctx, files, func(vals []dataset.Value, _ *Counts) (string, error) {
		if reasons := d.referenceReasons(refs, vals); reasons != "" {
			return reasons, nil
		}
		keys.Add(vals[d.ds.Key].I)
		return "", nil
	})
	if err != nil {
		if d.failFile(files, err) {
			return d.retryWithout(ctx, files)
		}
		return err
	}
	d.finish(files)
	d.r.dryKeys[d.ds.Name] = keys
	return nil
}
