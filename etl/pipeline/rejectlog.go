package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/rejects"
)

// rejectLog holds a file's rejected rows compactly until they are written:
// their raw text back to back and, per row, its line, where its text is
// and its reason codes as one string (the code itself when there is one,
// shared by every row it rejects). A row costs its text and 40 bytes, not
// a rejects.Row of 200 bytes with its own copies.
type rejectLog struct {
	arena []byte
	rows  []loggedReject
}

type loggedReject struct {
	line    int64
	off, n  int
	reasons string
}

func (l *rejectLog) add(line int64, raw []byte, codes []string) {
	l.rows = append(l.rows, loggedReject{line: line, off: len(l.arena), n: len(raw), reasons: dataset.JoinReasons(codes)})
	l.arena = append(l.arena, raw...)
}

// len is the number of rows logged.
func (l *rejectLog) len() int { return len(l.rows) }

// each yields the logged rows of a file as open rejected rows, each made
// when it is yielded.
func (l *rejectLog) each(r *run, f *rawFile, st *fileState, yield func(rejects.Row) bool) bool {
	for _, lr := range l.rows {
		if !yield(rejects.NewRow(r.opts.RunID, r.started, f.info.Key, st.identity, st.header, lr.line,
			l.arena[lr.off:lr.off+lr.n], dataset.SplitReasons(lr.reasons))) {
			return false
		}
	}
	return true
}

// appendRows appends the logged rows of a file as open rejected rows.
func (l *rejectLog) appendRows(dst []rejects.Row, r *run, f *rawFile, st *fileState) []rejects.Row {
	l.each(r, f, st, func(row rejects.Row) bool {
		dst = append(dst, row)
		return true
	})
	return dst
}

// rejectsWrite is the rejects of a dataset's files being written while the
// MERGE commits (rejects.Prepare on a goroutine of its own); the run
// commits them once the MERGE has committed, or drops them.
type rejectsWrite struct {
	done chan struct{}
	p    *rejects.Prepared
	err  error
}

// startRejects starts writing the logged rejects of the files.
func (d *dsRun) startRejects(ctx context.Context, files []*rawFile) *rejectsWrite {
	var ids []string
	for _, f := range files {
		ids = append(ids, d.perFile[f].identity)
	}
	rows := func(yield func(rejects.Row) bool) { // made as they are written
		for _, f := range files {
			st := d.perFile[f]
			if !st.rejected.each(d.r, f, st, yield) {
				return
			}
		}
	}
	w := &rejectsWrite{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.p, w.err = rejects.Prepare(ctx, d.r.lake, d.ds.Name, ids, rows)
	}()
	return w
}

// commit waits for the rejects file and commits it.
func (w *rejectsWrite) commit(ctx context.Context) error {
	if w == nil {
		return errors.New("the rejects were not written")
	}
	<-w.done
	if w.err != nil {
		return w.err
	}
	return w.p.Commit(ctx)
}

// abort waits for the rejects file and drops it; a nil write is nothing.
func (w *rejectsWrite) abort(ctx context.Context) {
	if w == nil {
		return
	}
	<-w.done
	if w.p != nil {
		w.p.Abort(ctx)
	}
}

// closeReplacedRejects marks replaced the open rejected rows of earlier
// versions of the files (the ingest log has the file's key with another
// identity that had rejected rows): the version loaded now is the file's
// rows from here on, and its own rejects are what is open. Only then is
// the rejects table scanned (rejects.Replace). A failure only leaves the
// old rows open, and says so.
func (d *dsRun) closeReplacedRejects(ctx context.Context, files []*rawFile) {
	current := map[string]string{}
	for _, f := range files {
		for _, x := range d.r.entries {
			if x.File == f.info.Key && x.Dataset == d.ds.Name && x.Rejected > 0 && !ledger.Same(x.Identity(), f.id) {
				current[f.info.Key] = d.perFile[f].identity
				break
			}
		}
	}
	if len(current) == 0 {
		return
	}
	if _, err := rejects.Replace(ctx, d.r.lake, d.ds.Name, current, d.r.opts.RunID, time.Now().UTC()); err != nil {
		for _, f := range files {
			if _, ok := current[f.info.Key]; ok {
				d.emit(f, StageCommit, "warning: could not close the rejected rows of the earlier version of the file ("+err.Error()+"); they stay open")
			}
		}
	}
}
