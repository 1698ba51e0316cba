package pipeline

import (
	"context"
	"fmt"
	"hash/maphash"

	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/rejects"
)

// dsRun is the state of one dataset within a run.
type dsRun struct {
	r      *run
	ds     *dataset.Dataset
	seed   maphash.Seed
	surv   *survivorTable
	minKey int64
	maxKey int64
	sorted []int64 // survivor keys, sorted, built on demand
	// rowHash is the hash of the values handed to the current scan callback
	// (computed by the checking workers, off the consumer's path).
	rowHash uint64
	rules   []rejects.Row
	perFile map[*rawFile]*fileState
}

// fileState is what pass 1 learned about a file.
type fileState struct {
	seqStart  int64 // seq of the file's first valid row minus one
	valid     int64 // rows that passed the row rules
	rowsRead  int64
	ruleRejs  int64
	byReason  map[string]int64
	mapping   *dataset.Mapping
	header    string
	identity  string
	pass2     Counts // reset on every merge attempt
	pass2Rows []rejects.Row
}

// scan reads a raw file once, calling fn for every record with its reasons
// (nil for a row that passed every rule) and typed values.
func (d *dsRun) scan(ctx context.Context, f *rawFile, st *fileState, stage Stage,
	fn func(rec *csvread.Record, reasons []string, vals []dataset.Value) error) error {
	of, err := openRaw(ctx, d.r.source(), f, d.r.opts.Limits)
	if err != nil {
		return wrapRead(f, err)
	}
	defer of.Close()
	m, header, err := readHeader(f, of)
	if err != nil {
		return err
	}
	if st.mapping == nil {
		st.mapping, st.header = m, header
		for _, w := range m.Warnings {
			d.emit(f, stage, "warning: "+w)
		}
	}
	tr := newTracker(d.r.opts.Progress, Event{RunID: d.r.opts.RunID, File: f.info.Key, Dataset: d.ds.Name, Stage: stage, BytesTotal: f.info.Size})
	var rows, rejected int64
	counts := map[string]int64{}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	batches := checkParallel(sctx, of, m, len(d.ds.Columns), d.seed)
	defer func() {
		stop()
		for b := range batches { // let the reader and workers finish
			<-b.done
		}
	}()
	for b := range batches {
		<-b.done
		if b.err != nil {
			if isCancel(b.err) && ctx.Err() != nil {
				return ctx.Err()
			}
			return wrapRead(f, b.err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ncol := len(d.ds.Columns)
		var rec csvread.Record
		for i := range b.spans {
			rows++
			rec.Line, rec.Raw = b.spans[i].line, b.raw(i)
			if rs := b.reasons[i]; len(rs) > 0 {
				rejected++
				for _, c := range rs {
					counts[c]++
				}
				if err := fn(&rec, rs, nil); err != nil {
					return err
				}
				continue
			}
			d.rowHash = b.hashes[i]
			if err := fn(&rec, nil, b.vals[i*ncol:(i+1)*ncol]); err != nil {
				return err
			}
		}
		b.release()
		tr.update(b.offset, rows, rows-rejected, rejected, counts, false)
	}
	tr.update(of.bytesRead(), rows, rows-rejected, rejected, counts, true)
	return nil
}

// pass1 checks the row rules and finds each key's survivor.
func (d *dsRun) pass1(ctx context.Context, f *rawFile, seq *int64) error {
	st := &fileState{seqStart: *seq, byReason: map[string]int64{}, identity: f.id.String()}
	d.perFile[f] = st
	now := d.r.started
	err := d.scan(ctx, f, st, StageValidate, func(rec *csvread.Record, reasons []string, vals []dataset.Value) error {
		st.rowsRead++
		if reasons != nil {
			st.ruleRejs++
			for _, c := range reasons {
				st.byReason[c]++
			}
			d.rules = append(d.rules, rejects.NewRow(d.r.opts.RunID, now, f.info.Key, st.identity, st.header, int64(rec.Line), rec.Raw, reasons))
			return nil
		}
		*seq++
		st.valid++
		key := vals[d.ds.Key].I
		var ts int64
		if d.ds.Timestamp >= 0 {
			ts = vals[d.ds.Timestamp].I
		}
		s, seen := d.surv.get(key)
		if !seen || ts >= s.ts { // greatest timestamp wins; ties: last in input order
			d.surv.put(key, survivor{ts: ts, seq: uint32(*seq), hash: uint32(d.rowHash)})
		}
		if d.surv.len() == 1 || key < d.minKey {
			d.minKey = key
		}
		if d.surv.len() == 1 || key > d.maxKey {
			d.maxKey = key
		}
		return nil
	})
	if err != nil {
		delete(d.perFile, f)
		// Drop this file's rejects: a failed file writes nothing.
		kept := d.rules[:0]
		for _, r := range d.rules {
			if r.FileIdentity != st.identity {
				kept = append(kept, r)
			}
		}
		d.rules = kept
		return err
	}
	return nil
}

// classify is pass 2's verdict on a valid row.
type verdict int

const (
	accepted verdict = iota
	duplicate
	superseded
)

func (d *dsRun) dedupVerdict(seq int64, vals []dataset.Value) verdict {
	s, _ := d.surv.get(vals[d.ds.Key].I)
	if int64(s.seq) == seq {
		return accepted
	}
	if s.hash == uint32(hashValues(d.seed, vals)) {
		return duplicate
	}
	return superseded
}

// pass2 re-reads a file and hands every valid row, with its dedup verdict,
// to fn; rows rejected by dedup are recorded in the file state.
func (d *dsRun) pass2(ctx context.Context, f *rawFile, fn func(vals []dataset.Value) (string, error)) error {
	st := d.perFile[f]
	st.pass2 = Counts{RejectedByReason: map[string]int64{}}
	st.pass2Rows = nil
	info, err := d.r.source().Stat(ctx, f.info.Key)
	if err != nil {
		return wrapRead(f, err)
	}
	if !ledger.Same(identityOf(info), f.id) {
		return &FileError{File: f.info.Key, Msg: "file changed while the run was reading it (size, ETag or modification time differ); run it again"}
	}
	seq := st.seqStart
	var rows int64
	reject := func(rec *csvread.Record, codes ...string) {
		st.pass2.Rejected++
		for _, c := range codes {
			st.pass2.RejectedByReason[c]++
		}
		st.pass2Rows = append(st.pass2Rows, rejects.NewRow(d.r.opts.RunID, d.r.started, f.info.Key, st.identity, st.header, int64(rec.Line), rec.Raw, codes))
	}
	err = d.scan(ctx, f, st, StageMerge, func(rec *csvread.Record, reasons []string, vals []dataset.Value) error {
		rows++
		if reasons != nil {
			return nil
		}
		seq++
		switch d.dedupVerdict(seq, vals) {
		case duplicate:
			reject(rec, dataset.ReasonDuplicate)
			return nil
		case superseded:
			reject(rec, dataset.ReasonSuperseded)
			return nil
		}
		refs, err := fn(vals)
		if err != nil {
			return err
		}
		if refs != "" {
			reject(rec, dataset.SplitReasons(refs)...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rows != st.rowsRead || seq-st.seqStart != st.valid {
		return &FileError{File: f.info.Key, Msg: fmt.Sprintf("file changed while the run was reading it (%d rows, then %d)", st.rowsRead, rows)}
	}
	return nil
}

func (d *dsRun) emit(f *rawFile, stage Stage, msg string) {
	if d.r.opts.Progress != nil {
		d.r.opts.Progress(Event{RunID: d.r.opts.RunID, File: f.info.Key, Dataset: d.ds.Name, Stage: stage, Message: msg})
	}
}
