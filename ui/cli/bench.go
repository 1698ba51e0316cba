package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/pipeline"
)

func benchCommand(_ *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "time the pipeline against the DuckDB equivalent on generated data",
		Long: `Generates order items (gen, 15 daily files, seed 42), loads products and orders untimed, then
times 'lakeops run' on the order items and the DuckDB equivalent, each in a child process, and
reports wall time, peak RSS and the medians of --runs runs. A report for people on stdout,
progress on stderr.`,
		Example: "  lakeops bench --items 5000000 --runs 5\n  lakeops bench --items 200000 --runs 1",
		Args:    noArgs,
	}
	f := cmd.Flags()
	items := f.Int("items", 5_000_000, "order_items rows to generate (about)")
	dirty := f.Float64("dirty", 0.02, "share of dirty rows")
	dir := f.String("dir", "", "work folder (default: a temporary folder, removed after)")
	runs := f.Int("runs", 3, "runs of each side; medians are reported")
	days := f.Int("days", 15, "days (one file per day and dataset, like the seed)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return runBench(cmd.Context(), env, *items, *dirty, *dir, *runs, *days)
	}
	return cmd
}

// runBench compares the pipeline with the DuckDB equivalent on generated
// order_items: each runs in its own child process so that wall time and
// peak memory (max RSS) are measured separately, in the same bench run.
func runBench(ctx context.Context, env Env, items int, dirtyShare float64, dir string, runCount, dayCount int) error {
	work := dir
	if work == "" {
		tmp, err := os.MkdirTemp("", "lakeops-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	raw := filepath.Join(work, "raw")
	orders := int(float64(items) / 5.44)
	fmt.Fprintf(env.Stderr, "bench: generating ~%d order_items (%d orders, %.0f%% dirty) in %s\n", items, orders, dirtyShare*100, raw)
	m, err := gen.Generate(ctx, raw, gen.Options{Orders: orders, Days: dayCount, Dirty: dirtyShare, Seed: 42}, nil)
	if err != nil {
		return err
	}
	itemRows := m.Datasets["order_items"].Rows
	var lakeT, lakeM, lakeC, duckT, duckM, duckC []float64
	for i := 0; i < runCount; i++ {
		lakeDir := filepath.Join(work, fmt.Sprintf("lake-%d", i))
		if err := prepareBenchLake(ctx, exe, raw, lakeDir); err != nil {
			return err
		}
		t, rss, cpu, out, err := timeChild(ctx, exe, "--lake", lakeDir, "run", "--quiet", "--json")
		if err != nil {
			return fmt.Errorf("lakeops run: %w\n%s", err, out)
		}
		var sum pipeline.Summary
		if err := json.Unmarshal(out, &sum); err != nil || sum.Totals.RowsRead != itemRows {
			return fmt.Errorf("lakeops run read %d rows, want %d (%v)", sum.Totals.RowsRead, itemRows, err)
		}
		lakeT, lakeM, lakeC = append(lakeT, t), append(lakeM, rss), append(lakeC, cpu)
		t, rss, cpu, out, err = timeChild(ctx, exe, "bench-duckdb", filepath.Join(raw, "order_items"), filepath.Join(work, fmt.Sprintf("duck-%d", i)))
		if err != nil {
			return fmt.Errorf("duckdb: %w\n%s", err, out)
		}
		duckT, duckM, duckC = append(duckT, t), append(duckM, rss), append(duckC, cpu)
		fmt.Fprintf(env.Stderr, "bench: run %d: lakeops %.2fs (CPU %.2fs) %.0f MB, duckdb %.2fs (CPU %.2fs) %.0f MB (%s rows)\n",
			i+1, lakeT[i], lakeC[i], lakeM[i], duckT[i], duckC[i], duckM[i], strings.TrimSpace(string(out)))
		os.RemoveAll(lakeDir)
		os.RemoveAll(filepath.Join(work, fmt.Sprintf("duck-%d", i)))
	}
	lt, lm, lc, dt, dm, dc := median(lakeT), median(lakeM), median(lakeC), median(duckT), median(duckM), median(duckC)
	fmt.Fprintf(env.Stdout, "order_items rows: %d (%.1f%% dirty), medians of %d runs\n", itemRows, dirtyShare*100, runCount)
	fmt.Fprintf(env.Stdout, "lakeops run: %6.2f s  CPU %6.2f s  peak RSS %6.0f MB\n", lt, lc, lm)
	fmt.Fprintf(env.Stdout, "duckdb:      %6.2f s  CPU %6.2f s  peak RSS %6.0f MB\n", dt, dc, dm)
	fmt.Fprintf(env.Stdout, "ratio:       %6.2fx time, %.2fx CPU, %.2fx memory (lakeops / duckdb)\n", lt/dt, lc/dc, lm/dm)
	return nil
}

// prepareBenchLake makes a lake whose products and orders are loaded (not
// timed) and whose bronze layer holds the order_items files.
func prepareBenchLake(ctx context.Context, exe, raw, lakeDir string) error {
	bronze := filepath.Join(lakeDir, "bronze_layer")
	if err := linkTree(raw, bronze, func(rel string) bool { return !strings.HasPrefix(rel, "order_items") }); err != nil {
		return err
	}
	if _, _, _, out, err := timeChild(ctx, exe, "--lake", lakeDir, "run", "--quiet"); err != nil {
		return fmt.Errorf("load products and orders: %w\n%s", err, out)
	}
	return linkTree(raw, bronze, func(rel string) bool { return strings.HasPrefix(rel, "order_items") })
}

// linkTree hard-links (or copies) the files of src selected by keep into dst.
func linkTree(src, dst string, keep func(rel string) bool) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if !keep(filepath.ToSlash(rel)) {
			return nil
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if os.Link(p, target) == nil {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// timeChild runs the executable and returns wall seconds, max RSS in MB,
// CPU seconds (user and system) and stdout.
func timeChild(ctx context.Context, exe string, args ...string) (float64, float64, float64, []byte, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	el := time.Since(start).Seconds()
	if err != nil {
		return 0, 0, 0, append(out.Bytes(), errb.Bytes()...), err
	}
	rss := 0.0
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return el, rss, cpu, out.Bytes(), nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func benchDuckDBCommand(_ *Globals, env Env) *cobra.Command {
	return &cobra.Command{
		Use:     "bench-duckdb CSV_DIR OUT_DIR",
		Short:   "(used by bench) the DuckDB side of the benchmark",
		Example: "  lakeops bench-duckdb /tmp/raw/order_items /tmp/duck-out",
		Hidden:  true,
		Args:    exactArgs(2, "CSV_DIR and OUT_DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBenchDuckDB(cmd.Context(), env, args)
		},
	}
}

// runBenchDuckDB is the DuckDB side of the benchmark: typed read of the
// order_items CSVs, drop invalid rows, one row per id (latest timestamp),
// Parquet partitioned by date.
func runBenchDuckDB(ctx context.Context, env Env, args []string) error {
	if !slices.Contains(sql.Drivers(), "duckdb") { // a build without cgo (benchdriver.go)
		return duck.ErrNoEngine
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	glob := strings.ReplaceAll(filepath.Join(args[0], "*.csv"), "'", "''")
	out := strings.ReplaceAll(args[1], "'", "''")
	q := fmt.Sprintf(`COPY (
  SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY order_timestamp DESC) AS rn
    FROM read_csv('%s', header = true, ignore_errors = true, columns = {
      'id': 'BIGINT', 'order_id': 'BIGINT', 'user_id': 'BIGINT', 'days_since_prior_order': 'INTEGER',
      'product_id': 'BIGINT', 'add_to_cart_order': 'INTEGER', 'reordered': 'BOOLEAN',
      'order_timestamp': 'TIMESTAMP', 'date': 'DATE'})
    WHERE id IS NOT NULL AND order_id IS NOT NULL AND user_id IS NOT NULL AND product_id IS NOT NULL
      AND add_to_cart_order >= 1 AND (days_since_prior_order IS NULL OR days_since_prior_order >= 0)
      AND reordered IS NOT NULL AND order_timestamp IS NOT NULL AND date = CAST(order_timestamp AS DATE))
  WHERE rn = 1
) TO '%s' (FORMAT parquet, PARTITION_BY (date))`, glob, out)
	res, err := db.ExecContext(ctx, q)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	fmt.Fprintln(env.Stdout, n)
	return nil
}
