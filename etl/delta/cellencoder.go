package delta

import "sync/atomic"

// cellEncoder encodes a data file's batches of cells on a goroutine of its
// own, so that the caller fills the next batch while Parquet encoding and
// compression run: the pipeline's row checks, MERGE logic and encoding then
// share the CPUs. Batches stay in order; at most cellBuffers batches exist
// per file.
type cellEncoder struct {
	queue  chan *cellBatch
	free   chan *cellBatch
	done   chan struct{}
	failed atomic.Bool // set once err is; err is then final
	err    error
	fixed  []byte // FIXED_LEN_BYTE_ARRAY values of one column (encoder goroutine)
}

// cellBatch is a full or final batch of rows of cells, column-major: one
// cellColumn per data column, in FileWriter.dataCols order.
type cellBatch struct {
	cols []cellColumn
	rows int
}

// cellColumn holds one data column of a batch. Every row sets every entry
// (a row that WriteCells refuses is overwritten by the next); values of
// null cells are not read.
type cellColumn struct {
	ci    int                    // index of the column in the schema (and in a row of cells)
	kind  int                    // cellKind, or kindNone
	ints  *[cellBatchRows]int64  // Cell.I of each row, except for string and binary columns
	strs  *[cellBatchRows]string // Cell.S of each row, for string and binary columns only
	nulls *[cellBatchRows]bool   // Cell.Null of each row; nil for a column that is not nullable
}

// newCellBatch makes an empty batch of cellBatchRows rows for fw's data columns.
func newCellBatch(fw *FileWriter) *cellBatch {
	b := &cellBatch{cols: make([]cellColumn, len(fw.dataCols))}
	for j, ci := range fw.dataCols {
		f := &fw.schema.Fields[ci]
		col := &b.cols[j]
		col.ci = ci
		kind, err := cellKind(f)
		if err != nil {
			kind = kindNone // encodeCells reports the error
		}
		col.kind = kind
		if kind == kindString || kind == kindBytes {
			col.strs = new([cellBatchRows]string)
		} else {
			col.ints = new([cellBatchRows]int64)
		}
		if f.Nullable {
			col.nulls = new([cellBatchRows]bool)
		}
	}
	return b
}

// reset empties the batch for reuse and drops its string references.
func (b *cellBatch) reset() {
	for j := range b.cols {
		if col := &b.cols[j]; col.strs != nil {
			clear(col.strs[:])
		}
	}
	b.rows = 0
}

// cellBuffers bounds the batches of one file: one being filled, two queued,
// one being encoded.
const cellBuffers = 4

// sendCells hands the pending rows to the encoder and takes a free batch
// (WriteCells makes one if none is free).
func (pf *PartitionFile) sendCells() {
	e := &pf.enc
	if pf.pending == nil || pf.pending.rows == 0 {
		return
	}
	if e.queue == nil {
		e.queue = make(chan *cellBatch, cellBuffers-2)
		e.free = make(chan *cellBatch, cellBuffers)
		e.done = make(chan struct{})
		go pf.encodeLoop(e.queue, e.free, e.done)
	}
	e.queue <- pf.pending
	select {
	case b := <-e.free:
		pf.pending = b
	default:
		pf.pending = nil
	}
}

// encodeLoop encodes batches until the queue closes; after an error it only
// drains them.
func (pf *PartitionFile) encodeLoop(queue <-chan *cellBatch, free chan<- *cellBatch, done chan<- struct{}) {
	defer close(done)
	e := &pf.enc
	for b := range queue {
		if !e.failed.Load() {
			if err := pf.encodeCells(b); err != nil {
				e.err = err
				e.failed.Store(true)
			}
		}
		b.reset()
		select {
		case free <- b:
		default:
		}
	}
}

// stop closes the queue and waits for the encoder to finish.
func (e *cellEncoder) stop() {
	if e.queue == nil {
		return
	}
	close(e.queue)
	<-e.done
	e.queue = nil
}

// finishCells encodes the last rows and waits for the encoder.
func (pf *PartitionFile) finishCells() error {
	pf.sendCells()
	pf.enc.stop()
	if pf.enc.failed.Load() {
		return pf.enc.err
	}
	return nil
}
