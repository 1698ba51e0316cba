// Package bench is `lakeops bench`: cases for each shape of load a data
// engineer meets — daily files, one file with interleaved dates, a forced
// re-run over unchanged data, a re-delivered day, thousands of small files,
// reading a table out as CSV or JSON lines, a query on a fresh process.
// Each case times lakeops and its peer (DuckDB doing the same job, or
// lakeops on another shape of the same rows) in child processes, in the
// same run, alternating, and prints each side's wall time and peak memory
// (RSS), CPU time, and their ratios: medians of the runs, with their
// range, beside the case's goal.
//
// The children are the lakeops executable itself: lakeops commands as a
// user runs them, and `lakeops bench-duckdb JOB …` for DuckDB (its SQL is in
// aws/query/duckpeer; this package does not link DuckDB). Data is
// generated with etl/gen (seed 42) and lakes are prepared untimed; a lake a
// timed run changes is a hard-linked copy of a prepared one.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Config configures a bench run.
type Config struct {
	// Exe is the lakeops executable the children run.
	Exe string
	// Work is the folder for data and lakes; a temporary folder (removed
	// afterwards) when empty.
	Work string
	// Items is the number of order_items rows (about) of the full-size
	// cases; the interleaved case uses 40% of it and the small-files case
	// 65%. Default 5,000,000.
	Items int
	// Dirty is the share of dirty rows generated; default 0.02.
	Dirty float64
	// Days is the number of daily files of the daily data; default 15.
	Days int
	// Runs is the number of runs of each side; default 3.
	Runs int
	// Cases names the cases to run (CaseNames); all when empty.
	Cases []string
	// Out receives the results, Log the progress.
	Out, Log io.Writer
}

// CaseNames lists the cases in the order they run.
func CaseNames() []string {
	all := allCases()
	out := make([]string, len(all))
	for i, c := range all {
		out[i] = c.name
	}
	return out
}

// Run runs the cases.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Items <= 0 {
		cfg.Items = 5_000_000
	}
	if cfg.Dirty == 0 {
		cfg.Dirty = 0.02
	}
	if cfg.Days <= 0 {
		cfg.Days = 15
	}
	if cfg.Runs <= 0 {
		cfg.Runs = 3
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	all := allCases()
	var cases []*benchCase
	for _, name := range cfg.Cases {
		i := slices.IndexFunc(all, func(c *benchCase) bool { return c.name == name })
		if i < 0 {
			return fmt.Errorf("bench: unknown case %q (want %s)", name, strings.Join(CaseNames(), ", "))
		}
		cases = append(cases, all[i])
	}
	if len(cases) == 0 {
		cases = all
	}
	if cfg.Work == "" {
		tmp, err := os.MkdirTemp("", "lakeops-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg.Work = tmp
	}
	w := &workspace{cfg: cfg}
	fmt.Fprintf(cfg.Out, "lakeops bench: %d runs of each side, medians [min–max]; ratios are lakeops / peer, run by run\n", cfg.Runs)
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.runCase(ctx, c); err != nil {
			return fmt.Errorf("bench %s: %w", c.name, err)
		}
	}
	return nil
}

// benchCase is one shape of load.
type benchCase struct {
	name string
	// prepare readies the case's data (untimed) and returns its title.
	prepare func(ctx context.Context, w *workspace) (string, error)
	sides   []side
	ratios  []ratio
	repeat  int // timed runs of each side per run (the median counts); 1 when 0
}

// side is one timed command of a case.
type side struct {
	name string
	// run sets up and runs the side once (run i of the case) and checks
	// what it did.
	run func(ctx context.Context, w *workspace, i int) (measure, error)
}

// ratio compares two sides; the goal is met when the median ratio of time
// (and of memory, when memGoal is set) is at most the goal. A ratio without
// a time goal is only reported.
type ratio struct {
	num, den         string
	timeGoal         float64
	memGoal          float64
	absMemGoalMB     float64 // num's peak memory at most this; 0: none
	timeText, memTxt string  // the goal in words
}

func (w *workspace) runCase(ctx context.Context, c *benchCase) error {
	title, err := c.prepare(ctx, w)
	if err != nil {
		return err
	}
	repeat := max(c.repeat, 1)
	results := map[string][]measure{}
	for i := range w.cfg.Runs {
		var line []string
		for _, s := range c.sides {
			var ms []measure
			for range repeat {
				m, err := s.run(ctx, w, i)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				ms = append(ms, m)
			}
			m := medianMeasure(ms)
			results[s.name] = append(results[s.name], m)
			line = append(line, fmt.Sprintf("%s %.3f s (CPU %.3f s) %.0f MB", s.name, m.wall, m.cpu, m.rss))
		}
		fmt.Fprintf(w.cfg.Log, "bench: %s run %d: %s\n", c.name, i+1, strings.Join(line, "; "))
	}
	out := w.cfg.Out
	fmt.Fprintf(out, "\n%s — %s\n", c.name, title)
	width := 0
	for _, s := range c.sides {
		width = max(width, len(s.name))
	}
	for _, s := range c.sides {
		wall, cpu, rss := series(results[s.name])
		fmt.Fprintf(out, "  %-*s  %s s   CPU %s s   %s MB\n", width, s.name, statsOf(wall).text("%.3f"), statsOf(cpu).text("%.3f"), statsOf(rss).text("%.0f"))
	}
	for _, r := range c.ratios {
		nw, nc, nr := series(results[r.num])
		dw, dc, dr := series(results[r.den])
		tr, cr, mr := ratios(nw, dw), ratios(nc, dc), ratios(nr, dr)
		t, m := statsOf(tr), statsOf(mr)
		both := fmt.Sprintf("%s× time, %s× CPU, %s× memory", t.text("%.2f"), statsOf(cr).text("%.2f"), m.text("%.2f"))
		if r.timeGoal == 0 {
			fmt.Fprintf(out, "  %s / %s: %s\n", r.num, r.den, both)
			continue
		}
		met := t.median <= r.timeGoal
		goal := fmt.Sprintf("goal %s", r.timeText)
		if r.memGoal > 0 {
			met = met && m.median <= r.memGoal
			goal += ", " + r.memTxt
		}
		if r.absMemGoalMB > 0 {
			met = met && statsOf(nr).median <= r.absMemGoalMB
			goal += ", " + r.memTxt
		}
		verdict := "met"
		if !met {
			verdict = "NOT met"
		}
		fmt.Fprintf(out, "  %s / %s: %s — %s: %s\n", r.num, r.den, both, goal, verdict)
	}
	return nil
}

func series(ms []measure) (wall, cpu, rss []float64) {
	for _, m := range ms {
		wall, cpu, rss = append(wall, m.wall), append(cpu, m.cpu), append(rss, m.rss)
	}
	return wall, cpu, rss
}

// ratios divides run by run; 0 where the denominator is unknown.
func ratios(num, den []float64) []float64 {
	out := make([]float64, len(num))
	for i := range num {
		if den[i] > 0 {
			out[i] = num[i] / den[i]
		}
	}
	return out
}

// medianMeasure is the run of median wall time.
func medianMeasure(ms []measure) measure {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b measure) int {
		switch {
		case a.wall < b.wall:
			return -1
		case a.wall > b.wall:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// workspace holds the data and lakes cases share, prepared on first use.
type workspace struct {
	cfg Config

	daily      *rawData // the daily files
	preDaily   string   // a lake with the daily products and orders loaded
	fullDaily  string   // a lake with every daily file loaded
	duckDaily  string   // DuckDB's load of the daily order_items (Parquet by date)
	fullRows   int64    // order_items rows in fullDaily's table
	dailyItems []string // the daily order_items files, as lake keys

	il *interleaved // the interleaved case's data
	rd *redelivery  // the redeliver case's
	sf *smallFiles  // the small-files case's
}

func (w *workspace) path(parts ...string) string {
	return filepath.Join(append([]string{w.cfg.Work}, parts...)...)
}
