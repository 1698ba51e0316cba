package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/aws/query/duckpeer"
	"github.com/lakeops/lakeops/etl/bench"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// benchCommand runs the bench cases (etl/bench): lakeops and its peer, each
// in child processes of this executable, in the same run.
func benchCommand(_ *Globals, env Env) *cobra.Command {
	var cases string
	var cfg bench.Config
	cmd := &cobra.Command{
		Use:   "bench [--case NAME,...]",
		Short: "time lakeops against its peer on each shape of load",
		Long: `Runs the bench cases (` + strings.Join(bench.CaseNames(), ", ") + `): generated data, lakeops and
its peer (DuckDB, or lakeops itself on another shape of the same load) each in child processes of
this executable, in the same run; wall time, CPU time and peak RSS, the medians of --runs runs
and their ratios. A report for people on stdout, progress on stderr (see the README's Benchmarks).`,
		Example: "  lakeops bench --case daily --items 5000000 --runs 5\n  lakeops bench --items 200000 --runs 1",
		Args:    noArgs,
	}
	f := cmd.Flags()
	f.StringVar(&cases, "case", "", "cases to run, comma-separated: "+strings.Join(bench.CaseNames(), ", ")+" (default: all)")
	f.IntVar(&cfg.Items, "items", 5_000_000, "order_items rows to generate (about) for the full-size cases")
	f.Float64Var(&cfg.Dirty, "dirty", 0.02, "share of dirty rows")
	f.StringVar(&cfg.Work, "dir", "", "work folder (default: a temporary folder, removed after)")
	f.IntVar(&cfg.Runs, "runs", 3, "runs of each side; medians are reported")
	f.IntVar(&cfg.Days, "days", 15, "daily files of the daily data (one per day and dataset, like the seed)")
	_ = cmd.RegisterFlagCompletionFunc("case", cobra.FixedCompletions(bench.CaseNames(), cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		for _, c := range strings.Split(cases, ",") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			if names := bench.CaseNames(); !slices.Contains(names, c) {
				near := ""
				if n := textfmt.Nearest(c, names, 3); n != "" {
					near = fmt.Sprintf(" (did you mean %q?)", n)
				}
				return usagef("--case: unknown case %q%s: the cases are %s", c, near, strings.Join(names, ", "))
			}
			cfg.Cases = append(cfg.Cases, c)
		}
		cfg.Exe, cfg.Out, cfg.Log = exe, env.Stdout, env.Stderr
		return bench.Run(cmd.Context(), cfg)
	}
	return cmd
}

// benchDuckDBCommand is the DuckDB side of a bench case, in a process of
// its own (hidden: bench runs it).
func benchDuckDBCommand(_ *Globals, env Env) *cobra.Command {
	return noSettings(&cobra.Command{
		Use:                "bench-duckdb JOB ARGS...",
		Short:              "(used by bench) the DuckDB side of a bench case",
		Example:            "  lakeops bench-duckdb count /tmp/bench/lake",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && (args[0] == "--help" || args[0] == "-h") {
				return cmd.Help()
			}
			return duckpeer.Run(cmd.Context(), args, env.Stdout)
		},
	})
}
