package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func genCommand(_ *Globals, env Env) *cobra.Command {
	var out, manifest string
	var opts gen.Options
	cmd := &cobra.Command{
		Use:   "gen --out DIR",
		Short: "generate seed-shaped raw CSVs at any scale, some of them dirty",
		Long: `Writes products.csv and a file per day of orders and order items, shaped like the lab's seed
data. Each dirty row breaks exactly one rule; --manifest (or --format json) says which.`,
		Example: `  lakeops gen --out lake/bronze_layer --orders 7500 --dirty 0.02
  lakeops gen --out /tmp/raw --orders 100000 --gzip --format json | jq .totals`,
		Args: noArgs,
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "folder on disk to write the raw files into (required)")
	f.IntVar(&opts.Orders, "orders", 7500, "number of clean orders (500 per day, ~5.44 items each)")
	f.Float64Var(&opts.Dirty, "dirty", 0, "share of dirty rows per dataset, 0 to 0.9 (each breaks exactly one rule)")
	f.Uint64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same files")
	f.BoolVar(&opts.Gzip, "gzip", false, "write .csv.gz files")
	f.StringVar(&manifest, "manifest", "", "write the manifest (files, rows, injected defects) as JSON to this path")
	format := addFormat(cmd, false, formatTable, formatJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		fmtName, err := format.get()
		if err != nil {
			return err
		}
		if out == "" {
			return usagef("needs --out DIR (a folder on disk, e.g. lake/bronze_layer)")
		}
		if strings.Contains(out, "://") {
			return usagef("writes to a folder on disk, not %s: generate into a folder, then upload it (aws s3 cp --recursive DIR %s)", out, out)
		}
		progress := newGenProgress(env.Stderr, time.Second, time.Now)
		m, err := gen.Generate(cmd.Context(), out, opts, progress.report)
		if err != nil {
			return genOptionError(err)
		}
		progress.done(m)
		if manifest != "" {
			if err := m.WriteJSON(manifest); err != nil {
				return err
			}
		}
		if fmtName == formatJSON {
			return writeJSON(env.Stdout, m)
		}
		abs, _ := filepath.Abs(out)
		fmt.Fprintf(env.Stdout, "wrote %s, %s (%s dirty) to %s\n", textfmt.Counted(int64(len(m.Files)), "file", "files"),
			textfmt.Rows(m.Totals.Rows), textfmt.Count(m.Totals.Rejected), abs)
		return nil
	}
	return cmd
}

// genOptionError turns an option out of range into a usage error naming
// its flag; other errors pass.
func genOptionError(err error) error {
	var oe *gen.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	switch oe.Option {
	case "Orders":
		return usagef("--orders %s", oe.Msg)
	case "Dirty":
		return usagef("--dirty %s", oe.Msg)
	}
	return usagef("%v", err)
}

// genProgress prints gen's progress on stderr: a line about every interval
// while it runs (none when it ends sooner) and then, if it printed any, a
// last line with the totals written.
type genProgress struct {
	w       io.Writer
	every   time.Duration
	now     func() time.Time
	start   time.Time
	next    time.Time
	printed bool
}

func newGenProgress(w io.Writer, every time.Duration, now func() time.Time) *genProgress {
	t := now()
	return &genProgress{w: w, every: every, now: now, start: t, next: t.Add(every)}
}

// report is gen.Generate's progress callback (called on its goroutine).
func (p *genProgress) report(pr gen.Progress) {
	t := p.now()
	if t.Before(p.next) || pr.Files >= pr.TotalFiles {
		return // too soon, or finished: done prints the totals
	}
	p.next = t.Add(p.every)
	p.printed = true
	c := textfmt.Count
	fmt.Fprintf(p.w, "gen: %s of %s rows, writing file %s of %s\n", c(pr.Rows), c(pr.TotalRows),
		c(int64(pr.Files+1)), c(int64(pr.TotalFiles)))
}

// done prints the last line, with the manifest's totals, if report printed any.
func (p *genProgress) done(m *gen.Manifest) {
	if !p.printed {
		return
	}
	fmt.Fprintf(p.w, "gen: %s, %s written in %s\n", textfmt.Rows(m.Totals.Rows),
		textfmt.Counted(int64(len(m.Files)), "file", "files"), textfmt.Duration(p.now().Sub(p.start)))
}
