package pipeline

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/lakeops/lakeops/etl/keyset"
)

// keyBatchSize is how many keys a key reader sends at a time.
const keyBatchSize = 8192

// keyMsg is what a key reader sends: a batch of keys, a progress report,
// a warning, or the piece's outcome (done).
type keyMsg struct {
	file, piece int
	keys        []int64
	read        int64 // bytes read so far
	rows        int64 // records so far
	warning     string
	done        bool
	result      *pieceResult // the outcome when done and err is nil
	err         error
}

// keyPass reads every file's header and every record's key, one reader
// per CPU on different files or on pieces of a large one (see
// keypieces.go), and learns which keys repeat. Keys are added to the sets
// on this goroutine, which also emits the progress events, in whatever
// order the files deliver them: which keys repeat does not depend on the
// order. A file that cannot be read fails alone; the error is for a
// cancelled run.
func (d *dsRun) keyPass(ctx context.Context, files []*rawFile) error {
	split, err := d.scanKeys(ctx, files, true)
	if err != nil || split == nil {
		return err
	}
	// The pieces of a file disagreed: a quoted field holds a line feed
	// across a cut. Its keys went into the sets with the rest, so the sets
	// are made again from a scan that reads every file in one piece.
	d.emit(split, StageScan, "a quoted field spans the cut between two pieces of the file: reading the keys again, each file in one piece")
	d.keys, d.repeated, d.keyLo, d.keyHi = keyset.NewSet(estimateRows(files)), keyset.NewSet(0), 0, 0
	d.fileKeys, d.crossFile = nil, false
	for _, f := range files {
		delete(d.perFile, f)
	}
	_, err = d.scanKeys(ctx, files, false)
	return err
}

// scanKeys is the key pass, reading large files in pieces when split is
// set; it returns a file whose pieces disagreed, nil when all agreed.
func (d *dsRun) scanKeys(ctx context.Context, files []*rawFile, split bool) (*rawFile, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(runtime.GOMAXPROCS(0), 1)
	var tasks []keyPiece
	splits := make([]*splitFile, len(files))
	for i, f := range files {
		n := 1
		if split {
			n = keyPieces(f, workers, d.r.opts.Limits.keyPieceBytes())
		}
		if n > 1 {
			splits[i] = &splitFile{results: make([]*pieceResult, n), read: make([]int64, n), rows: make([]int64, n), left: n}
		}
		for j := range n {
			tasks = append(tasks, keyPiece{file: i, piece: j, pieces: n})
		}
	}
	next := make(chan keyPiece, len(tasks))
	for _, t := range tasks {
		next <- t
	}
	close(next)
	msgs := make(chan keyMsg, 16)
	free := make(chan []int64, 16)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(tasks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				res, err := d.readKeys(ctx, files[t.file], t, msgs, free)
				msgs <- keyMsg{file: t.file, piece: t.piece, done: true, result: res, err: err}
			}
		}()
	}
	go func() { wg.Wait(); close(msgs) }()
	trackers := make([]*tracker, len(files))
	var disagreed *rawFile
	for m := range msgs {
		f := files[m.file]
		if trackers[m.file] == nil {
			trackers[m.file] = newTracker(d.r.opts.Progress, Event{RunID: d.r.opts.RunID, File: f.info.Key, Dataset: d.ds.Name, Stage: StageScan, BytesTotal: f.info.Size})
		}
		sp := splits[m.file]
		switch {
		case m.warning != "":
			d.emit(f, StageScan, "warning: "+m.warning)
		case m.done && m.err != nil:
			if !isCancel(m.err) {
				f.fail(m.err)
			}
			if sp != nil {
				sp.failed = true
				sp.left--
			}
		case m.done && sp == nil:
			d.perFile[f] = m.result.state
			d.mergeFileKeys(m.file)
			trackers[m.file].update(f.info.Size, m.result.records, 0, 0, nil, true)
		case m.done:
			sp.results[m.piece] = m.result
			sp.left--
			if sp.left > 0 || sp.failed {
				break
			}
			if !sp.agree() {
				disagreed = f
				break
			}
			st := sp.results[0].state
			for _, r := range sp.results[1:] {
				st.records += r.records
			}
			d.perFile[f] = st
			d.mergeFileKeys(m.file)
			trackers[m.file].update(f.info.Size, st.records, 0, 0, nil, true)
		default:
			if d.crossCheck {
				d.noteFileKeys(m.file, f, m.keys)
			} else {
				d.noteKeys(m.keys)
			}
			select {
			case free <- m.keys[:0]:
			default:
			}
			read, rows := m.read, m.rows
			if sp != nil {
				sp.read[m.piece], sp.rows[m.piece] = m.read, m.rows
				read, rows = min(sum(sp.read), f.info.Size), sum(sp.rows)
			}
			trackers[m.file].update(read, rows, 0, 0, nil, false)
		}
	}
	for file := range d.fileKeys { // files that failed, or were cut short
		d.mergeFileKeys(file)
	}
	return disagreed, ctx.Err()
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

// noteKeys adds keys of the run to the key set, noting those seen before.
func (d *dsRun) noteKeys(keys []int64) {
	if len(keys) == 0 {
		return
	}
	if d.keys.Len() == 0 {
		d.keyLo, d.keyHi = keys[0], keys[0]
	}
	for _, k := range keys {
		d.keyLo, d.keyHi = min(d.keyLo, k), max(d.keyHi, k)
		if !d.keys.AddNew(k) {
			d.repeated.Add(k)
		}
	}
}

// noteFileKeys is noteKeys for a key pass that keeps each file's keys
// apart until the file is read (crossCheck): a key read twice in the file
// is repeated at once, one also in another file when the file is merged.
func (d *dsRun) noteFileKeys(file int, f *rawFile, keys []int64) {
	if d.fileKeys == nil {
		d.fileKeys = map[int]*keyset.Set{}
	}
	s := d.fileKeys[file]
	if s == nil {
		s = keyset.NewSet(estimateRows([]*rawFile{f}))
		d.fileKeys[file] = s
	}
	for _, k := range keys {
		if !s.AddNew(k) {
			d.repeated.Add(k)
		}
	}
}

// mergeFileKeys adds a file's keys kept apart to the run's, noting those
// another file holds too (crossFile).
func (d *dsRun) mergeFileKeys(file int) {
	s := d.fileKeys[file]
	if s == nil {
		return
	}
	delete(d.fileKeys, file)
	if s.Len() == 0 {
		return
	}
	lo, hi := s.Bounds()
	if d.keys.Len() == 0 {
		d.keyLo, d.keyHi = lo, hi
	}
	d.keyLo, d.keyHi = min(d.keyLo, lo), max(d.keyHi, hi)
	d.keys.AddAll(s, func(k int64) {
		d.repeated.Add(k)
		d.crossFile = true
	})
}

// readKeys reads the keys of one piece of a file (the whole file when it
// is read in one piece), sending keys in batches. Piece 0 reads the header
// and stops at the first record boundary at or after the next piece's
// nominal start; a later piece reads the header from the file's start and
// its records from its own start.
func (d *dsRun) readKeys(ctx context.Context, f *rawFile, t keyPiece, msgs chan<- keyMsg, free chan []int64) (*pieceResult, error) {
	of, err := openRaw(ctx, d.r.source(), f, d.r.opts.Limits)
	if err != nil {
		return nil, wrapRead(f, err)
	}
	defer func() {
		if of != nil {
			of.Close()
		}
	}()
	m, header, err := readHeader(f, of)
	if err != nil {
		return nil, err
	}
	res := &pieceResult{}
	if t.piece == 0 {
		for _, w := range m.Warnings {
			msgs <- keyMsg{file: t.file, warning: w}
		}
		res.state = &fileState{identity: f.id.String(), mapping: m, header: header}
	} else {
		of.Close()
		if of, res.start, err = openPiece(ctx, d, f, t.piece, t.pieces); err != nil {
			of = nil
			if errors.Is(err, io.EOF) { // no record starts in the piece
				res.start, res.stop = f.info.Size, f.info.Size
				return res, nil
			}
			return nil, wrapRead(f, err)
		}
	}
	stopAt := int64(-1) // read to the end
	if t.piece+1 < t.pieces {
		stopAt = pieceStart(f.info.Size, t.piece+1, t.pieces)
	}
	base := res.start
	if t.piece == 0 {
		base = 0
	}
	batch := func() []int64 {
		select {
		case b := <-free: // a nil free never gives one
			return b
		default:
			return make([]int64, 0, keyBatchSize)
		}
	}
	keys := batch()
	var sf splitFields
	var rows int64
	pos := m.Pos[d.ds.Key]
	for stopAt < 0 || base+of.reader.Offset() < stopAt {
		field, nf, _, rec, err := of.reader.SkimField(pos)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, wrapRead(f, err)
		}
		rows++
		switch {
		case rec == nil: // a plain line: field and nf as Check would see them
			if k, ok := m.ParseKey(field); ok && nf == m.NumField {
				keys = append(keys, k)
			}
		case rec.Err != nil: // malformed: the row pass rejects it
		default: // quoted or over-long: split the text as the row pass does
			if sf.split(rec.Raw) {
				if k, ok := m.KeyOf(&sf); ok {
					keys = append(keys, k)
				}
			}
		}
		if len(keys) == keyBatchSize {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			msgs <- keyMsg{file: t.file, piece: t.piece, keys: keys, read: of.bytesRead(), rows: rows}
			keys = batch()
		}
	}
	msgs <- keyMsg{file: t.file, piece: t.piece, keys: keys, read: of.bytesRead(), rows: rows}
	res.stop, res.records = base+of.reader.Offset(), rows
	if res.state != nil {
		res.state.records = rows
	}
	return res, nil
}
