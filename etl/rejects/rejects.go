// Package rejects keeps the rejected rows of every dataset in a Delta table
// per dataset (<lake>/rejected/<dataset>): file, line, raw record text, all
// reason codes, run id and time, and whether it is still open: a later
// reprocess resolves it, a later load of another version of its file
// replaces it. Rows are never deleted; closing one rewrites its file with
// the row marked.
package rejects

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// Statuses of a rejected row.
const (
	StatusOpen     = "open"
	StatusResolved = "resolved" // a reprocess loaded the row, corrected
	StatusReplaced = "replaced" // a later version of its file was loaded
)

// Row is one rejected row.
type Row struct {
	RunID         string
	RejectedAt    time.Time
	File          string
	FileIdentity  string
	Line          int64
	Raw           string // the record's text; invalid UTF-8 bytes as \xNN when RawEscaped
	RawEscaped    bool
	Reasons       []string
	Status        string
	ResolvedRunID string
	ResolvedAt    time.Time
	Header        string // the file's header line, to re-read Raw by column name
}

// RawBytes returns the record's original bytes.
func (r Row) RawBytes() []byte {
	if !r.RawEscaped {
		return []byte(r.Raw)
	}
	return unescape(r.Raw)
}

func unescape(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			if s[i+1] == '\\' {
				out = append(out, '\\')
				i++
				continue
			}
			if s[i+1] == 'x' && i+3 < len(s) {
				var b byte
				if _, err := fmt.Sscanf(s[i+2:i+4], "%02x", &b); err == nil {
					out = append(out, b)
					i += 3
					continue
				}
			}
		}
		out = append(out, s[i])
	}
	return out
}

// NewRow makes an open rejected row from a raw record.
func NewRow(runID string, at time.Time, file, identity, header string, line int64, raw []byte, reasons []string) Row {
	text, escaped := dataset.EscapeRaw(raw)
	return Row{RunID: runID, RejectedAt: at, File: file, FileIdentity: identity, Line: line, Raw: text,
		RawEscaped: escaped, Reasons: append([]string(nil), reasons...), Status: StatusOpen, Header: header}
}

// Schema is the rejects tables' schema.
func Schema() *delta.StructType {
	str := delta.Primitive(delta.TypeString)
	ts := delta.Primitive(delta.TypeTimestamp)
	return &delta.StructType{Fields: []delta.StructField{
		{Name: "run_id", Type: str}, {Name: "rejected_at", Type: ts}, {Name: "file", Type: str},
		{Name: "file_identity", Type: str}, {Name: "line", Type: delta.Primitive(delta.TypeLong)},
		{Name: "raw", Type: str}, {Name: "raw_escaped", Type: delta.Primitive(delta.TypeBoolean)},
		{Name: "reasons", Type: str}, {Name: "status", Type: str},
		{Name: "resolved_run_id", Type: str, Nullable: true}, {Name: "resolved_at", Type: ts, Nullable: true},
		{Name: "header", Type: str},
	}}
}

// toCells fills cells (one per schema column) with a row, for the unboxed
// write path.
func toCells(r Row, cells []delta.Cell) {
	str := func(s string) delta.Cell { return delta.Cell{S: s} }
	cells[0], cells[1], cells[2], cells[3] = str(r.RunID), delta.Cell{I: r.RejectedAt.UnixMicro()}, str(r.File), str(r.FileIdentity)
	cells[4], cells[5], cells[6] = delta.Cell{I: r.Line}, str(r.Raw), delta.Cell{}
	if r.RawEscaped {
		cells[6].I = 1
	}
	cells[7], cells[8] = str(dataset.JoinReasons(r.Reasons)), str(r.Status)
	cells[9], cells[10] = delta.Cell{Null: true}, delta.Cell{Null: true}
	if r.ResolvedRunID != "" {
		cells[9] = str(r.ResolvedRunID)
	}
	if !r.ResolvedAt.IsZero() {
		cells[10] = delta.Cell{I: r.ResolvedAt.UnixMicro()}
	}
	cells[11] = str(r.Header)
}

func fromRow(v []any) Row {
	s := func(i int) string { x, _ := v[i].(string); return x }
	t := func(i int) time.Time { x, _ := v[i].(time.Time); return x }
	line, _ := v[4].(int64)
	esc, _ := v[6].(bool)
	return Row{RunID: s(0), RejectedAt: t(1), File: s(2), FileIdentity: s(3), Line: line, Raw: s(5), RawEscaped: esc,
		Reasons: dataset.SplitReasons(s(7)), Status: s(8), ResolvedRunID: s(9), ResolvedAt: t(10), Header: s(11)}
}

// txnID is the idempotent-writer id that marks a file's rejects as written.
func txnID(identity string) string { return "lakeops-rejects:" + identity }

// Written reports which of the file identities already have their rejects in the table.
func Written(ctx context.Context, l *lake.Lake, ds string, identities []string) (map[string]bool, error) {
	snap, err := l.Rejected(ds).Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, id := range identities {
		if _, ok := snap.State().TxnVersion(txnID(id)); ok {
			out[id] = true
		}
	}
	return out, nil
}

// Append writes the rejected rows of some files in one commit, marking each
// file identity as written (files already marked are left out, so a re-run
// never duplicates rejects). identities lists every file the commit covers,
// including files without rejected rows.
func Append(ctx context.Context, l *lake.Lake, ds string, identities []string, rows []Row) error {
	return AppendSeq(ctx, l, ds, identities, slices.Values(rows))
}

// AppendSeq is Append of the rows a sequence yields, made as they are
// written rather than held all at once (the sequence may be ranged over
// more than once).
func AppendSeq(ctx context.Context, l *lake.Lake, ds string, identities []string, rows iter.Seq[Row]) error {
	p, err := Prepare(ctx, l, ds, identities, rows)
	if err != nil {
		return err
	}
	return p.Commit(ctx)
}

// Prepared is an append whose data file is written but not committed: a
// run writes its rejects while its MERGE commits, and commits them after.
type Prepared struct {
	l          *lake.Lake
	ds         string
	identities []string
	rows       iter.Seq[Row]
	snap       *delta.Snapshot
	fresh      map[string]bool // the identities the file covers
	add        *delta.Add      // nil when no fresh file has a rejected row
	n          int
	done       bool // committed or aborted
}

// Prepare writes the data file of an append (AppendSeq) without committing
// it. Commit or Abort must follow.
func Prepare(ctx context.Context, l *lake.Lake, ds string, identities []string, rows iter.Seq[Row]) (*Prepared, error) {
	if err := l.CheckWritable("write rejected rows"); err != nil {
		return nil, err
	}
	p := &Prepared{l: l, ds: ds, identities: identities, rows: rows}
	if err := p.write(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// write reads the table's snapshot, notes the fresh identities and writes
// their rows into a data file.
func (p *Prepared) write(ctx context.Context) error {
	t := p.l.Rejected(p.ds)
	snap, err := lake.OpenOrCreate(ctx, t, delta.CreateOptions{Schema: Schema(), Name: "rejected_" + p.ds})
	if err != nil {
		return fmt.Errorf("open rejects of %s: %w", p.ds, err)
	}
	p.snap, p.fresh, p.add, p.n = snap, freshIn(snap, p.identities), nil, 0
	if len(p.fresh) == 0 {
		return nil
	}
	add, n, err := writeRows(ctx, t, snap, p.rows, p.fresh)
	if err != nil {
		return fmt.Errorf("write rejects of %s: %w", p.ds, err)
	}
	p.add, p.n = add, n
	return nil
}

// freshIn returns the identities whose rejects the snapshot does not hold.
func freshIn(snap *delta.Snapshot, identities []string) map[string]bool {
	fresh := map[string]bool{}
	for _, id := range identities {
		if _, done := snap.State().TxnVersion(txnID(id)); !done {
			fresh[id] = true
		}
	}
	return fresh
}

// Commit commits the prepared file, marking each fresh identity as written.
// When another writer marked one of them first, the file is dropped and the
// rows are written again for the identities still fresh.
func (p *Prepared) Commit(ctx context.Context) error {
	if p.done {
		return errors.New("rejects: append already committed or aborted")
	}
	p.done = true
	for attempt := 0; ; attempt++ {
		if len(p.fresh) == 0 {
			return nil
		}
		tx := p.snap.NewTransaction()
		for _, id := range p.identities {
			if p.fresh[id] {
				tx.SetTxn(txnID(id), 1)
			}
		}
		if p.add != nil {
			tx.Add(p.add)
		}
		_, err := tx.Commit(ctx, delta.Operation{Name: "WRITE", Parameters: map[string]string{"mode": "Append"},
			Metrics: map[string]string{"numOutputRows": fmt.Sprint(p.n)}})
		var ce *delta.ConflictError
		var cpe *delta.CheckpointError
		switch {
		case err == nil || errors.As(err, &cpe):
			return nil
		case errors.As(err, &ce) && attempt < 5:
			// another writer marked one of our files concurrently: re-check
			p.drop(ctx)
			if err := p.write(ctx); err != nil {
				return err
			}
		default:
			p.drop(ctx)
			return fmt.Errorf("commit rejects of %s: %w", p.ds, err)
		}
	}
}

// Abort drops the prepared file.
func (p *Prepared) Abort(ctx context.Context) {
	if !p.done {
		p.done = true
		p.drop(ctx)
	}
}

// drop deletes the uncommitted data file.
func (p *Prepared) drop(ctx context.Context) {
	if p.add != nil {
		_ = p.l.Rejected(p.ds).DeleteFile(context.WithoutCancel(ctx), p.add)
		p.add = nil
	}
}

// writeRows writes the rows of fresh files into one data file of the
// table; nil when there are none.
func writeRows(ctx context.Context, t *delta.Table, snap *delta.Snapshot, rows iter.Seq[Row], fresh map[string]bool) (*delta.Add, int, error) {
	fw, err := delta.NewFileWriterFor(snap)
	if err != nil {
		return nil, 0, err
	}
	fw.SkipBounds(textColumns()...)
	return writeFile(ctx, fw, rows, func(r Row) bool { return fresh[r.FileIdentity] }, false)
}

// rejectsGroupRows bounds a rejects file's row groups: a rejected row
// carries its whole line, its file and the file's header, and a row group
// is held in memory until it is written.
const rejectsGroupRows = 8 * 1024

// openFile opens a rejects data file.
func openFile(ctx context.Context, fw *delta.FileWriter) *delta.PartitionFile {
	pf := fw.Open(ctx, nil)
	pf.LimitRowGroups(rejectsGroupRows)
	return pf
}

// textColumns are the rejects' string columns. Their Parquet files keep no
// min and max of them, which would cost a comparison of every value of
// long, mostly equal strings (the run, the file, its header); the Delta
// statistics, which engines use to skip files, keep them.
func textColumns() []string {
	var out []string
	for _, f := range Schema().Fields {
		if f.Type.String() == delta.TypeString {
			out = append(out, f.Name)
		}
	}
	return out
}

// writeFile writes the rows keep selects into a new data file, row by row
// through the unboxed cell path, in one pass over rows, and returns how
// many it wrote. When keep selects none it writes an empty file if always
// is set, else none (nil).
func writeFile(ctx context.Context, fw *delta.FileWriter, rows iter.Seq[Row], keep func(Row) bool, always bool) (*delta.Add, int, error) {
	var pf *delta.PartitionFile
	if always {
		pf = openFile(ctx, fw)
	}
	cells := make([]delta.Cell, len(Schema().Fields))
	n := 0
	for r := range rows {
		if !keep(r) {
			continue
		}
		if pf == nil {
			pf = openFile(ctx, fw)
		}
		toCells(r, cells)
		if err := pf.WriteCells(cells); err != nil {
			pf.Abort()
			return nil, 0, err
		}
		n++
	}
	if pf == nil {
		return nil, 0, nil
	}
	add, err := pf.Close(ctx)
	return add, n, err
}

// Filter selects rejected rows.
type Filter struct {
	File   string // exact file key, or "" for all
	Reason string // a reason code the row must have, or "" for all
	Open   bool   // only open rows (neither resolved nor replaced)
}

func (f Filter) match(r Row) bool {
	if f.File != "" && r.File != f.File {
		return false
	}
	if f.Open && r.Status != StatusOpen {
		return false
	}
	if f.Reason != "" {
		for _, c := range r.Reasons {
			if c == f.Reason {
				return true
			}
		}
		return false
	}
	return true
}

// Read returns the rejected rows of a dataset that match the filter, in file and line order.
func Read(ctx context.Context, l *lake.Lake, ds string, f Filter) ([]Row, error) {
	snap, err := l.Rejected(ds).Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Row
	for v, err := range snap.Rows(ctx) {
		if err != nil {
			return nil, err
		}
		if r := fromRow(v); f.match(r) {
			out = append(out, r)
		}
	}
	sortRows(out)
	return out, nil
}
