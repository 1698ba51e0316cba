package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// Preview is the first records of a raw file, each checked against the
// row rules of its dataset (no dedup, no references).
type Preview struct {
	Key      string
	Dataset  string
	Columns  []string   // line, the dataset's columns, reasons
	Rows     [][]string // raw cells, one row per record
	Bad      [][]bool   // per row and column: the cell breaks a rule
	Problems int        // rows that break a rule
	Warnings []string   // from the header (extra columns ignored, …)
}

// Preview reads up to records records of the raw file key through the
// pipeline's reader (so the decompressed-size guard and the field limits
// apply as in a run) and checks each against the row rules.
func (o *Ops) Preview(ctx context.Context, key string, records int) (*Preview, error) {
	p, err := o.preview(ctx, key, records)
	if err != nil {
		return nil, fmt.Errorf("preview %s: %w", key, err)
	}
	return p, nil
}

func (o *Ops) preview(ctx context.Context, key string, records int) (*Preview, error) {
	ds, ok := dataset.Detect(key)
	if !ok {
		return nil, errors.New("cannot tell the dataset from the file or folder name")
	}
	r, err := pipeline.OpenRaw(ctx, o.lake.Store, key, o.limits)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	hdr, err := r.Next()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: no header")
	}
	if err != nil {
		return nil, err
	}
	if hdr.Err != nil {
		return nil, fmt.Errorf("the header is not valid CSV: %w", hdr.Err)
	}
	m, err := ds.MapHeader(hdr.Fields)
	if err != nil {
		return nil, err
	}
	p := &Preview{Key: key, Dataset: ds.Name, Warnings: m.Warnings}
	p.Columns = append(p.Columns, "line")
	for _, c := range ds.Columns {
		p.Columns = append(p.Columns, c.Name)
	}
	p.Columns = append(p.Columns, "reasons")
	vals := make([]dataset.Value, len(ds.Columns))
	for len(p.Rows) < records {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		chk := check(m, rec, vals)
		row := append(append([]string{fmt.Sprint(chk.Line)}, chk.Cells...), strings.Join(chk.Reasons, " "))
		bad := append(append([]bool{false}, chk.Bad...), len(chk.Reasons) > 0)
		if chk.Raw != "" && chk.Cells[0] == "" {
			row[1] = chk.Raw // a record that could not be split: show its text
		}
		if len(chk.Reasons) > 0 {
			p.Problems++
		}
		p.Rows = append(p.Rows, row)
		p.Bad = append(p.Bad, bad)
	}
	return p, nil
}

// Validate dry-runs the pipeline on raw files of the lake (keys):
// everything is checked, nothing is written.
func (o *Ops) Validate(ctx context.Context, keys ...string) (*Summary, error) {
	sum, err := pipeline.Run(ctx, o.lake, pipeline.Options{DryRun: true, Files: keys, Limits: o.limits})
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", strings.Join(keys, ", "), err)
	}
	return sum, nil
}

// ValidateLocal dry-runs the pipeline on files on disk, where they are
// (checked against the lake's current tables).
func (o *Ops) ValidateLocal(ctx context.Context, paths ...string) (*Summary, error) {
	root, err := folder.New("/")
	if err != nil {
		return nil, err
	}
	opts := pipeline.Options{DryRun: true, Source: root, Limits: o.limits}
	files, err := localRawFiles(paths)
	if err != nil {
		return nil, err
	}
	for _, p := range files {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		opts.Files = append(opts.Files, strings.TrimPrefix(filepath.ToSlash(abs), "/"))
	}
	sum, err := pipeline.Run(ctx, o.lake, opts)
	if sum != nil { // name the files as paths again, not keys under "/"
		for i := range sum.Files {
			if f := &sum.Files[i]; !strings.HasPrefix(f.File, "/") {
				f.File = "/" + f.File
			}
		}
	}
	return sum, err
}

// localRawFiles resolves paths on disk as RawFilesOf resolves keys: a
// folder stands for the raw files under it, every level (in name order),
// and a folder holding none is an error naming it; a file stays.
func localRawFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			out = append(out, p)
			continue
		}
		n := len(out)
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && dataset.IsRawFile(path) {
				out = append(out, path)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", p, err)
		}
		if len(out) == n {
			return nil, fmt.Errorf("%s: no raw file (.csv, .csv.gz) there or under it", p)
		}
	}
	return out, nil
}

// RunRequest is a pipeline run in the foreground (the CLI's run).
type RunRequest struct {
	Files    []string // raw file keys; empty: every new raw file
	Force    bool
	Recheck  bool // with Force: check every row even of files unchanged since their load
	Progress Progress
}

// Run runs the pipeline in the foreground.
func (o *Ops) Run(ctx context.Context, req RunRequest) (*Summary, error) {
	return pipeline.Run(ctx, o.lake, pipeline.Options{Files: req.Files, Force: req.Force, Recheck: req.Recheck, Progress: req.Progress,
		Limits: o.limits})
}

// Reprocess re-checks open rejected rows in the foreground.
func (o *Ops) Reprocess(ctx context.Context, opts ReprocessOptions) ([]ReprocessResult, error) {
	return pipeline.Reprocess(ctx, o.lake, opts)
}

// Submit queues a background job and returns its id.
func (o *Ops) Submit(spec JobSpec) (int, error) {
	if o.jobs == nil {
		return 0, errors.New("no background jobs here")
	}
	spec.Limits = o.limits
	return o.jobs.Submit(spec), nil
}

// Cancel cancels a queued or running job; it reports whether it did.
func (o *Ops) Cancel(id int) bool { return o.jobs != nil && o.jobs.Cancel(id) }

// Datasets are the datasets' names, in load order.
func Datasets() []string {
	var out []string
	for _, d := range dataset.All() {
		out = append(out, d.Name)
	}
	return out
}

// DatasetNames checks a dataset name: all of them for "", else that one;
// an unknown one is an error naming the nearest.
func DatasetNames(name string) ([]string, error) {
	if name == "" {
		return Datasets(), nil
	}
	if _, err := dataset.ByName(name); err != nil {
		if near := textfmt.Nearest(name, Datasets(), 2); near != "" {
			return nil, fmt.Errorf("%w; did you mean %q?", err, near)
		}
		return nil, err
	}
	return []string{name}, nil
}

// ReasonCodes are the reason codes rows of the named datasets can be
// rejected with, each once, in dataset order (dataset.ReasonCodes).
func ReasonCodes(datasets []string) []string {
	var codes []string
	for _, name := range datasets {
		d, err := dataset.ByName(name)
		if err != nil {
			continue
		}
		for _, c := range d.ReasonCodes() {
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
	}
	return codes
}

// CheckReason refuses a reason code that no row of the datasets can have
// ("" passes): the error names the nearest code, when one is close, and
// the known ones.
func CheckReason(reason string, datasets []string) error {
	codes := ReasonCodes(datasets)
	if reason == "" || slices.Contains(codes, reason) {
		return nil
	}
	near := ""
	if n := textfmt.Nearest(reason, codes, 3); n != "" {
		near = fmt.Sprintf(" (did you mean %q?)", n)
	}
	return fmt.Errorf("unknown reason code %q for %s%s: the codes are %s", reason, strings.Join(datasets, ", "), near, strings.Join(codes, ", "))
}
