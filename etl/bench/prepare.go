package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/etl/gen"
)

// rawData is a folder of generated raw files: products.csv, orders/,
// order_items/.
type rawData struct {
	dir        string
	items      int64 // order_items rows written
	orders     int64 // orders rows written
	itemsFiles int
}

// generate writes raw data of about items order_items rows over days
// daily files (days 0: gen's default of 500 orders a day).
func (w *workspace) generate(ctx context.Context, name string, items, days int) (*rawData, error) {
	dir := w.path(name)
	orders := max(int(float64(items)/5.44), 1)
	fmt.Fprintf(w.cfg.Log, "bench: generating %s: ~%d order_items rows (%d orders, %.0f%% dirty) in %s\n", name, items, orders, w.cfg.Dirty*100, dir)
	m, err := gen.Generate(ctx, dir, gen.Options{Orders: orders, Days: days, Dirty: w.cfg.Dirty, Seed: 42}, nil)
	if err != nil {
		return nil, err
	}
	files, err := csvFiles(filepath.Join(dir, "order_items"))
	if err != nil {
		return nil, err
	}
	return &rawData{dir: dir, items: m.Datasets["order_items"].Rows, orders: m.Datasets["orders"].Rows, itemsFiles: len(files)}, nil
}

// summary is what `lakeops run --json` reports that the bench checks.
type summary struct {
	Files []struct {
		File   string `json:"file"`
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"files"`
	Totals struct {
		RowsRead  int64 `json:"rows_read"`
		Accepted  int64 `json:"accepted"`
		Inserted  int64 `json:"inserted"`
		Updated   int64 `json:"updated"`
		Unchanged int64 `json:"unchanged"`
	} `json:"totals"`
}

// run runs `lakeops --lake LAKE run --quiet --json ARGS…` and checks that
// every file succeeded.
func (w *workspace) run(ctx context.Context, lake string, args ...string) (measure, *summary, error) {
	m, out, err := child(ctx, w.cfg.Exe, "", append([]string{"--lake", lake, "run", "--quiet", "--json"}, args...)...)
	if err != nil {
		return m, nil, err
	}
	var s summary
	if err := json.Unmarshal(out, &s); err != nil {
		return m, nil, fmt.Errorf("lakeops run --json: %w", err)
	}
	for _, f := range s.Files {
		if f.Status != "succeeded" {
			return m, nil, fmt.Errorf("lakeops run: %s %s: %s", f.File, f.Status, f.Error)
		}
	}
	return m, &s, nil
}

// lakeWith makes a lake at dir from a prepared lake (nil: an empty one)
// and raw files of raw selected by keep, linked into its bronze layer.
func lakeWith(dir, from string, raw string, keep func(rel string) bool) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if from != "" {
		if err := linkTree(from, dir, nil); err != nil {
			return err
		}
	}
	if raw == "" {
		return nil
	}
	return linkTree(raw, filepath.Join(dir, "bronze_layer"), keep)
}

func isItems(rel string) bool { return strings.HasPrefix(rel, "order_items/") }

// dailyData generates the daily data once.
func (w *workspace) dailyData(ctx context.Context) (*rawData, error) {
	if w.daily == nil {
		d, err := w.generate(ctx, "daily-raw", w.cfg.Items, w.cfg.Days)
		if err != nil {
			return nil, err
		}
		w.daily = d
		files, err := csvFiles(filepath.Join(d.dir, "order_items"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			w.dailyItems = append(w.dailyItems, "bronze_layer/order_items/"+filepath.Base(f))
		}
	}
	return w.daily, nil
}

// preDailyLake is a lake with the daily products and orders loaded, whose
// bronze layer holds no order_items yet.
func (w *workspace) preDailyLake(ctx context.Context) (string, error) {
	if w.preDaily != "" {
		return w.preDaily, nil
	}
	d, err := w.dailyData(ctx)
	if err != nil {
		return "", err
	}
	dir := w.path("daily-pre")
	if err := lakeWith(dir, "", d.dir, func(rel string) bool { return !isItems(rel) }); err != nil {
		return "", err
	}
	fmt.Fprintf(w.cfg.Log, "bench: loading products and orders into %s\n", dir)
	if _, _, err := w.run(ctx, dir); err != nil {
		return "", err
	}
	w.preDaily = dir
	return dir, nil
}

// fullDailyLake is a lake with every daily file loaded.
func (w *workspace) fullDailyLake(ctx context.Context) (string, error) {
	if w.fullDaily != "" {
		return w.fullDaily, nil
	}
	pre, err := w.preDailyLake(ctx)
	if err != nil {
		return "", err
	}
	dir := w.path("daily-full")
	if err := lakeWith(dir, pre, w.daily.dir, isItems); err != nil {
		return "", err
	}
	fmt.Fprintf(w.cfg.Log, "bench: loading the order_items into %s\n", dir)
	_, s, err := w.run(ctx, dir)
	if err != nil {
		return "", err
	}
	w.fullDaily, w.fullRows = dir, s.Totals.Inserted
	return dir, nil
}

// duckDailyTable is DuckDB's load of the daily order_items: the table its
// upserts start from.
func (w *workspace) duckDailyTable(ctx context.Context) (string, error) {
	if w.duckDaily != "" {
		return w.duckDaily, nil
	}
	d, err := w.dailyData(ctx)
	if err != nil {
		return "", err
	}
	dir := w.path("daily-duckdb")
	os.RemoveAll(dir)
	fmt.Fprintf(w.cfg.Log, "bench: loading the order_items with DuckDB into %s\n", dir)
	if _, _, err := child(ctx, w.cfg.Exe, "", "bench-duckdb", "load", filepath.Join(d.dir, "order_items"), dir); err != nil {
		return "", err
	}
	w.duckDaily = dir
	return dir, nil
}

// peer runs `lakeops bench-duckdb ARGS…` and returns the row count it prints.
func (w *workspace) peer(ctx context.Context, args ...string) (measure, int64, error) {
	m, out, err := child(ctx, w.cfg.Exe, "", append([]string{"bench-duckdb"}, args...)...)
	if err != nil {
		return m, 0, err
	}
	var n int64
	if _, err := fmt.Sscan(string(out), &n); err != nil {
		return m, 0, fmt.Errorf("bench-duckdb %s printed %q: %w", args[0], out, err)
	}
	return m, n, nil
}
