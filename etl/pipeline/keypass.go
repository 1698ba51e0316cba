package pipeline

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
)

// keyBatchSize is how many keys a key reader sends at a time.
const keyBatchSize = 8192

// keyMsg is what a key reader sends: a batch of keys, a progress report,
// a warning, or the file's outcome (done).
type keyMsg struct {
	file    int
	keys    []int64
	read    int64 // bytes read so far
	rows    int64 // records so far
	warning string
	done    bool
	state   *fileState // the outcome when done and err is nil
	err     error
}

// keyPass reads every file's header and every record's key, one reader
// per CPU on different files, and learns which keys repeat. Keys are added
// to the sets on this goroutine, which also emits the progress events, in
// whatever order the files deliver them: which keys repeat does not depend
// on the order. A file that cannot be read fails alone; the error is for a
// cancelled run.
func (d *dsRun) keyPass(ctx context.Context, files []*rawFile) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int, len(files))
	for i := range files {
		next <- i
	}
	close(next)
	msgs := make(chan keyMsg, 16)
	free := make(chan []int64, 16)
	var wg sync.WaitGroup
	for w := 0; w < min(max(runtime.GOMAXPROCS(0), 1), len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				st, err := d.readKeys(ctx, files[i], i, msgs, free)
				msgs <- keyMsg{file: i, done: true, state: st, err: err}
			}
		}()
	}
	go func() { wg.Wait(); close(msgs) }()
	trackers := make([]*tracker, len(files))
	for m := range msgs {
		f := files[m.file]
		if trackers[m.file] == nil {
			trackers[m.file] = newTracker(d.r.opts.Progress, Event{RunID: d.r.opts.RunID, File: f.info.Key, Dataset: d.ds.Name, Stage: StageScan, BytesTotal: f.info.Size})
		}
		switch {
		case m.warning != "":
			d.emit(f, StageScan, "warning: "+m.warning)
		case m.done && m.err != nil:
			if !isCancel(m.err) {
				f.fail(m.err)
			}
		case m.done:
			d.perFile[f] = m.state
			trackers[m.file].update(f.info.Size, m.state.records, 0, 0, nil, true)
		default:
			d.noteKeys(m.keys)
			select {
			case free <- m.keys[:0]:
			default:
			}
			trackers[m.file].update(m.read, m.rows, 0, 0, nil, false)
		}
	}
	return ctx.Err()
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

// readKeys reads one file's header and keys, sending keys in batches.
func (d *dsRun) readKeys(ctx context.Context, f *rawFile, i int, msgs chan<- keyMsg, free chan []int64) (*fileState, error) {
	of, err := openRaw(ctx, d.r.source(), f, d.r.opts.Limits)
	if err != nil {
		return nil, wrapRead(f, err)
	}
	defer of.Close()
	m, header, err := readHeader(f, of)
	if err != nil {
		return nil, err
	}
	for _, w := range m.Warnings {
		msgs <- keyMsg{file: i, warning: w}
	}
	batch := func() []int64 {
		select {
		case b := <-free:
			return b
		default:
			return make([]int64, 0, keyBatchSize)
		}
	}
	keys := batch()
	var sf splitFields
	var rows int64
	pos := m.Pos[d.ds.Key]
	for {
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
			msgs <- keyMsg{file: i, keys: keys, read: of.bytesRead(), rows: rows}
			keys = batch()
		}
	}
	msgs <- keyMsg{file: i, keys: keys, read: of.bytesRead(), rows: rows}
	return &fileState{identity: f.id.String(), mapping: m, header: header, records: rows}, nil
}
