package delta

import "sync/atomic"

// cellEncoder encodes a data file's batches of cells on a goroutine of its
// own, so that the caller fills the next batch while Parquet encoding and
// compression run: the pipeline's row checks, MERGE logic and encoding then
// share the CPUs. Batches stay in order; at most cellBuffers batches exist
// per file.
type cellEncoder struct {
	queue  chan cellBatch
	free   chan []Cell
	done   chan struct{}
	failed atomic.Bool // set once err is; err is then final
	err    error
}

// cellBatch is a full or final batch of rows of cells, row-major.
type cellBatch struct {
	cells []Cell
	rows  int
}

// cellBuffers bounds the batches of one file: one being filled, two queued,
// one being encoded.
const cellBuffers = 4

// sendCells hands the pending rows to the encoder and takes a free buffer.
func (pf *PartitionFile) sendCells() {
	e := &pf.enc
	if pf.pendingRows == 0 {
		return
	}
	if e.queue == nil {
		e.queue = make(chan cellBatch, cellBuffers-2)
		e.free = make(chan []Cell, cellBuffers)
		e.done = make(chan struct{})
		go pf.encodeLoop(e.queue, e.free, e.done)
	}
	e.queue <- cellBatch{cells: pf.pending, rows: pf.pendingRows}
	select {
	case b := <-e.free:
		pf.pending = b
	default:
		pf.pending = make([]Cell, 0, cap(pf.pending))
	}
	pf.pendingRows = 0
}

// encodeLoop encodes batches until the queue closes; after an error it only
// drains them.
func (pf *PartitionFile) encodeLoop(queue <-chan cellBatch, free chan<- []Cell, done chan<- struct{}) {
	defer close(done)
	e := &pf.enc
	for b := range queue {
		if !e.failed.Load() {
			if err := pf.encodeCells(b.cells, b.rows); err != nil {
				e.err = err
				e.failed.Store(true)
			}
		}
		clear(b.cells) // drop string references
		select {
		case free <- b.cells[:0]:
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
