package cli

import (
	"context"
	"flag"
	"fmt"
	"github.com/lakeops/lakeops/internal/textfmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lakeops/lakeops/etl/gen"
)

func runGen(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	out := fs.String("out", "", "folder to write the raw files into (required)")
	orders := fs.Int("orders", 7500, "number of clean orders (500 per day, ~5.44 items each)")
	dirty := fs.Float64("dirty", 0, "share of dirty rows per dataset, 0 to 0.9 (each breaks exactly one rule)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same files")
	gz := fs.Bool("gzip", false, "write .csv.gz files")
	manifest := fs.String("manifest", "", "write the manifest (files, rows, injected defects) as JSON to this path")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) > 0 {
		return usagef("usage: lakeops gen --out DIR --orders N [--dirty RATE] [--seed S] [--gzip] [--manifest FILE]")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", *out, err)
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
	m, err := gen.Generate(ctx, *out, gen.Options{Orders: *orders, Dirty: *dirty, Seed: *seed, Gzip: *gz}, progress)
	if err != nil {
		return err
	}
	if *manifest != "" {
		if err := m.WriteJSON(*manifest); err != nil {
			return err
		}
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(env.Stdout, "wrote %s, %s (%s dirty) to %s\n", textfmt.Counted(int64(len(m.Files)), "file", "files"),
		textfmt.Rows(m.Totals.Rows), textfmt.Count(m.Totals.Rejected), abs)
	return nil
}
