package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rejects"
)

// BatchOptions name one batch of a load: planned files of one dataset.
type BatchOptions struct {
	Load     string
	Dataset  string
	Files    []PlannedFile
	Limits   Limits
	Progress Progress
}

// StageBatch reads a batch of a load's files, checks every row against the row
// rules (as a run's key and row passes do) and stages the outcome: per
// file, its valid rows typed in one Parquet file and its rejected rows in
// another, then the batch's manifest. Nothing is deduplicated and no
// reference is checked: CommitStaged does that across all batches. A file
// that cannot be read, or that changed since the plan, fails alone (as in
// a run). A batch staged before returns its manifest unchanged, so a
// retried or repeated worker never stages a batch twice; what a killed
// worker left without a manifest is never used.
func StageBatch(ctx context.Context, lk *lake.Lake, opts BatchOptions) (*BatchManifest, error) {
	if err := CheckLoad(opts.Load); err != nil {
		return nil, err
	}
	if err := lk.CheckWritable("stage a batch"); err != nil {
		return nil, err
	}
	ds, err := dataset.ByName(opts.Dataset)
	if err != nil {
		return nil, err
	}
	if len(opts.Files) == 0 {
		return nil, errors.New("stage: the batch has no files")
	}
	files := slices.Clone(opts.Files)
	slices.SortFunc(files, func(a, b PlannedFile) int { return a.Ordinal - b.Ordinal })
	batch := batchID(files)
	key := manifestKey(opts.Load, ds.Name, batch)
	var m BatchManifest
	if err := readJSON(ctx, lk.Store, key, &m); err == nil {
		return &m, nil
	} else if !errors.Is(err, storage.ErrNotExist) {
		return nil, fmt.Errorf("stage batch %s: %w", batch, err)
	}
	plan, err := ReadPlan(ctx, lk, opts.Load)
	if err != nil {
		return nil, err
	}
	dp, err := plan.Dataset(ds.Name)
	if err != nil {
		return nil, err
	}
	r := &run{lake: lk, opts: Options{RunID: opts.Load, Limits: opts.Limits, Progress: opts.Progress}, started: plan.Started, dryKeys: map[string]*keyset.Set{}}
	raws, err := r.plannedFiles(ctx, ds, dp, files)
	if err != nil {
		return nil, err
	}
	out, err := r.stageDataset(ctx, ds, raws, batchPrefix(opts.Load, ds.Name, batch))
	if err != nil {
		return nil, err
	}
	m = BatchManifest{Load: opts.Load, Dataset: ds.Name, Batch: batch, Staged: time.Now().UTC()}
	rules := (&dsRun{r: r, ds: ds}).rulesFingerprint()
	for i, f := range raws {
		c := f.result.Counts
		sf := StagedFile{PlannedFile: files[i], Identity: f.id.String(), Status: f.result.Status, Error: f.result.Error,
			RowsRead: c.RowsRead, Rejected: c.Rejected, RejectedByReason: c.RejectedByReason, Rules: rules}
		if sf.RejectedByReason == nil {
			sf.RejectedByReason = map[string]int64{}
		}
		if o := out[f]; o != nil {
			sf.Header, sf.Valid, sf.ValidKey, sf.RejectsKey = o.header, o.valid, o.validKey, o.rejectsKey
		}
		m.Files = append(m.Files, sf)
	}
	// A concurrent attempt of the same batch that finished first wins; what
	// this one wrote goes with the dataset's staging after the commit.
	if _, err := putOnce(ctx, lk.Store, key, &m); err != nil {
		return nil, fmt.Errorf("stage batch %s: write the manifest: %w", batch, err)
	}
	return &m, nil
}

// plannedFiles checks a batch's files against the plan and the store: a
// file gone or changed since the plan fails (it stays for a later load).
func (r *run) plannedFiles(ctx context.Context, ds *dataset.Dataset, dp *DatasetPlan, files []PlannedFile) ([]*rawFile, error) {
	planned := map[int]PlannedFile{}
	for _, p := range dp.Items {
		planned[p.Ordinal] = p
	}
	var out []*rawFile
	for _, pf := range files {
		if p, ok := planned[pf.Ordinal]; !ok || p.Key != pf.Key || p.identity().String() != pf.identity().String() {
			return nil, fmt.Errorf("stage: %s (ordinal %d) is not a %s file of load %s as planned", pf.Key, pf.Ordinal, ds.Name, r.opts.RunID)
		}
		f := &rawFile{info: storage.ObjectInfo{Key: pf.Key, Size: pf.Size, ETag: pf.ETag, ModTime: pf.ModTime}, id: pf.identity(), dataset: ds}
		f.result.File, f.result.Dataset = pf.Key, ds.Name
		info, err := r.lake.Store.Stat(ctx, pf.Key)
		switch {
		case errors.Is(err, storage.ErrNotExist):
			f.fail(&FileError{File: pf.Key, Msg: "gone since the load was planned"})
		case err != nil:
			return nil, fmt.Errorf("stage: %w", err) // the batch fails and is retried
		case !ledger.Same(identityOf(info), f.id):
			f.fail(&FileError{File: pf.Key, Msg: "changed since the load was planned (size, ETag or modification time differ); a later load takes it"})
		}
		out = append(out, f)
	}
	return out, nil
}

// stagedOut is what staging wrote for one file.
type stagedOut struct {
	header               string
	valid                int64
	validKey, rejectsKey string
}

// stageDataset runs the key and row passes over files of one dataset and
// stages their rows under prefix. A file that fails in the row pass fails
// alone: the others are staged again without it, as a run re-processes.
func (r *run) stageDataset(ctx context.Context, ds *dataset.Dataset, files []*rawFile, prefix string) (map[*rawFile]*stagedOut, error) {
	var todo []*rawFile
	for _, f := range files {
		if f.result.Status == "" {
			todo = append(todo, f)
		}
	}
	d := &dsRun{r: r, ds: ds, keys: keyset.NewSet(estimateRows(todo)), repeated: keyset.NewSet(0), perFile: map[*rawFile]*fileState{}}
	if err := d.keyPass(ctx, todo); err != nil {
		return nil, err
	}
	var ok []*rawFile
	for _, f := range todo {
		if f.result.Status == "" {
			ok = append(ok, f)
		}
	}
	if len(ok) == 0 {
		return map[*rawFile]*stagedOut{}, nil
	}
	w, err := newStageWriter(ctx, r.lake.Store, prefix, ds)
	if err != nil {
		return nil, err
	}
	err = d.readRows(ctx, ok, w.valid)
	if err == nil {
		err = w.finish(d, ok)
	}
	if err != nil {
		w.abort()
		if ctx.Err() == nil && d.failFile(ok, err) {
			return r.stageDataset(ctx, ds, files, prefix)
		}
		return nil, err
	}
	d.finish(ok)
	return w.out, nil
}

// stagedSchema is the schema of a staged file of valid rows: the row's
// line and raw text (for rejecting it later), then the dataset's columns.
func stagedSchema(ds *dataset.Dataset) *delta.StructType {
	long, str := delta.Primitive(delta.TypeLong), delta.Primitive(delta.TypeString)
	fields := []delta.StructField{{Name: "_line", Type: long}, {Name: "_raw", Type: str},
		{Name: "_raw_escaped", Type: delta.Primitive(delta.TypeBoolean)}}
	return &delta.StructType{Fields: append(fields, ds.Schema().Fields...)}
}

// stagedCols is how many columns come before the dataset's in a staged file.
const stagedCols = 3

// stageWriter writes the staged files of a batch, one file of valid rows
// at a time (files are read one after the other).
type stageWriter struct {
	ctx     context.Context
	store   storage.Store
	prefix  string
	table   *delta.Table
	fw      *delta.FileWriter
	cur     *rawFile
	pf      *delta.PartitionFile
	cells   []delta.Cell
	out     map[*rawFile]*stagedOut
	written []string
}

func newStageWriter(ctx context.Context, st storage.Store, prefix string, ds *dataset.Dataset) (*stageWriter, error) {
	t := delta.NewTable(st, prefix)
	fw, err := delta.NewFileWriter(t, stagedSchema(ds), nil)
	if err != nil {
		return nil, err
	}
	return &stageWriter{ctx: ctx, store: st, prefix: prefix, table: t, fw: fw,
		cells: make([]delta.Cell, stagedCols+len(ds.Columns)), out: map[*rawFile]*stagedOut{}}, nil
}

func (w *stageWriter) outOf(f *rawFile) *stagedOut {
	o := w.out[f]
	if o == nil {
		o = &stagedOut{}
		w.out[f] = o
	}
	return o
}

// valid stages one valid row (a validRow).
func (w *stageWriter) valid(f *rawFile, _ *fileState, line int64, raw []byte, vals []dataset.Value) error {
	if f != w.cur {
		if err := w.closeCur(); err != nil {
			return err
		}
		w.cur, w.pf = f, w.fw.Open(w.ctx, nil)
	}
	text, escaped := dataset.EscapeRaw(raw)
	w.cells[0], w.cells[1], w.cells[2] = delta.Cell{I: line}, delta.Cell{S: text}, delta.Cell{}
	if escaped {
		w.cells[2].I = 1
	}
	copy(w.cells[stagedCols:], vals)
	w.outOf(f).valid++
	return w.pf.WriteCells(w.cells)
}

func (w *stageWriter) closeCur() error {
	if w.pf == nil {
		return nil
	}
	pf := w.pf
	w.pf = nil
	a, err := pf.Close(w.ctx)
	if err != nil {
		return err
	}
	key, err := w.table.DataKey(a.Path)
	if err != nil {
		return err
	}
	w.written = append(w.written, key)
	w.outOf(w.cur).validKey = key
	return nil
}

// finish closes the last file of valid rows and stages each file's rejected rows.
func (w *stageWriter) finish(d *dsRun, files []*rawFile) error {
	if err := w.closeCur(); err != nil {
		return err
	}
	for _, f := range files {
		st := d.perFile[f]
		o := w.outOf(f)
		o.header = st.header
		if st.rejected.len() == 0 {
			continue
		}
		key, err := rejects.WriteStaged(w.ctx, w.store, w.prefix, st.rejected.appendRows(nil, d.r, f, st))
		if err != nil {
			return err
		}
		w.written = append(w.written, key)
		o.rejectsKey = key
		st.rejected = rejectLog{}
	}
	return nil
}

// abort deletes what was staged (best effort: the dataset's cleanup after
// its commit removes anything left).
func (w *stageWriter) abort() {
	if w.pf != nil {
		w.pf.Abort()
		w.pf = nil
	}
	ctx := context.WithoutCancel(w.ctx)
	for _, k := range w.written {
		_ = w.store.Delete(ctx, k)
	}
	w.out = map[*rawFile]*stagedOut{}
}

// readStaged streams the valid rows of a staged file in file order.
func readStaged(ctx context.Context, st storage.Store, key string, ds *dataset.Dataset, fn func(line int64, raw []byte, vals []dataset.Value) error) error {
	f, err := openStaged(ctx, st, key)
	if err != nil {
		return err
	}
	for row, err := range f.Rows(stagedSchema(ds).Names()...) {
		if err != nil {
			return fmt.Errorf("read staged rows %s: %w", key, err)
		}
		line, _ := row[0].(int64)
		text, _ := row[1].(string)
		escaped, _ := row[2].(bool)
		raw := []byte(text)
		if escaped {
			raw = rejects.Row{Raw: text, RawEscaped: true}.RawBytes()
		}
		if err := fn(line, raw, fromAny(ds, row[stagedCols:])); err != nil {
			return err
		}
	}
	return nil
}

func openStaged(ctx context.Context, st storage.Store, key string) (*parquetrows.File, error) {
	info, err := st.Stat(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read staged rows %s: %w", key, err)
	}
	f, err := parquetrows.Open(storage.NewReaderAt(ctx, st, key, info.Size), info.Size)
	if err != nil {
		return nil, fmt.Errorf("read staged rows %s: %w", key, err)
	}
	return f, nil
}
