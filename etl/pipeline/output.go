package pipeline

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
)

// maxOpenFiles bounds how many partition files are written at once; beyond
// it the largest open file is finished early (a partition may get several files).
const maxOpenFiles = 32

// maxFileRows is the most rows put in one data file.
const maxFileRows = 2_000_000

// output writes rows into data files, one open file per partition.
type output struct {
	table     *delta.Table
	ds        *dataset.Dataset
	fw        *delta.FileWriter
	fwErr     error
	open      map[string]*delta.PartitionFile
	lastPart  dataset.Value // partition value of the last row written
	lastFile  *delta.PartitionFile
	adds      []*delta.Add
	written   int64
	committed bool
}

func newOutput(t *delta.Table, snap *delta.Snapshot, ds *dataset.Dataset) *output {
	fw, err := delta.NewFileWriterFor(snap)
	return &output{table: t, ds: ds, fw: fw, fwErr: err, open: map[string]*delta.PartitionFile{}}
}

func (o *output) write(ctx context.Context, vals []dataset.Value) error {
	if o.fwErr != nil {
		return o.fwErr
	}
	if o.lastFile != nil && (o.ds.Partition < 0 || vals[o.ds.Partition] == o.lastPart) {
		return o.writeTo(ctx, o.lastFile, vals)
	}
	pv := partitionValue(o.ds, vals)
	k := delta.PartitionKey(o.ds.PartitionColumns(), pv)
	pf := o.open[k]
	if pf == nil {
		if len(o.open) >= maxOpenFiles {
			if err := o.closeLargest(ctx); err != nil {
				return err
			}
		}
		pf = o.fw.Open(ctx, pv)
		o.open[k] = pf
	}
	if o.ds.Partition >= 0 {
		o.lastPart = vals[o.ds.Partition]
	}
	o.lastFile = pf
	return o.writeTo(ctx, pf, vals)
}

func (o *output) writeTo(ctx context.Context, pf *delta.PartitionFile, vals []dataset.Value) error {
	if err := pf.WriteCells(vals); err != nil {
		return err
	}
	o.written++
	if pf.Rows() >= maxFileRows {
		o.forget(pf)
		return o.finish(ctx, pf)
	}
	return nil
}

// forget drops a finished file from the open set.
func (o *output) forget(pf *delta.PartitionFile) {
	for k, f := range o.open {
		if f == pf {
			delete(o.open, k)
		}
	}
	if o.lastFile == pf {
		o.lastFile = nil
	}
}

func (o *output) finish(ctx context.Context, pf *delta.PartitionFile) error {
	a, err := pf.Close(ctx) // on error the file is abandoned
	if err != nil {
		return err
	}
	o.adds = append(o.adds, a)
	return nil
}

func (o *output) closeLargest(ctx context.Context) error {
	var bestK string
	var best *delta.PartitionFile
	for k, pf := range o.open {
		if best == nil || pf.Rows() > best.Rows() {
			bestK, best = k, pf
		}
	}
	delete(o.open, bestK)
	if o.lastFile == best {
		o.lastFile = nil
	}
	return o.finish(ctx, best)
}

// close finishes every open file, all at once (each has its own encoder
// and upload to wait for), and returns all add actions.
func (o *output) close(ctx context.Context) ([]*delta.Add, error) {
	o.lastFile = nil
	keys := make([]string, 0, len(o.open))
	for k := range o.open {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable order of adds in the commit
	adds := make([]*delta.Add, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		pf := o.open[k]
		delete(o.open, k)
		wg.Add(1)
		go func() {
			defer wg.Done()
			adds[i], errs[i] = pf.Close(ctx) // on error the file is abandoned
		}()
	}
	wg.Wait()
	for i := range keys {
		if errs[i] == nil {
			o.adds = append(o.adds, adds[i]) // kept for abort, even when another failed
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o.adds, nil
}

// copied is how many rows were rewritten unchanged into new files.
func (o *output) copied(changed int64) int64 { return o.written - changed }

// abort abandons open files and deletes the files written when the commit
// did not happen.
func (o *output) abort(ctx context.Context) {
	for k, pf := range o.open {
		pf.Abort()
		delete(o.open, k)
	}
	if o.committed {
		return
	}
	cctx := context.WithoutCancel(ctx)
	for _, a := range o.adds {
		_ = o.table.DeleteFile(cctx, a)
	}
}
