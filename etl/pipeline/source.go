package pipeline

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
)

// Limits bound what one raw file may hold.
type Limits struct {
	MaxFieldBytes        int   // longest field (csvread default when 0)
	MaxRecordBytes       int   // longest record (csvread default when 0)
	MaxDecompressedBytes int64 // largest decompressed .csv.gz (default 16 GiB)
	// BufferedRows bounds the rows the data files being written hold in
	// their row groups, together (default 262,144): a run whose rows go to
	// many partitions at once writes smaller row groups instead of holding
	// more rows.
	BufferedRows int
	// KeyPieceBytes is the least size of a piece of a large plain file
	// the key pass reads on a CPU of its own (default 16 MiB).
	KeyPieceBytes int64
}

func (l Limits) keyPieceBytes() int64 {
	if l.KeyPieceBytes > 0 {
		return l.KeyPieceBytes
	}
	return defaultKeyPieceBytes
}

func (l Limits) maxDecompressed() int64 {
	if l.MaxDecompressedBytes > 0 {
		return l.MaxDecompressedBytes
	}
	return 16 << 30
}

// FileError is a file-level problem: the file fails and nothing is written for it.
type FileError struct {
	File string
	Line int // 0 when not tied to a line
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// rawFile is one raw file in a run.
type rawFile struct {
	info    storage.ObjectInfo
	id      ledger.Identity
	dataset *dataset.Dataset
	result  FileResult
}

func identityOf(info storage.ObjectInfo) ledger.Identity {
	return ledger.Identity{Key: info.Key, Size: info.Size, ETag: info.ETag, ModTime: info.ModTime}
}

// listRaw lists every raw file under the bronze prefix.
func listRaw(ctx context.Context, lk *lake.Lake) ([]storage.ObjectInfo, error) {
	var out []storage.ObjectInfo
	for info, err := range lk.Store.List(ctx, lk.Layout.Bronze, storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("list raw files: %w", err)
		}
		if dataset.IsRawFile(info.Key) {
			out = append(out, info)
		}
	}
	return out, nil
}

// limitedReader fails once more than n bytes were read (a gzip bomb guard).
type limitedReader struct {
	r    io.Reader
	n    int64
	file string
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, &FileError{File: l.file, Msg: "decompressed size exceeds the limit (MaxDecompressedBytes)"}
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// countingReader counts compressed bytes for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// openedFile is a raw file opened for one pass.
type openedFile struct {
	rc     io.ReadCloser
	count  *countingReader
	reader *csvread.Reader
}

func (o *openedFile) Close() error { return o.rc.Close() }

// bytesRead is how much of the stored object was consumed.
func (o *openedFile) bytesRead() int64 { return o.count.n }

// gzipped reports whether the raw file is a .gz, read decompressed.
func (f *rawFile) gzipped() bool { return strings.HasSuffix(strings.ToLower(f.info.Key), ".gz") }

// csvOptions are the CSV reader's options for the limits.
func (l Limits) csvOptions() csvread.Options {
	return csvread.Options{MaxFieldBytes: l.MaxFieldBytes, MaxRecordBytes: l.MaxRecordBytes}
}

func openRaw(ctx context.Context, st storage.Store, f *rawFile, lim Limits) (*openedFile, error) {
	rc, err := st.Open(ctx, f.info.Key, 0, -1)
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: rc}
	var src io.Reader = bufio.NewReaderSize(cr, 256<<10)
	if f.gzipped() {
		zr, err := gzip.NewReader(src)
		if err != nil {
			rc.Close()
			return nil, &FileError{File: f.info.Key, Msg: "not a readable gzip file: " + err.Error()}
		}
		src = &limitedReader{r: zr, n: lim.maxDecompressed(), file: f.info.Key}
	}
	r := csvread.NewReader(src, lim.csvOptions())
	return &openedFile{rc: rc, count: cr, reader: r}, nil
}

// readHeader reads the header record and maps it to the dataset.
func readHeader(f *rawFile, of *openedFile) (*dataset.Mapping, string, error) {
	rec, err := of.reader.Next()
	if errors.Is(err, io.EOF) {
		return nil, "", &FileError{File: f.info.Key, Msg: "file is empty: no header"}
	}
	if err != nil {
		return nil, "", wrapRead(f, err)
	}
	if rec.Err != nil {
		return nil, "", &FileError{File: f.info.Key, Line: rec.Line, Msg: "header is not valid CSV: " + rec.Err.Error()}
	}
	m, err := f.dataset.MapHeader(rec.Fields)
	if err != nil {
		return nil, "", &FileError{File: f.info.Key, Line: rec.Line, Msg: err.Error()}
	}
	header, _ := dataset.EscapeRaw(rec.Raw)
	return m, header, nil
}

func wrapRead(f *rawFile, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FileError{File: f.info.Key, Msg: "cannot decompress: " + err.Error()}
	}
	return &FileError{File: f.info.Key, Msg: "read failed: " + err.Error()}
}
