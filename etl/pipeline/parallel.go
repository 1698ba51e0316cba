package pipeline

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"

	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
)

// Batches: how many records, and how many bytes of record text, travel
// together between the reader, the checking workers and the consumer.
const (
	batchRows  = 4096
	batchBytes = 1 << 20
)

// span locates one record's text in a batch's arena.
type span struct {
	off, n int
	line   int
	err    error // the reader's malformed-record error
	plain  bool  // no quotes: the checkers split it at every comma
}

// checkBatch is a run of records with the row rules applied.
type checkBatch struct {
	arena   []byte // the records' text, back to back
	spans   []span
	reasons [][]string       // per record: empty when it passed every rule
	vals    []dataset.Value  // per record, len(columns) values
	file    int              // index of the file the records come from
	m       *dataset.Mapping // that file's header mapping
	eof     bool             // the file's last batch
	offset  int64            // bytes of the file consumed when the batch was read
	err     error            // a read or open error ends the stream
	done    chan struct{}    // closed when the workers have checked the batch
	free    chan *checkBatch
}

// raw returns the text of record i.
func (b *checkBatch) raw(i int) []byte {
	s := b.spans[i]
	return b.arena[s.off : s.off+s.n : s.off+s.n]
}

// release hands the batch back for reuse.
func (b *checkBatch) release() {
	select {
	case b.free <- b:
	default:
	}
}

// splitFields splits a well-formed record's text into fields: on commas
// when it has no quotes, else with a CSV reader.
type splitFields struct {
	fields [][]byte
	rd     *csvread.Reader
	src    bytes.Reader
}

func (s *splitFields) NumFields() int     { return len(s.fields) }
func (s *splitFields) Field(i int) []byte { return s.fields[i] }

func (s *splitFields) split(raw []byte) bool {
	s.fields = s.fields[:0]
	if bytes.IndexByte(raw, '"') < 0 {
		for {
			i := bytes.IndexByte(raw, ',')
			if i < 0 {
				s.fields = append(s.fields, raw)
				return true
			}
			s.fields = append(s.fields, raw[:i])
			raw = raw[i+1:]
		}
	}
	s.src.Reset(raw)
	if s.rd == nil {
		s.rd = csvread.NewReader(&s.src, csvread.Options{BufferSize: 64 << 10})
	} else {
		s.rd.Reset(&s.src)
	}
	rec, err := s.rd.Next()
	if err != nil || rec.Err != nil {
		return false
	}
	s.fields = append(s.fields, rec.Fields...)
	return true
}

// batchPool keeps released batches for the next file of the run, so their
// buffers are allocated once per dataset rather than once per file.
type batchPool chan *checkBatch

func newBatchPool() batchPool { return make(batchPool, 2*max(runtime.GOMAXPROCS(0), 1)+4) }

func (p batchPool) get() *checkBatch {
	select {
	case b := <-p:
		return b
	default:
		return &checkBatch{free: p}
	}
}

// fileOpener opens file i of a pass and reads its header.
type fileOpener func(i int) (*openedFile, *dataset.Mapping, error)

// checkParallel reads the records of files 0..n-1 on one goroutine, file
// after file, so the checkers never wait at a file boundary; applies the
// row rules on the others (one per CPU); and yields the batches in input
// order on the returned channel, each ready once its done channel is
// closed. A batch holds records of one file; the last batch of a file has
// eof set, and a batch with err set ends the stream. Memory is bounded by a
// few batches in flight: the reader blocks when the consumer is that far
// behind.
func checkParallel(ctx context.Context, n int, open fileOpener, ncol int, pool batchPool) <-chan *checkBatch {
	workers := max(runtime.GOMAXPROCS(0), 1)
	inFlight := 2*workers + 2
	ordered := make(chan *checkBatch, inFlight)
	work := make(chan *checkBatch, inFlight)
	for w := 0; w < workers; w++ {
		go checkWorker(work, ncol)
	}
	go func() {
		defer close(ordered)
		defer close(work)
		for i := 0; i < n; i++ {
			of, m, err := open(i)
			if err != nil {
				b := pool.get()
				b.reset(ncol)
				b.file, b.err, b.eof = i, err, true
				close(b.done)
				ordered <- b
				return
			}
			ok := readBatches(ctx, i, of, m, ncol, pool, work, ordered)
			of.Close()
			if !ok {
				return
			}
		}
	}()
	return ordered
}

// checkWorker applies the row rules to the batches it is given.
func checkWorker(work <-chan *checkBatch, ncol int) {
	var sf splitFields
	checkers := map[*dataset.Mapping]*dataset.Checker{}
	for b := range work {
		chk := checkers[b.m]
		if chk == nil {
			chk = b.m.NewChecker()
			checkers[b.m] = chk
		}
		for i := range b.spans {
			rs := b.reasons[i][:0]
			raw := b.raw(i)
			sp := &b.spans[i]
			if sp.plain {
				var ascii bool
				sf.fields, ascii = csvread.SplitPlain(raw, sf.fields[:0])
				rs = chk.Check(sf.fields, raw, ascii, b.vals[i*ncol:(i+1)*ncol], rs)
			} else if sp.err != nil || !sf.split(raw) {
				rs = append(rs, dataset.ReasonMalformed)
			} else {
				rs = chk.Check(sf.fields, raw, false, b.vals[i*ncol:(i+1)*ncol], rs)
			}
			b.reasons[i] = rs
		}
		close(b.done)
	}
}

// readBatches reads one file's records into batches; it reports whether the
// stream goes on (false after a read error or when ctx is done).
func readBatches(ctx context.Context, file int, of *openedFile, m *dataset.Mapping, ncol int, pool batchPool, work, ordered chan<- *checkBatch) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		b := pool.get()
		b.reset(ncol)
		b.file, b.m = file, m
		for len(b.spans) < batchRows && len(b.arena) < batchBytes {
			text, line, rec, err := of.reader.NextLine()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					b.err = err
				}
				b.eof = true
				break
			}
			if rec == nil {
				b.add(text, line, nil, true)
			} else {
				b.add(rec.Raw, rec.Line, rec.Err, rec.Err == nil && rec.Plain)
			}
		}
		b.offset = of.bytesRead()
		if len(b.reasons) < len(b.spans) {
			b.reasons = append(b.reasons, make([][]string, len(b.spans)-len(b.reasons))...)
		}
		if b.err != nil {
			close(b.done)
		} else {
			work <- b
		}
		ordered <- b
		if b.eof {
			return b.err == nil
		}
	}
}

// add appends a record's text to the batch; a plain one (split at every
// comma) is split by the checkers, in parallel, rather than by the reader.
func (b *checkBatch) add(raw []byte, line int, err error, plain bool) {
	b.spans = append(b.spans, span{off: len(b.arena), n: len(raw), line: line, err: err, plain: plain})
	b.arena = append(b.arena, raw...)
}

func (b *checkBatch) reset(ncol int) {
	b.arena = b.arena[:0]
	b.spans = b.spans[:0]
	b.err, b.eof, b.m = nil, false, nil
	b.done = make(chan struct{})
	if cap(b.vals) < batchRows*ncol {
		b.vals = make([]dataset.Value, batchRows*ncol)
	}
	if b.arena == nil {
		b.arena = make([]byte, 0, 256<<10) // grows to batchBytes and the record that crosses it when records are long
	}
}
