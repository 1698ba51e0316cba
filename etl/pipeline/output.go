package pipeline

import (
	"context"

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
	adds      []*delta.Add
	written   int64
	committed bool
}

func newOutput(t *delta.Table, snap *delta.Snapshot, ds *dataset.Dataset) *output {
	fw, err := delta.NewFileWriter(t, snap.Schema(), snap.PartitionColumns())
	return &output{table: t, ds: ds, fw: fw, fwErr: err, open: map[string]*delta.PartitionFile{}}
}

func (o *output) write(ctx context.Context, vals []dataset.Value) error {
	if o.fwErr != nil {
		return o.fwErr
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
		pf = o.fw.Open(pv)
		o.open[k] = pf
	}
	if err := pf.WriteCells(vals); err != nil {
		return err
	}
	o.written++
	if pf.Rows() >= maxFileRows {
		delete(o.open, k)
		return o.finish(ctx, pf)
	}
	return nil
}

func (o *output) finish(ctx context.Context, pf *delta.PartitionFile) error {
	a, err := pf.Close(ctx)
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
	return o.finish(ctx, best)
}

// close finishes every open file and returns all add actions.
func (o *output) close(ctx context.Context) ([]*delta.Add, error) {
	for k, pf := range o.open {
		delete(o.open, k)
		if err := o.finish(ctx, pf); err != nil {
			return nil, err
		}
	}
	return o.adds, nil
}

// copied is how many rows were rewritten unchanged into new files.
func (o *output) copied(changed int64) int64 { return o.written - changed }

// abort deletes the files written when the commit did not happen.
func (o *output) abort(ctx context.Context) {
	if o.committed {
		return
	}
	cctx := context.WithoutCancel(ctx)
	for _, a := range o.adds {
		_ = o.table.DeleteFile(cctx, a)
	}
}
