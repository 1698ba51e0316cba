package ops

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// CreateExport makes a new file base.ext in dir, or base-N.ext when taken:
// an export never replaces a file.
func CreateExport(dir, base, ext string) (*os.File, string, error) {
	for n := 0; n < 100; n++ {
		name := base + "." + ext
		if n > 0 {
			name = fmt.Sprintf("%s-%d.%s", base, n, ext)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("create the export file: %w", err)
		}
		return f, path, nil
	}
	return nil, "", fmt.Errorf("create the export file: %s.%s and 99 numbered names exist in %s", base, ext, dir)
}

// RowWriter writes query result rows to an export file.
type RowWriter interface {
	Write(row []any) error
	// Close flushes; the file is closed by the caller.
	Close() error
}

// NewRowWriter writes rows with the given column names (made unique, id
// and id_2, for the formats keyed by name) in a format: "csv"
// (formula-guarded; plain numbers stay as they are), "jsonl" (one object a
// row) or "parquet" (every column an optional UTF-8 string, as the CSV
// renders it).
func NewRowWriter(w io.Writer, format string, names []string) (RowWriter, error) {
	names = uniqueNames(names)
	switch format {
	case "csv":
		c, err := rowfmt.NewGuardedCSV(w, names, true)
		if err != nil {
			return nil, err
		}
		return flushCloser{c}, nil
	case "jsonl":
		return flushCloser{rowfmt.NewJSONL(w, names)}, nil
	case "parquet":
		return newParquetWriter(w, names), nil
	}
	return nil, fmt.Errorf("export format must be csv, jsonl or parquet, not %q", format)
}

// CellText renders a result value as an export and the screen show it:
// "" for null, JSON for nested values.
func CellText(v any) string { return rowfmt.Text(v) }

// uniqueNames are the names made unique (id, id_2); an empty one is
// column<N>.
func uniqueNames(names []string) []string {
	seen := map[string]bool{}
	out := make([]string, len(names))
	for i, n := range names {
		name := n
		if name == "" {
			name = fmt.Sprintf("column%d", i+1)
		}
		for k := 2; seen[name]; k++ {
			name = fmt.Sprintf("%s_%d", n, k)
		}
		seen[name] = true
		out[i] = name
	}
	return out
}

type flushCloser struct{ w rowfmt.Writer }

func (f flushCloser) Write(row []any) error { return f.w.Write(row) }
func (f flushCloser) Close() error          { return f.w.Flush() }

// parquetWriter writes every column as an optional UTF-8 string (the
// values as the CSV export renders them; null stays null).
type parquetWriter struct {
	w     *parquet.Writer
	batch []parquet.Row
	n     int
}

func newParquetWriter(w io.Writer, names []string) *parquetWriter {
	group := parquet.Group{}
	for _, n := range names {
		group[n] = parquet.Optional(parquet.String())
	}
	schema := parquet.NewSchema("query", delta.OrderedGroup{Group: group, Order: names})
	return &parquetWriter{w: parquet.NewWriter(w, schema, parquet.Compression(&parquet.Snappy)),
		batch: make([]parquet.Row, 0, 1024), n: len(names)}
}

func (p *parquetWriter) Write(row []any) error {
	prow := make(parquet.Row, p.n)
	for i := range p.n {
		if i >= len(row) || row[i] == nil {
			prow[i] = parquet.NullValue().Level(0, 0, i)
			continue
		}
		prow[i] = parquet.ByteArrayValue([]byte(rowfmt.Text(row[i]))).Level(0, 1, i)
	}
	p.batch = append(p.batch, prow)
	if len(p.batch) == cap(p.batch) {
		return p.flush()
	}
	return nil
}

func (p *parquetWriter) flush() error {
	if _, err := p.w.WriteRows(p.batch); err != nil {
		return fmt.Errorf("encode parquet: %w", err)
	}
	p.batch = p.batch[:0]
	return nil
}

func (p *parquetWriter) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("encode parquet: %w", err)
	}
	return nil
}
