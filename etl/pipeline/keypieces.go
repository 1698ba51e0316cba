package pipeline

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/lakeops/lakeops/etl/csvread"
)

// A large plain file is read by the key pass in pieces, one per CPU, so a
// run of one big file scans its keys on every core. Piece j > 0 starts at
// the record boundary after the first line feed at or after its nominal
// start; piece j-1 reads records until its offset reaches that nominal
// start. The pieces agree only when piece j-1 stops exactly where piece j
// started: otherwise a quoted field holds a line feed across the cut, and
// the key pass is made again with every file in one piece (the keys went into
// the run's sets as they were read, which cannot be undone).

// defaultKeyPieceBytes is the least size of a piece (Limits.KeyPieceBytes):
// smaller files are read whole.
const defaultKeyPieceBytes = 16 << 20

// keyPieces is how many pieces the key pass reads a file in, with workers
// readers and pieces of at least minPiece bytes.
func keyPieces(f *rawFile, workers int, minPiece int64) int {
	if workers < 2 || f.gzipped() {
		return 1
	}
	return int(max(1, min(int64(workers), f.info.Size/minPiece)))
}

// pieceStart is the nominal first byte of piece j of n.
func pieceStart(size int64, j, n int) int64 { return size * int64(j) / int64(n) }

// keyPiece is one piece the key pass reads.
type keyPiece struct {
	file, piece, pieces int
}

// pieceResult is what a piece reader learned.
type pieceResult struct {
	state       *fileState // piece 0: the header's mapping and the file's identity
	start, stop int64      // the record boundaries the piece read between
	records     int64
}

// splitFile is the key pass's state of a file read in pieces.
type splitFile struct {
	results []*pieceResult // by piece, nil until it ends
	read    []int64        // by piece, bytes read so far
	rows    []int64
	left    int // pieces not yet ended
	failed  bool
}

// agree reports whether each piece stopped where the next one started.
func (s *splitFile) agree() bool {
	for j := 1; j < len(s.results); j++ {
		if s.results[j-1].stop != s.results[j].start {
			return false
		}
	}
	return true
}

// openPiece opens piece j (> 0) of a plain file: the file from the record
// boundary after the first line feed at or after the piece's nominal start.
// It returns the opened file and that boundary, or io.EOF when the piece
// holds no record.
func openPiece(ctx context.Context, d *dsRun, f *rawFile, j, n int) (*openedFile, int64, error) {
	from := pieceStart(f.info.Size, j, n) - 1 // the byte before: a line feed there starts the piece at once
	rc, err := d.r.source().Open(ctx, f.info.Key, from, -1)
	if err != nil {
		return nil, 0, err
	}
	cr := &countingReader{r: rc}
	br := bufio.NewReaderSize(cr, 256<<10)
	skipped := int64(0)
	for {
		b, err := br.ReadSlice('\n')
		skipped += int64(len(b))
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			rc.Close()
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			return nil, 0, err
		}
	}
	opts := d.r.opts.Limits.csvOptions()
	opts.MidStream = true
	r := csvread.NewReader(br, opts)
	return &openedFile{rc: rc, count: cr, reader: r}, from + skipped, nil
}
