package delta

import (
	"context"
	"errors"
	"fmt"
)

// OptimizeOptions tune Table.Optimize.
type OptimizeOptions struct {
	TargetSize  int64 // bytes a packed file aims at; 0 means DefaultTargetFileSize
	MaxAttempts int   // plans tried when concurrent commits conflict; 0 means 5
}

// OptimizeResult is what Optimize did; Version is -1 when there was
// nothing to pack.
type OptimizeResult struct {
	Version                  int64
	Bins                     int // files written
	FilesRemoved, FilesAdded int
	BytesRemoved, BytesAdded int64
	RowsRewritten            int64
	Attempts                 int
	CheckpointErr            error    // the commit stands; its checkpoint or log cleanup failed
	Partitions               []string // the partitions packed, as PartitionKey renders them
}

// Optimize bin-packs the table's small files, partition by partition (see
// PlanOptimize): each bin's rows are rewritten into one file, and one
// commit removes the old files and adds the new ones, all with dataChange
// false, so readers, streaming consumers and the ingest log see the same
// rows. A concurrent commit that does not touch the files read (a
// pipeline appending, or rewriting other files) lets the commit go through
// at the next version; one that removed a file being packed makes Optimize
// drop what it wrote and plan again from the new version, up to MaxAttempts
// times. Rows are never lost or doubled: either the commit lands with
// every old file removed, or nothing changes.
func (t *Table) Optimize(ctx context.Context, opts OptimizeOptions) (*OptimizeResult, error) {
	target := opts.TargetSize
	if target <= 0 {
		target = DefaultTargetFileSize
	}
	attempts := opts.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}
	for attempt := 1; ; attempt++ {
		res, err := t.optimizeOnce(ctx, target)
		var ce *ConflictError
		if errors.As(err, &ce) && attempt < attempts && ctx.Err() == nil {
			continue
		}
		if res != nil {
			res.Attempts = attempt
		}
		return res, err
	}
}

func (t *Table) optimizeOnce(ctx context.Context, target int64) (res *OptimizeResult, err error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	if err := CheckWritable(snap.Protocol(), snap.Schema()); err != nil {
		return nil, fmt.Errorf("optimize %s: %w", t.URI(), err)
	}
	res = &OptimizeResult{Version: -1}
	bins := PlanOptimize(snap.Files(), snap.PartitionColumns(), target)
	if len(bins) == 0 {
		return res, nil
	}
	fw, err := NewFileWriterFor(snap)
	if err != nil {
		return nil, err
	}
	tx := snap.NewTransaction()
	var written []*Add
	committed := false
	defer func() {
		if committed {
			return
		}
		cctx := context.WithoutCancel(ctx)
		for _, a := range written {
			_ = t.DeleteFile(cctx, a)
		}
	}()
	seen := map[string]bool{}
	for _, bin := range bins {
		add, rows, err := t.packBin(ctx, snap, fw, bin)
		if err != nil {
			return nil, err
		}
		written = append(written, add)
		tx.Add(add)
		res.RowsRewritten += rows
		res.FilesAdded++
		res.BytesAdded += add.Size
		for _, a := range bin {
			tx.Remove(a, false)
			res.FilesRemoved++
			res.BytesRemoved += a.Size
		}
		if k := PartitionKey(snap.PartitionColumns(), bin[0].PartitionValues); !seen[k] {
			seen[k] = true
			res.Partitions = append(res.Partitions, k)
		}
	}
	res.Bins = len(bins)
	v, err := tx.Commit(ctx, Operation{Name: "OPTIMIZE",
		Parameters: map[string]string{"predicate": "[]", "zOrderBy": "[]", "auto": "false"},
		Metrics: map[string]string{"numRemovedFiles": fmt.Sprint(res.FilesRemoved), "numAddedFiles": fmt.Sprint(res.FilesAdded),
			"numRemovedBytes": fmt.Sprint(res.BytesRemoved), "numAddedBytes": fmt.Sprint(res.BytesAdded)}})
	var cpe *CheckpointError
	switch {
	case errors.As(err, &cpe):
		res.CheckpointErr = err
	case err != nil:
		return nil, err
	}
	committed = true
	res.Version = v
	return res, nil
}

// packBin rewrites the rows of a bin's files into one file of their
// partition (not yet committed) and returns it with its row count.
func (t *Table) packBin(ctx context.Context, snap *Snapshot, fw *FileWriter, bin []*Add) (*Add, int64, error) {
	pf := fw.Open(ctx, bin[0].PartitionValues)
	for _, a := range bin {
		for row, err := range snap.FileRows(ctx, a) {
			if err != nil {
				pf.Abort()
				return nil, 0, fmt.Errorf("optimize %s: %w", t.URI(), err)
			}
			if err := pf.Write(row); err != nil {
				pf.Abort()
				return nil, 0, fmt.Errorf("optimize %s: rewrite %s: %w", t.URI(), a.Path, err)
			}
		}
	}
	rows := pf.Rows()
	if want, ok := statsRows(bin); ok && want != rows {
		pf.Abort()
		return nil, 0, fmt.Errorf("optimize %s: read %d rows from files whose stats count %d; nothing was changed", t.URI(), rows, want)
	}
	add, err := pf.Close(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("optimize %s: %w", t.URI(), err)
	}
	add.DataChange = false
	return add, rows, nil
}

// statsRows sums the numRecords of the files' stats; false when a file has none.
func statsRows(files []*Add) (int64, bool) {
	var n int64
	for _, a := range files {
		st, err := ParseStats(a.Stats)
		if a.Stats == "" || err != nil {
			return 0, false
		}
		n += st.NumRecords
	}
	return n, true
}
