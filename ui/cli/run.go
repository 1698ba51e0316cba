package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// errFilesFailed marks a run in which a file failed (exit status 1, no extra message).
var errFilesFailed = errors.New("one or more files failed")

func runRun(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the run summary as JSON on stdout")
	force := fs.Bool("force", false, "re-run files the ingest log records as ingested")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	lim := limitFlags(fs)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	o, err := openOps(ctx, g)
	if err != nil {
		return err
	}
	keys := make([]string, len(files))
	for i, f := range files {
		keys[i] = lakeKey(g, f)
	}
	req := ops.RunRequest{Files: keys, Force: *force}
	if !*quiet {
		req.Progress = newProgressPrinter(env.Stderr).event
	}
	sum, err := o.WithLimits(lim()).Run(ctx, req)
	if sum != nil {
		if perr := printSummary(env.Stdout, sum, *asJSON); perr != nil {
			return perr
		}
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("run %s cancelled", sum.RunID)
	}
	if sum.Failed() {
		return errFilesFailed
	}
	return nil
}

func runValidate(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the summary as JSON on stdout")
	lim := limitFlags(fs)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("validate needs at least one FILE")
	}
	o, err := openOps(ctx, g)
	if err != nil {
		return err
	}
	o = o.WithLimits(lim())
	// Files on disk are validated where they are; other names are lake keys.
	var local, keys []string
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			local = append(local, f)
		} else {
			keys = append(keys, lakeKey(g, f))
		}
	}
	if len(local) > 0 && len(keys) > 0 {
		return usagef("validate: give either files on disk or lake keys, not both")
	}
	var sum *pipeline.Summary
	if len(local) > 0 {
		sum, err = o.ValidateLocal(ctx, local...)
	} else {
		sum, err = o.Validate(ctx, keys...)
	}
	if err != nil {
		return err
	}
	if err := printSummary(env.Stdout, sum, *asJSON); err != nil {
		return err
	}
	if sum.Failed() {
		return errFilesFailed
	}
	return nil
}

func printSummary(w io.Writer, sum *pipeline.Summary, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "FILE\tDATASET\tSTATUS\tREAD\tACCEPTED\tREJECTED\tINSERTED\tUPDATED\tUNCHANGED\t")
	for _, f := range sum.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", textfmt.Sanitize(f.File), f.Dataset, f.Status,
			f.RowsRead, f.Accepted, f.Rejected, f.Inserted, f.Updated, f.Unchanged)
	}
	t := sum.Totals
	fmt.Fprintf(tw, "TOTAL\t\t\t%d\t%d\t%d\t%d\t%d\t%d\t\n", t.RowsRead, t.Accepted, t.Rejected, t.Inserted, t.Updated, t.Unchanged)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(t.RejectedByReason) > 0 {
		codes := make([]string, 0, len(t.RejectedByReason))
		for c := range t.RejectedByReason {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		fmt.Fprintln(w, "\nrejected by reason:")
		for _, c := range codes {
			fmt.Fprintf(w, "  %-32s %d\n", c, t.RejectedByReason[c])
		}
	}
	for _, f := range sum.Files {
		if f.Error != "" {
			fmt.Fprintf(w, "\n%s: %s: %s", f.Status, textfmt.Sanitize(f.File), textfmt.Sanitize(f.Error))
		}
	}
	fmt.Fprintf(w, "\nrun %s\n", sum.RunID)
	return nil
}

// progressPrinter writes progress lines to stderr: at most one a second
// per file and stage, plus one line when each file is done.
type progressPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	last map[string]time.Time
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, last: map[string]time.Time{}}
}

func (p *progressPrinter) event(e pipeline.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	name := textfmt.Sanitize(e.File)
	switch {
	case e.Stage == pipeline.StageQueued && e.Message == "": // every file is announced at the start
		return
	case e.Message != "":
		fmt.Fprintf(p.w, "%s: %s\n", name, textfmt.Sanitize(e.Message))
	case e.Stage == pipeline.StageDone && e.Result != nil:
		r := e.Result
		msg := fmt.Sprintf("%s: %s: %s read, %s accepted, %s rejected", name, r.Status, textfmt.Count(r.RowsRead), textfmt.Count(r.Accepted), textfmt.Count(r.Rejected))
		if r.Error != "" {
			msg += ": " + textfmt.Sanitize(r.Error)
		}
		fmt.Fprintln(p.w, msg)
	default:
		k := name + "\x00" + string(e.Stage)
		if time.Since(p.last[k]) < time.Second {
			return
		}
		p.last[k] = time.Now()
		pct := ""
		if e.BytesTotal > 0 {
			pct = fmt.Sprintf(" %3.0f%%", 100*float64(e.BytesRead)/float64(e.BytesTotal))
		}
		eta := ""
		if e.ETA > 0 {
			eta = " ETA " + textfmt.Duration(e.ETA)
		}
		rejected := fmt.Sprintf(" (%s rejected)", textfmt.Count(e.Rejected))
		if e.Stage == pipeline.StageScan { // the key scan checks no rules
			rejected = ""
		}
		fmt.Fprintf(p.w, "%s: %s%s %s%s %s rows/s%s\n", name, e.Stage, pct, textfmt.Rows(e.Rows), rejected, textfmt.Count(int64(e.RowsPerSec)), eta)
	}
}

// limitFlags adds the raw-file limits to a command's flags.
func limitFlags(fs *flag.FlagSet) func() pipeline.Limits {
	field := fs.Int("max-field-bytes", 0, "longest CSV field; a longer one makes its row malformed (default 1 MiB)")
	record := fs.Int("max-record-bytes", 0, "longest CSV record (default 4 MiB)")
	unzipped := fs.Int64("max-decompressed-bytes", 0, "largest decompressed .csv.gz; beyond it the file fails (default 16 GiB)")
	return func() pipeline.Limits {
		return pipeline.Limits{MaxFieldBytes: *field, MaxRecordBytes: *record, MaxDecompressedBytes: *unzipped}
	}
}
