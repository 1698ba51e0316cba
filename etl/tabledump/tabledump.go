// Package tabledump writes the rows of a Delta snapshot as CSV or JSON
// lines, byte for byte as rowfmt's writers write Snapshot.Rows, but fast:
// flat columns are decoded a page at a time into typed vectors
// (parquetrows.ColumnReader) and formatted straight into the output
// buffer by append-style formatting (no value, string or time.Time per
// cell); nested columns, and flat columns whose stored type the table's
// type converts (e.g. INT96 timestamps, a decimal at another scale), go
// through the row path's values (Logical, Coerce). Several data files are
// decoded at once; the output keeps the snapshot's file order, each file's
// rows in file order, less the rows deletion vectors delete. Column
// mapping is honoured as in Snapshot.Rows.
package tabledump

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// Format is an output format.
type Format uint8

// Formats.
const (
	CSV   Format = iota // a header line with the column names, then one line per row
	JSONL               // one JSON object per row, keyed by column name, in column order
)

// Options tune Write. Zero values take the defaults.
type Options struct {
	// Workers is the number of data files decoded at once; default
	// GOMAXPROCS.
	Workers int
}

const (
	batchRows   = 4096      // rows decoded per column at a time
	chunkBytes  = 256 << 10 // output handed to the writer at a time
	chunksAhead = 4         // chunks a file may have waiting for the writer
)

// fileJob is one data file's output: chunks in order, then err.
type fileJob struct {
	add    *delta.Add
	chunks chan []byte
	err    error // set before chunks is closed
}

// Write writes the snapshot's rows to w in the format. Errors name the
// table and data file, and the column when a value does not fit it; what
// was written before an error stays written.
func Write(ctx context.Context, w io.Writer, snap *delta.Snapshot, format Format, opts Options) error {
	names := snap.Schema().Names()
	d := &dumper{snap: snap, names: names, json: format == JSONL, free: make(chan []byte, 64)}
	for i, n := range names {
		if d.json {
			d.keys = append(d.keys, append(rowfmt.AppendJSONString(nil, n), ':'))
			continue
		}
		if i > 0 {
			d.header = append(d.header, ',')
		}
		d.header = rowfmt.AppendCSVField(d.header, n)
	}
	// The CSV header goes out with the first rows (or alone at the end):
	// a table that fails before its first row writes nothing.
	var header []byte
	if !d.json {
		header = append(d.header, '\n')
	}
	writeHeader := func() error {
		if header == nil {
			return nil
		}
		_, err := w.Write(header)
		header = nil
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := snap.Files()
	jobs := make(chan *fileJob, len(files))
	order := make(chan *fileJob, 2*workers)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			for job := range jobs {
				job.err = d.dumpFile(gctx, job)
				close(job.chunks)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(jobs)
		defer close(order)
		for _, a := range files {
			job := &fileJob{add: a, chunks: make(chan []byte, chunksAhead)}
			select {
			case order <- job:
			case <-gctx.Done():
				return nil
			}
			jobs <- job
		}
		return nil
	})
	var werr error
	for job := range order {
		for chunk := range job.chunks {
			if werr == nil {
				err := writeHeader()
				if err == nil {
					_, err = w.Write(chunk)
				}
				if err != nil {
					werr = fmt.Errorf("write output: %w", err)
					cancel()
				}
			}
			d.recycle(chunk)
		}
		if werr == nil && job.err != nil {
			werr = job.err
			cancel()
		}
	}
	gerr := g.Wait()
	if werr != nil {
		return werr
	}
	if gerr != nil {
		return gerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeHeader(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// dumper holds what every file's dump shares.
type dumper struct {
	snap   *delta.Snapshot
	names  []string
	json   bool
	header []byte
	keys   [][]byte    // JSON: each column's key and colon
	free   chan []byte // output buffers to reuse
}

func (d *dumper) buffer() []byte {
	select {
	case b := <-d.free:
		return b[:0]
	default:
		return make([]byte, 0, chunkBytes+chunkBytes/4)
	}
}

func (d *dumper) recycle(b []byte) {
	select {
	case d.free <- b:
	default:
	}
}

// dumpFile formats the rows of one logical file into chunks.
func (d *dumper) dumpFile(ctx context.Context, job *fileJob) error {
	sc, err := d.snap.ScanFile(ctx, job.add, d.names...)
	if err != nil {
		return err
	}
	cw := &cellWriter{json: d.json}
	cols, nestedNames, err := d.columns(sc, cw)
	if err != nil {
		return sc.Wrap(err)
	}
	defer func() {
		for _, c := range cols {
			if c.reader != nil {
				c.reader.Close()
			}
		}
	}()
	rows, err := newRowSource(sc, cols, nestedNames)
	if err != nil {
		return sc.Wrap(err)
	}
	defer rows.close()
	buf := d.buffer()
	send := func() error {
		select {
		case job.chunks <- buf:
			buf = d.buffer()
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var fileRow uint64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := rows.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sc.Wrap(err)
		}
		for i := range n {
			fileRow++
			if sc.Deleted != nil && sc.Deleted.Contains(fileRow-1) {
				continue
			}
			var nested []any
			if rows.nested != nil {
				nested = rows.nestedRows[i]
			}
			if d.json {
				buf = append(buf, '{')
			}
			for k, c := range cols {
				if k > 0 {
					buf = append(buf, ',')
				}
				if d.json {
					buf = append(buf, d.keys[k]...)
				}
				if buf, err = cw.cell(buf, c, i, nested); err != nil {
					return sc.Wrap(err)
				}
			}
			if d.json {
				buf = append(buf, '}')
			}
			buf = append(buf, '\n')
		}
		if len(buf) >= chunkBytes {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(buf) > 0 {
		return send()
	}
	d.recycle(buf)
	return nil
}
