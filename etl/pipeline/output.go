package pipeline

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
)

// maxOpenFiles bounds how many partition files are written at once; beyond
// it the largest open file is finished early (a partition may get several files).
const maxOpenFiles = 32

// maxFileRows is the most rows put in one data file.
const maxFileRows = 2_000_000

// defaultBufferedRows is how many rows the open files' row groups may hold
// together when Limits do not say.
const defaultBufferedRows = 256 * 1024

// output writes rows into data files, one open file per partition. The
// rows the open files hold in their row groups are bounded by bufferedRows
// together: each file's row groups are limited to its share.
type output struct {
	table     *delta.Table
	ds        *dataset.Dataset
	fw        *delta.FileWriter
	fwErr     error
	open      map[dataset.Value]*delta.PartitionFile // by partition value (the zero Value when unpartitioned)
	lastPart  dataset.Value                          // partition value of the last row written
	lastFile  *delta.PartitionFile
	recent    [64]recentFile // open files by the low bits of their partition value's integer
	stage     rowStage
	adds      []*delta.Add
	written   int64
	committed bool
	buffered  int // the rows the open files' row groups may hold together
}

// recentFile is an open file and its partition value.
type recentFile struct {
	part dataset.Value
	pf   *delta.PartitionFile
}

func newOutput(t *delta.Table, snap *delta.Snapshot, ds *dataset.Dataset, bufferedRows int) *output {
	fw, err := delta.NewFileWriterFor(snap)
	if bufferedRows <= 0 {
		bufferedRows = defaultBufferedRows
	}
	return &output{table: t, ds: ds, fw: fw, fwErr: err, open: map[dataset.Value]*delta.PartitionFile{}, buffered: bufferedRows}
}

// share gives each open file its share of the buffered rows.
func (o *output) share() {
	for _, pf := range o.open {
		pf.LimitRowGroups(o.buffered / len(o.open))
	}
}

// write writes a row: straight to its file while rows keep to the
// partition of the row before, else through the stage (see rowStage).
func (o *output) write(ctx context.Context, vals []dataset.Value) error {
	if o.fwErr != nil {
		return o.fwErr
	}
	var part dataset.Value
	if o.ds.Partition >= 0 {
		if part = vals[o.ds.Partition]; part.Null {
			part = dataset.Value{Null: true}
		}
	}
	if len(o.stage.parts) == 0 && o.lastFile != nil && part == o.lastPart {
		return o.writeTo(ctx, o.lastFile, vals)
	}
	if o.stage.add(part, vals) {
		return o.flushStage(ctx)
	}
	return nil
}

// fileFor is the open file of a partition, opened when there is none (vals
// is a row of it).
func (o *output) fileFor(ctx context.Context, part dataset.Value, vals []dataset.Value) (*delta.PartitionFile, error) {
	if o.lastFile != nil && part == o.lastPart {
		return o.lastFile, nil
	}
	slot := &o.recent[uint64(part.I)%uint64(len(o.recent))]
	if slot.pf != nil && slot.part == part {
		o.lastPart, o.lastFile = part, slot.pf
		return slot.pf, nil
	}
	pf := o.open[part]
	if pf == nil {
		if len(o.open) >= maxOpenFiles {
			if err := o.closeLargest(ctx); err != nil {
				return nil, err
			}
		}
		pf = o.fw.Open(ctx, partitionValue(o.ds, vals))
		o.open[part] = pf
		o.share()
	}
	o.lastPart, o.lastFile = part, pf
	*slot = recentFile{part: part, pf: pf}
	return pf, nil
}

// flushStage writes the staged rows, partition by partition (in the order
// the partitions first came), each partition's rows in input order.
func (o *output) flushStage(ctx context.Context) error {
	defer o.stage.reset()
	return o.stage.grouped(func(part dataset.Value, row []dataset.Value) error {
		pf, err := o.fileFor(ctx, part, row)
		if err != nil {
			return err
		}
		return o.writeTo(ctx, pf, row)
	})
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
	o.lastFile, o.recent = nil, [64]recentFile{}
	o.share()
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
	var bestK dataset.Value
	var best *delta.PartitionFile
	for k, pf := range o.open {
		if best == nil || pf.Rows() > best.Rows() {
			bestK, best = k, pf
		}
	}
	delete(o.open, bestK)
	o.lastFile, o.recent = nil, [64]recentFile{}
	o.share()
	return o.finish(ctx, best)
}

// close finishes every open file, all at once (each has its own encoder
// and upload to wait for), and returns all add actions.
func (o *output) close(ctx context.Context) ([]*delta.Add, error) {
	if err := o.flushStage(ctx); err != nil {
		return nil, err
	}
	o.lastFile, o.recent = nil, [64]recentFile{}
	keys := make([]dataset.Value, 0, len(o.open))
	for k := range o.open {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareValues) // a stable order of adds in the commit
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

// compareValues orders partition values: nulls first, then by integer
// and string.
func compareValues(a, b dataset.Value) int {
	if a.Null != b.Null {
		if a.Null {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(a.I, b.I), strings.Compare(a.S, b.S))
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
