package delta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// FileWriter turns rows into Parquet data files with Delta add actions.
// Rows are []any in table schema order (partition columns included), with
// values as Snapshot.Rows yields them: int64 (long), int32 (integer), int16,
// int8, float32, float64, bool, string, []byte, parquetrows.Date,
// time.Time (timestamp), parquetrows.Decimal; nil for null.
//
// Files are encoded as the table's EncodingsProperty says; with the
// default, EncodingsCompatible, each file picks PLAIN or a dictionary per
// column from its first rows (see dictionaryPays).
type FileWriter struct {
	table     *Table
	schema    *StructType
	partCols  []string
	dataCols  []int // indexes of non-partition columns in schema order
	leafPos   []int // for each parquet leaf column (in parquet order), its index in dataCols
	encodings string
	fixed     *parquet.Schema // the schema of every file with EncodingsDelta; nil otherwise
	noBounds  []string        // columns whose pages and chunks get no min and max
}

// SkipBounds leaves the Parquet min and max (page index and column chunk
// statistics) out for the named columns: text no reader filters on, such
// as a record's raw line, whose bounds cost a comparison of every value.
// The file's data page headers then carry no statistics for any column
// (parquet-go sets them for every column or none; readers use the page
// index, which keeps the bounds of the other columns). The Delta
// statistics are unchanged.
func (fw *FileWriter) SkipBounds(columns ...string) { fw.noBounds = append(fw.noBounds, columns...) }

// NewFileWriter prepares writing data files for a table schema, with the
// default encodings (EncodingsCompatible). Only primitive and decimal
// columns can be written.
func NewFileWriter(t *Table, schema *StructType, partitionColumns []string) (*FileWriter, error) {
	return newFileWriter(t, schema, partitionColumns, EncodingsCompatible)
}

// NewFileWriterFor prepares writing data files for a snapshot's table: its
// schema, partition columns and EncodingsProperty.
func NewFileWriterFor(snap *Snapshot) (*FileWriter, error) {
	enc, err := TableEncodings(snap.Metadata().Configuration)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", snap.Table().URI(), err)
	}
	return newFileWriter(snap.Table(), snap.Schema(), snap.PartitionColumns(), enc)
}

func newFileWriter(t *Table, schema *StructType, partitionColumns []string, encodings string) (*FileWriter, error) {
	fw := &FileWriter{table: t, schema: schema, partCols: partitionColumns, encodings: encodings}
	isPart := map[string]bool{}
	for _, p := range partitionColumns {
		isPart[p] = true
	}
	for i, f := range schema.Fields {
		if !isPart[f.Name] {
			fw.dataCols = append(fw.dataCols, i)
		}
	}
	plain, err := fw.fileSchema(func(int) columnEncoding { return encodePlain })
	if err != nil {
		return nil, err
	}
	fw.leafPos = make([]int, len(fw.dataCols))
	for leaf, path := range plain.Columns() {
		for j, ci := range fw.dataCols {
			if schema.Fields[ci].Name == path[0] {
				fw.leafPos[leaf] = j
			}
		}
	}
	if encodings == EncodingsDelta {
		if fw.fixed, err = fw.fileSchema(func(int) columnEncoding { return encodeDelta }); err != nil {
			return nil, err
		}
	}
	return fw, nil
}

// fileSchema builds the Parquet schema of a data file; enc gives the
// encoding of each data column (by index in dataCols).
func (fw *FileWriter) fileSchema(enc func(j int) columnEncoding) (*parquet.Schema, error) {
	group := parquet.Group{}
	for j, ci := range fw.dataCols {
		f := fw.schema.Fields[ci]
		node, err := parquetNode(f.Type, enc(j))
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
		if f.Nullable {
			node = parquet.Optional(node)
		}
		group[f.Name] = node
	}
	return parquet.NewSchema("spark_schema", OrderedGroup{Group: group, Order: dataNames(fw.schema, fw.dataCols)}), nil
}

// WriteFile writes rows that all share the given partition values as one
// Parquet file and returns its add action (not yet committed).
func (fw *FileWriter) WriteFile(ctx context.Context, partition map[string]*string, rows [][]any) (*Add, error) {
	pf := fw.Open(ctx, partition)
	for _, r := range rows {
		if err := pf.Write(r); err != nil {
			pf.Abort()
			return nil, err
		}
	}
	return pf.Close(ctx)
}

// PartitionFile is a data file being written row by row. Its Parquet bytes
// stream to the store as they are encoded (through a pipe into Put), so
// memory holds one row group, not the file; the file is complete on Close.
type PartitionFile struct {
	fw        *FileWriter
	partition map[string]*string
	rel       string // path relative to the table root
	pw        *io.PipeWriter
	size      int64      // bytes encoded so far
	putDone   chan error // the result of the Put
	closed    bool
	w         *parquet.Writer // nil until the first rows are encoded (start)
	batch     []parquet.Row
	stats     []*columnStats
	rows      int64
	boxed     bool            // rows came through Write
	cstats    []cellStats     // statistics when rows come as cells
	pending   *cellBatch      // buffered rows of cells, column-major; nil until needed
	enc       cellEncoder     // encodes full batches of cells on its own goroutine
	groupRows int             // rows in the current row group (cells path)
	groupMax  atomic.Int64    // the most rows of a row group (cells path); 0 for rowGroupRows
	dict      []bool          // by leaf: the column is dictionary-encoded (set by start)
	colVals   []parquet.Value // one column of a batch, reused
}

// Open starts a data file for rows of one partition.
func (fw *FileWriter) Open(ctx context.Context, partition map[string]*string) *PartitionFile {
	pf := &PartitionFile{fw: fw, partition: partition, batch: make([]parquet.Row, 0, 1024), putDone: make(chan error, 1)}
	pf.rel = PartitionDir(fw.partCols, partition) + fmt.Sprintf("part-00000-%s.c000.snappy.parquet", newUUID())
	pr, pw := io.Pipe()
	pf.pw = pw
	go func() {
		err := fw.table.store.Put(ctx, fw.table.key(pf.rel), pr)
		if err == nil {
			err = errors.New("stored before the file was complete")
			if _, rerr := pr.Read(make([]byte, 1)); rerr == io.EOF {
				err = nil
			}
		}
		pr.CloseWithError(fmt.Errorf("write data file: %w", errOr(err, io.ErrClosedPipe)))
		pf.putDone <- err
	}()
	pf.stats = make([]*columnStats, len(fw.dataCols))
	for j, ci := range fw.dataCols {
		pf.stats[j] = &columnStats{name: fw.schema.Fields[ci].Name, typ: fw.schema.Fields[ci].Type}
	}
	return pf
}

// Rows is the number of rows written so far.
func (pf *PartitionFile) Rows() int64 { return pf.rows }

// Write adds one row (schema order, partition columns included and ignored).
func (pf *PartitionFile) Write(r []any) error {
	fw := pf.fw
	if len(r) != len(fw.schema.Fields) {
		return fmt.Errorf("row %d has %d values, the schema %d columns", pf.rows, len(r), len(fw.schema.Fields))
	}
	prow := make(parquet.Row, len(fw.leafPos))
	for leaf, j := range fw.leafPos {
		f := fw.schema.Fields[fw.dataCols[j]]
		v := r[fw.dataCols[j]]
		if v == nil && !f.Nullable {
			return fmt.Errorf("row %d: column %s is not nullable", pf.rows, f.Name)
		}
		pv, err := parquetValue(v, f.Type)
		if err != nil {
			return fmt.Errorf("row %d: column %s: %w", pf.rows, f.Name, err)
		}
		def := 0
		if v != nil && f.Nullable {
			def = 1
		}
		prow[leaf] = pv.Level(0, def, leaf)
	}
	for j := range fw.dataCols {
		pf.stats[j].observe(r[fw.dataCols[j]])
	}
	pf.batch = append(pf.batch, prow)
	pf.rows++
	pf.boxed = true
	if len(pf.batch) == cap(pf.batch) {
		return pf.flush()
	}
	return nil
}

func (pf *PartitionFile) flush() error {
	if len(pf.batch) == 0 {
		return nil
	}
	if pf.w == nil {
		if err := pf.start(pf.rowEncodings()); err != nil {
			return err
		}
	}
	before := int((pf.rows - int64(len(pf.batch))) % rowGroupRows)
	if _, err := pf.w.WriteRows(pf.batch); err != nil {
		return fmt.Errorf("encode parquet: %w", err)
	}
	if err := pf.endDictionaryPages(before, before+len(pf.batch), rowGroupRows); err != nil {
		return err
	}
	pf.batch = pf.batch[:0]
	return nil
}

// Close encodes the file, stores it under the table and returns its add
// action (not yet committed).
func (pf *PartitionFile) Close(ctx context.Context) (*Add, error) {
	if pf.closed {
		return nil, errors.New("data file already closed")
	}
	if err := pf.flush(); err != nil {
		pf.Abort()
		return nil, err
	}
	if err := pf.finishCells(); err != nil {
		pf.Abort()
		return nil, err
	}
	if pf.w == nil { // no rows
		if err := pf.start(func(int) columnEncoding { return encodePlain }); err != nil {
			pf.Abort()
			return nil, err
		}
	}
	if err := pf.w.Close(); err != nil {
		pf.Abort()
		return nil, fmt.Errorf("encode parquet: %w", err)
	}
	pf.closed = true
	pf.pw.Close()
	if err := <-pf.putDone; err != nil {
		return nil, fmt.Errorf("write data file: %w", err)
	}
	stats := pf.stats
	if pf.cstats != nil {
		if pf.boxed {
			return nil, fmt.Errorf("a data file cannot mix Write and WriteCells")
		}
		stats = pf.cellColumnStats()
	}
	statsJSON, err := encodeStats(pf.rows, stats)
	if err != nil {
		return nil, err
	}
	fw := pf.fw
	pv := map[string]*string{}
	for _, c := range fw.partCols {
		pv[c] = pf.partition[c]
	}
	return &Add{Path: encodePath(pf.rel), PartitionValues: pv, Size: pf.size,
		ModificationTime: time.Now().UnixMilli(), DataChange: true, Stats: statsJSON}, nil
}

// start creates the file's Parquet writer; enc gives the encoding of each
// data column (by index in dataCols) when the table's encodings leave the
// choice to the file.
func (pf *PartitionFile) start(enc func(j int) columnEncoding) error {
	fw := pf.fw
	schema := fw.fixed
	opts := []parquet.WriterOption{parquet.Compression(fastSnappy{}), parquet.MaxRowsPerRowGroup(rowGroupRows), parquet.PageBufferSize(pageBufferBytes)}
	if schema == nil {
		var err error
		if schema, err = fw.fileSchema(enc); err != nil {
			return err
		}
		opts = append(opts, parquet.DataPageVersion(1), parquet.DictionaryMaxBytes(dictionaryMaxBytes))
	}
	for _, c := range fw.noBounds {
		opts = append(opts, parquet.SkipPageBounds(c))
	}
	if len(fw.noBounds) > 0 {
		opts = append(opts, parquet.DataPageStatistics(false))
	}
	pf.w = parquet.NewWriter(countingWriter{pf}, append(opts, schema)...)
	pf.dict = make([]bool, len(fw.leafPos))
	for leaf, f := range schema.Fields() {
		pf.dict[leaf] = f.Encoding() != nil && f.Encoding().Encoding() == format.RLEDictionary
	}
	return nil
}

// dictionaryPageRows is how many rows of a row group a dictionary-encoded
// column puts in one page. parquet-go checks a dictionary's size when a
// page ends and, once it outgrows dictionaryMaxBytes, writes the rest of
// the row group PLAIN; the index pages of a whole row group would fit in
// one page, so they are ended early for the check to happen.
const dictionaryPageRows = 8192

// endDictionaryPages ends the pages of the dictionary-encoded columns when
// a write took the row group from before to after rows across a multiple
// of dictionaryPageRows (a write that ends the row group, at groupMax rows,
// needs nothing).
func (pf *PartitionFile) endDictionaryPages(before, after, groupMax int) error {
	if before/dictionaryPageRows == after/dictionaryPageRows || after >= groupMax {
		return nil
	}
	cols := pf.w.ColumnWriters()
	for leaf, d := range pf.dict {
		if d {
			if err := cols[leaf].Flush(); err != nil {
				return fmt.Errorf("encode parquet: %w", err)
			}
		}
	}
	return nil
}

// rowEncodings picks each column's encoding from the rows of the first
// batch written with Write.
func (pf *PartitionFile) rowEncodings() func(j int) columnEncoding {
	fw := pf.fw
	choice := make([]columnEncoding, len(fw.dataCols))
	vals := make([]string, len(pf.batch))
	nulls := make([]bool, len(pf.batch))
	for leaf, j := range fw.leafPos {
		for r, row := range pf.batch {
			nulls[r] = row[leaf].IsNull()
			vals[r] = string(row[leaf].Bytes())
		}
		if dictionaryPays(sampleStrings(vals, nulls)) {
			choice[j] = encodeDictionary
		}
	}
	return func(j int) columnEncoding { return choice[j] }
}

// rowGroupRows bounds the rows buffered per row group while writing.
const rowGroupRows = 32 * 1024

// DeleteFile removes an uncommitted data file (cleanup after a failed commit).
func (t *Table) DeleteFile(ctx context.Context, a *Add) error {
	key, err := t.DataKey(a.Path)
	if err != nil {
		return err
	}
	return t.store.Delete(ctx, key)
}

// errAborted ends the Put of a data file that will not be completed.
var errAborted = errors.New("data file abandoned")

// Abort abandons the file: its Put fails and stores nothing.
func (pf *PartitionFile) Abort() {
	if pf.closed {
		return
	}
	pf.closed = true
	pf.pw.CloseWithError(errAborted) // unblocks an encoder writing into the pipe
	pf.enc.stop()
	<-pf.putDone
}

// countingWriter writes into the pipe and counts bytes.
type countingWriter struct{ pf *PartitionFile }

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.pf.pw.Write(p)
	c.pf.size += int64(n)
	return n, err
}

func errOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// OrderedGroup is a Parquet group whose columns keep the given order (Order
// names every field once); a plain parquet.Group sorts columns by name.
type OrderedGroup struct {
	parquet.Group
	Order []string
}

// Fields returns the group's fields in Order.
func (g OrderedGroup) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	out := make([]parquet.Field, len(g.Order))
	for i, n := range g.Order {
		out[i] = byName[n]
	}
	return out
}

func dataNames(schema *StructType, cols []int) []string {
	out := make([]string, len(cols))
	for i, ci := range cols {
		out[i] = schema.Fields[ci].Name
	}
	return out
}
