package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/ledger"
)

// A dataset's files are read twice. The key pass reads only each record's
// key and learns which keys occur more than once in the run; the row pass
// checks every row, writes the rows of keys that occur once straight away
// and holds the few rows of repeated keys until every file is read, when
// dedup picks their survivors. Memory is the key set (a bit a key for dense
// ids, 8-byte slots at most 5/8 full for spread ones) plus the held rows,
// never the file.

// dsRun is the state of one dataset within a run.
type dsRun struct {
	r        *run
	ds       *dataset.Dataset
	keys     *keyset.Set // every key the key pass read (a superset of the accepted keys)
	repeated *keyset.Set // keys read more than once
	keyLo    int64       // the least and greatest key of keys (when it holds any)
	keyHi    int64
	batches  batchPool // check batches, reused from file to file
	perFile  map[*rawFile]*fileState
	// A staged commit (CommitStaged) sets txnID, the idempotent-writer id
	// its MERGE records, and beforeCommit, run just before the MERGE commits.
	txnID        string
	beforeCommit func(context.Context) error
	// crossCheck makes the key pass keep each file's keys apart until the
	// file is read (fileKeys), to learn whether a key occurs in two files
	// of the run (crossFile): a forced run's shortcut needs to know.
	crossCheck bool
	fileKeys   map[int]*keyset.Set
	crossFile  bool
}

// fileState is what the passes learned about a file.
type fileState struct {
	identity string
	mapping  *dataset.Mapping
	header   string
	records  int64 // records the key pass read
	// The row pass's outcome, reset on every merge attempt.
	counts   Counts
	rejected rejectLog
	outcome  outcomeTally
}

// reject records a rejected row of the file.
func (d *dsRun) reject(f *rawFile, st *fileState, line int64, raw []byte, codes ...string) {
	st.counts.Rejected++
	for _, c := range codes {
		st.counts.RejectedByReason[c]++
	}
	st.rejected.add(line, raw, codes)
}

// heldRow is a valid row whose key occurs more than once in the run, kept
// until every file is read.
type heldRow struct {
	f    *rawFile
	line int64
	raw  []byte
	vals []dataset.Value
}

// rowPass reads the files again, checks every row and hands each row that
// passes the rules and wins dedup to accept (which returns the reference
// reasons of a row that fails its references). Rejected rows are recorded in
// the files' states.
func (d *dsRun) rowPass(ctx context.Context, files []*rawFile, accept acceptFunc) error {
	var held []heldRow
	err := d.readRows(ctx, files, func(f *rawFile, st *fileState, line int64, raw []byte, vals []dataset.Value) error {
		return d.holdOrAccept(&held, f, st, line, raw, vals, accept)
	})
	if err != nil {
		return err
	}
	return d.dedupHeld(held, accept)
}

// holdOrAccept holds a valid row whose key occurs more than once in the run
// until dedup, and accepts any other straight away. raw and vals are only
// borrowed: a held row keeps copies.
func (d *dsRun) holdOrAccept(held *[]heldRow, f *rawFile, st *fileState, line int64, raw []byte, vals []dataset.Value, accept acceptFunc) error {
	if d.repeated.Has(vals[d.ds.Key].I) {
		*held = append(*held, heldRow{f: f, line: line, raw: slices.Clone(raw), vals: slices.Clone(vals)})
		return nil
	}
	return d.accept(f, st, line, raw, vals, accept)
}

// validRow receives a row that passed the row rules, in input order; raw
// and vals are only valid during the call.
type validRow func(f *rawFile, st *fileState, line int64, raw []byte, vals []dataset.Value) error

// readRows reads the files again, checks every row against the rules,
// records rejected rows in the files' states and hands every valid row to
// valid, in input order.
func (d *dsRun) readRows(ctx context.Context, files []*rawFile, valid validRow) error {
	for _, f := range files {
		st := d.perFile[f]
		st.counts = Counts{RejectedByReason: map[string]int64{}}
		st.rejected = rejectLog{}
		st.outcome = outcomeTally{}
	}
	open := func(i int) (*openedFile, *dataset.Mapping, error) {
		f := files[i]
		info, err := d.r.source().Stat(ctx, f.info.Key)
		if err != nil {
			return nil, nil, wrapRead(f, err)
		}
		if !ledger.Same(identityOf(info), f.id) {
			return nil, nil, &FileError{File: f.info.Key, Msg: "file changed while the run was reading it (size, ETag or modification time differ); run it again"}
		}
		of, err := openRaw(ctx, d.r.source(), f, d.r.opts.Limits)
		if err != nil {
			return nil, nil, wrapRead(f, err)
		}
		m, _, err := readHeader(f, of)
		if err != nil {
			of.Close()
			return nil, nil, err
		}
		return of, m, nil
	}
	if d.batches == nil {
		d.batches = newBatchPool()
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	ncol := len(d.ds.Columns)
	batches := checkParallel(sctx, len(files), open, ncol, d.batches)
	defer func() {
		stop()
		for b := range batches { // let the reader and workers finish
			<-b.done
			b.release()
		}
	}()
	var tr *tracker
	var rows int64
	cur, done := -1, 0
	for b := range batches {
		<-b.done
		f := files[b.file]
		if b.err != nil {
			if isCancel(b.err) && ctx.Err() != nil {
				return ctx.Err()
			}
			return wrapRead(f, b.err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		st := d.perFile[f]
		if b.file != cur {
			cur, rows = b.file, 0
			tr = newTracker(d.r.opts.Progress, Event{RunID: d.r.opts.RunID, File: f.info.Key, Dataset: d.ds.Name, Stage: StageMerge, BytesTotal: f.info.Size})
		}
		for i := range b.spans {
			rows++
			line, raw := int64(b.spans[i].line), b.raw(i)
			if rs := b.reasons[i]; len(rs) > 0 {
				d.reject(f, st, line, raw, rs...)
				continue
			}
			if err := valid(f, st, line, raw, b.vals[i*ncol:(i+1)*ncol]); err != nil {
				return err
			}
		}
		eof, offset := b.eof, b.offset
		b.release()
		// The file's rejects so far: the row rules' and the references'
		// (dedup's come once every file is read).
		c := &st.counts
		tr.update(offset, rows, rows-c.Rejected, c.Rejected, c.RejectedByReason, eof)
		if eof {
			done++
			st.counts.RowsRead = rows
			if rows != st.records {
				return &FileError{File: f.info.Key, Msg: fmt.Sprintf("file changed while the run was reading it (%d rows, then %d)", st.records, rows)}
			}
		}
	}
	if done != len(files) { // the stream ended early: cancelled
		if err := ctx.Err(); err != nil {
			return err
		}
		return context.Canceled
	}
	return nil
}

// accept hands a row that won dedup to fn and rejects it when it fails its references.
func (d *dsRun) accept(f *rawFile, st *fileState, line int64, raw []byte, vals []dataset.Value, fn acceptFunc) error {
	refs, err := fn(vals, &st.counts)
	if err != nil {
		return err
	}
	if refs != "" {
		d.reject(f, st, line, raw, dataset.SplitReasons(refs)...)
		st.outcome.miss(d.ds, refs, vals)
		return nil
	}
	st.outcome.accept(vals)
	return nil
}

// dedupHeld picks the survivor of each repeated key among the held rows (in
// input order): the greatest timestamp, ties broken by the last row. The
// others are rejected as duplicate when identical to it, else superseded.
func (d *dsRun) dedupHeld(held []heldRow, fn acceptFunc) error {
	key := func(h heldRow) int64 { return h.vals[d.ds.Key].I }
	slices.SortStableFunc(held, func(a, b heldRow) int {
		switch ka, kb := key(a), key(b); {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	for len(held) > 0 {
		n := 1
		for n < len(held) && key(held[n]) == key(held[0]) {
			n++
		}
		group := held[:n]
		held = held[n:]
		best := 0
		for i := range group {
			if d.ds.Timestamp < 0 || group[i].vals[d.ds.Timestamp].I >= group[best].vals[d.ds.Timestamp].I {
				best = i
			}
		}
		for i, h := range group {
			if i != best && h.f != group[best].f { // its outcome depends on another file
				d.perFile[h.f].outcome.unrecorded = true
			}
			switch {
			case i == best:
				if err := d.accept(h.f, d.perFile[h.f], h.line, h.raw, h.vals, fn); err != nil {
					return err
				}
			case dataset.Equal(h.vals, group[best].vals):
				d.reject(h.f, d.perFile[h.f], h.line, h.raw, dataset.ReasonDuplicate)
			default:
				d.reject(h.f, d.perFile[h.f], h.line, h.raw, dataset.ReasonSuperseded)
			}
		}
	}
	return nil
}

func (d *dsRun) emit(f *rawFile, stage Stage, msg string) {
	if d.r.opts.Progress != nil {
		d.r.opts.Progress(Event{RunID: d.r.opts.RunID, File: f.info.Key, Dataset: d.ds.Name, Stage: stage, Message: msg})
	}
}
