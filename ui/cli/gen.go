package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
			return usagef("gen needs --out DIR (a folder on disk, e.g. lake/bronze_layer)")
		}
		if strings.Contains(out, "://") {
			return usagef("gen writes to a folder on disk, not %s: generate into a folder, then upload it (aws s3 cp --recursive DIR %s)", out, out)
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", out, err)
		}
		var mu sync.Mutex
		last := time.Time{}
		progress := func(p gen.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(last) < time.Second {
				return
			}
			last = time.Now()
			c := textfmt.Count
			fmt.Fprintf(env.Stderr, "gen: %s/%s rows (file %s of %s)\n", c(p.Rows), c(p.TotalRows), c(int64(p.Files)), c(int64(p.TotalFiles)))
		}
		m, err := gen.Generate(cmd.Context(), out, opts, progress)
		if err != nil {
			return err
		}
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
