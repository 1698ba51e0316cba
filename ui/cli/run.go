package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func runCommand(g *Globals, env Env) *cobra.Command {
	var force, recheck, quiet bool
	cmd := &cobra.Command{
		Use:   "run [FILE|FOLDER...]",
		Short: "run the pipeline on raw files (default: every new raw file)",
		Long: `Validates, deduplicates and MERGEs raw files into the lake's tables: the named files (lake keys,
or paths inside a folder lake; a folder stands for every raw file under it), or every raw file under bronze_layer/ that the ingest log has not
recorded as ingested. Progress goes to stderr; the summary to stdout. Exit status 1 when a file
failed (rejected rows are not a failure).

--force runs files the ingest log records as ingested. When a dataset's files, the rules, which of
their rows find their references, their rejects and their rows in the table are all as the last
load left them, its rows are not checked again: each such file is reported unchanged, with the run that
recorded it in unchanged_since (--json). --recheck checks every row regardless.`,
		Example: `  lakeops --lake ./lake run
  lakeops run --lake s3://bucket/lake --json | jq '.files[] | select(.status == "failed")'
  lakeops run bronze_layer/orders/orders_2025_04_01.csv --force`,
	}
	out := addFormat(cmd, true, formatTable, formatJSON)
	cmd.Flags().BoolVar(&force, "force", false, "re-run files the ingest log records as ingested")
	cmd.Flags().BoolVar(&recheck, "recheck", false, "with --force, check every row again even when the files, the rules and the table are as the last load left them")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress on stderr")
	lim := limitFlags(cmd.Flags())
	out.runE(func(cmd *cobra.Command, files []string, format string) error {
		limits, err := lim()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		o, err := openOps(ctx, g)
		if err != nil {
			return err
		}
		keys, err := lakeKeys(g, files)
		if err != nil {
			return err
		}
		if keys, err = o.RawFilesOf(ctx, keys); err != nil {
			return err
		}
		if recheck && !force {
			return usagef("--recheck goes with --force")
		}
		req := ops.RunRequest{Files: keys, Force: force, Recheck: recheck}
		if !quiet {
			req.Progress = newProgressPrinter(env.Stderr).event
		}
		sum, err := o.WithLimits(limits).Run(ctx, req)
		if sum != nil && !ranAny(sum) {
			sum.RunID = "" // nothing was loaded or recorded: no run to name
		}
		if sum != nil && (format == formatJSON || len(sum.Files) > 0) {
			if perr := printSummary(env.Stdout, sum, format); perr != nil {
				return perr
			}
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("run %s cancelled", sum.RunID)
		}
		if len(keys) == 0 && len(sum.Files) == 0 {
			explainEmptyRun(ctx, o, g, env.Stderr)
		}
		if sum.Failed() {
			return errFilesFailed
		}
		return nil
	})
	return cmd
}

func validateCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate FILE|FOLDER...",
		Short: "dry run: what would be accepted and rejected, writing nothing",
		Long: `Checks files on disk, or raw files of the lake (lake keys), against the rules and the current
tables, and prints what a run would accept and reject, by reason. A folder stands for the raw
files under it. Files on disk with no lake there are checked against empty tables. Nothing is
written.`,
		Example: `  lakeops validate ~/Downloads/orders_2025_04_16.csv
  lakeops --lake s3://bucket/lake validate bronze_layer/orders/orders_2025_04_16.csv --json`,
		Args: minArgs(1, "at least one FILE or FOLDER (on disk or a lake key)"),
	}
	out := addFormat(cmd, true, formatTable, formatJSON)
	lim := limitFlags(cmd.Flags())
	out.runE(func(cmd *cobra.Command, files []string, format string) error {
		limits, err := lim()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		// Files on disk are validated where they are; other names are lake keys.
		var local, keys []string
		for _, f := range files {
			if onDisk(f) {
				local = append(local, f)
			} else {
				keys = append(keys, f)
			}
		}
		if len(local) > 0 && len(keys) > 0 {
			return usagef("give either files on disk or lake keys, not both (on disk: %q; not on disk: %q)", local, keys)
		}
		if len(keys) == 0 && missingFolderLake(g.Lake) {
			// No lake to check references against: an empty one stands in.
			empty, err := os.MkdirTemp("", "lakeops-validate-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(empty)
			fmt.Fprintf(env.Stderr, "no lake at %s: the files are checked against the rules, their references against empty tables\n", g.Lake)
			g.Lake = empty
		}
		o, err := openOps(ctx, g)
		if err != nil {
			return err
		}
		o = o.WithLimits(limits)
		var sum *pipeline.Summary
		if len(local) > 0 {
			sum, err = o.ValidateLocal(ctx, local...)
		} else {
			if keys, err = lakeKeys(g, keys); err != nil {
				return err
			}
			if keys, err = o.RawFilesOf(ctx, keys); err != nil {
				return err
			}
			sum, err = o.Validate(ctx, keys...)
		}
		if err != nil {
			return err
		}
		sum.RunID = "" // a dry run records nothing: no run to name
		if err := printSummary(env.Stdout, sum, format); err != nil {
			return err
		}
		if sum.Failed() {
			return errFilesFailed
		}
		return nil
	})
	return cmd
}

// onDisk reports whether a path names something on disk.
func onDisk(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ranAny reports whether a run loaded or recorded any file (one whose
// every file was skipped as ingested did neither).
func ranAny(sum *pipeline.Summary) bool {
	for _, f := range sum.Files {
		if f.Status != ops.FileSkipped {
			return true
		}
	}
	return false
}

// summaryOut is the JSON of run and validate: the pipeline's summary with
// its lists and maps never null.
func summaryOut(sum *pipeline.Summary) *pipeline.Summary {
	out := *sum
	out.Files = make([]pipeline.FileResult, len(sum.Files))
	for i, f := range sum.Files {
		if f.RejectedByReason == nil {
			f.RejectedByReason = map[string]int64{}
		}
		out.Files[i] = f
	}
	if out.Totals.RejectedByReason == nil {
		out.Totals.RejectedByReason = map[string]int64{}
	}
	return &out
}

func printSummary(w io.Writer, sum *pipeline.Summary, format string) error {
	if format == formatJSON {
		return writeJSON(w, summaryOut(sum))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "FILE\tDATASET\tSTATUS\tREAD\tACCEPTED\tREJECTED\tINSERTED\tUPDATED\tUNCHANGED\t")
	c := textfmt.Count
	for _, f := range sum.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", textfmt.Sanitize(f.File), f.Dataset, f.Status,
			c(f.RowsRead), c(f.Accepted), c(f.Rejected), c(f.Inserted), c(f.Updated), c(f.Unchanged))
	}
	t := sum.Totals
	fmt.Fprintf(tw, "TOTAL\t\t\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c(t.RowsRead), c(t.Accepted), c(t.Rejected), c(t.Inserted), c(t.Updated), c(t.Unchanged))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(t.RejectedByReason) > 0 {
		codes := make([]string, 0, len(t.RejectedByReason))
		for code := range t.RejectedByReason {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		fmt.Fprintln(w, "\nrejected by reason:")
		for _, code := range codes {
			fmt.Fprintf(w, "  %-32s %s\n", code, c(t.RejectedByReason[code]))
		}
	}
	for _, f := range sum.Files {
		if f.Error != "" {
			msg := f.Error
			if !strings.HasPrefix(msg, f.File+":") { // most name their file already
				msg = f.File + ": " + msg
			}
			fmt.Fprintf(w, "\n%s: %s", f.Status, textfmt.Sanitize(msg))
		}
	}
	if sum.RunID != "" {
		fmt.Fprintf(w, "\nrun %s\n", sum.RunID)
	}
	return nil
}

// limitFlags adds the raw-file limits to a command's flags; a negative
// one is a usage error.
func limitFlags(fs *pflag.FlagSet) func() (pipeline.Limits, error) {
	field := fs.Int("max-field-bytes", 0, "longest CSV field; a longer one makes its row malformed (default 1 MiB)")
	record := fs.Int("max-record-bytes", 0, "longest CSV record (default 4 MiB)")
	unzipped := fs.Int64("max-decompressed-bytes", 0, "largest decompressed .csv.gz; beyond it the file fails (default 16 GiB)")
	buffered := fs.Int("buffered-rows", 0, "rows the data files being written may hold in their row groups, together; rows for many partitions at once make smaller row groups (default 262144)")
	return func() (pipeline.Limits, error) {
		for _, l := range []struct {
			name string
			v    int64
		}{{"max-field-bytes", int64(*field)}, {"max-record-bytes", int64(*record)}, {"max-decompressed-bytes", *unzipped}, {"buffered-rows", int64(*buffered)}} {
			if l.v < 0 {
				return pipeline.Limits{}, usagef("--%s must be 0 (the default) or more, not %d", l.name, l.v)
			}
		}
		return pipeline.Limits{MaxFieldBytes: *field, MaxRecordBytes: *record, MaxDecompressedBytes: *unzipped, BufferedRows: *buffered}, nil
	}
}
