package cli

import (
	"context"
	"flag"
	"os"
	"strings"

	"github.com/lakeops/lakeops/aws/query/duckpeer"
	"github.com/lakeops/lakeops/etl/bench"
)

// runBench runs the bench cases (etl/bench): lakeops and its peer, each in
// child processes of this executable, in the same run.
func runBench(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	cases := fs.String("case", "", "cases to run, comma-separated: "+strings.Join(bench.CaseNames(), ", ")+" (default: all)")
	items := fs.Int("items", 5_000_000, "order_items rows to generate (about) for the full-size cases")
	dirty := fs.Float64("dirty", 0.02, "share of dirty rows")
	dir := fs.String("dir", "", "work folder (default: a temporary folder, removed after)")
	runs := fs.Int("runs", 3, "runs of each side; medians are reported")
	days := fs.Int("days", 15, "daily files of the daily data (one per day and dataset, like the seed)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var names []string
	for _, c := range strings.Split(*cases, ",") {
		if c = strings.TrimSpace(c); c != "" {
			names = append(names, c)
		}
	}
	return bench.Run(ctx, bench.Config{Exe: exe, Work: *dir, Items: *items, Dirty: *dirty, Days: *days, Runs: *runs,
		Cases: names, Out: env.Stdout, Log: env.Stderr})
}

// runBenchDuckDB is the DuckDB side of a bench case, in a process of its own.
func runBenchDuckDB(ctx context.Context, g *Globals, env Env, args []string) error {
	return duckpeer.Run(ctx, args, env.Stdout)
}
