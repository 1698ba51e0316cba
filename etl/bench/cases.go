package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// allCases are the cases, in the order they run.
func allCases() []*benchCase {
	return []*benchCase{dailyCase(), interleavedCase(), forceCase(), redeliverCase(), smallFilesCase(), readCase(), queryCase()}
}

// fullLoadSide loads the daily order_items into a lake whose products and
// orders are loaded: `lakeops run`. Several cases compare with it.
func fullLoadSide() side {
	return side{name: "lakeops full load", run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		dir := w.path("timed-lake")
		defer os.RemoveAll(dir)
		if err := lakeWith(dir, w.preDaily, w.daily.dir, isItems); err != nil {
			return measure{}, err
		}
		m, s, err := w.run(ctx, dir)
		if err == nil && s.Totals.RowsRead != w.daily.items {
			err = fmt.Errorf("read %d order_items rows, want %d", s.Totals.RowsRead, w.daily.items)
		}
		return m, err
	}}
}

// duckLoad is DuckDB loading the order_items CSVs at the path src gives:
// typed read_csv, invalid rows dropped, one row per id, Parquet by date.
func duckLoad(name string, src func(w *workspace) string) side {
	return side{name: name, run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		out := w.path("timed-duckdb")
		defer os.RemoveAll(out)
		os.RemoveAll(out)
		m, n, err := w.peer(ctx, "load", src(w), out)
		if err == nil && n == 0 {
			err = fmt.Errorf("DuckDB wrote no rows")
		}
		return m, err
	}}
}

// dailyCase: the daily order_items files into a lake whose products and
// orders are loaded, against DuckDB's load of the same files.
func dailyCase() *benchCase {
	return &benchCase{
		name: "daily",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			if _, err := w.preDailyLake(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("%d daily files, %d order_items rows (%.0f%% dirty) into a lake whose products and orders are loaded",
				w.daily.itemsFiles, w.daily.items, w.cfg.Dirty*100), nil
		},
		sides: []side{fullLoadSide(), duckLoad("DuckDB", func(w *workspace) string { return filepath.Join(w.daily.dir, "order_items") })},
		ratios: []ratio{{num: "lakeops full load", den: "DuckDB", timeGoal: 0.3, memGoal: 0.15,
			timeText: "≤ 0.30× time", memTxt: "≤ 0.15× memory"}},
	}
}

// interleaved holds the interleaved case's data.
type interleaved struct {
	pre                string // lake with the case's products and orders
	interleaved, order string // the one order_items file, dates cycling / in order
	rows               int
	days               int
}

// interleavedCase: one file whose rows cycle through 28 dates, against
// the same rows with the dates in order and against DuckDB.
func interleavedCase() *benchCase {
	return &benchCase{
		name: "interleaved",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			d, err := w.generate(ctx, "il-raw", w.cfg.Items*2/5, 28)
			if err != nil {
				return "", err
			}
			il := &interleaved{pre: w.path("il-pre"), days: d.itemsFiles}
			if err := lakeWith(il.pre, "", d.dir, func(rel string) bool { return !isItems(rel) }); err != nil {
				return "", err
			}
			if _, _, err := w.run(ctx, il.pre); err != nil {
				return "", err
			}
			files, err := csvFiles(filepath.Join(d.dir, "order_items"))
			if err != nil {
				return "", err
			}
			il.interleaved = w.path("il-files", "interleaved", "order_items_interleaved.csv")
			il.order = w.path("il-files", "in-order", "order_items_in_order.csv")
			if il.rows, err = interleaveCSV(il.interleaved, files); err != nil {
				return "", err
			}
			if err := concatCSV(il.order, files); err != nil {
				return "", err
			}
			w.il = il
			return fmt.Sprintf("one file of %d order_items rows whose rows cycle through %d dates, against the same rows with the dates in order",
				il.rows, il.days), nil
		},
		sides: []side{
			oneFileSide("lakeops interleaved", func(il *interleaved) string { return il.interleaved }),
			oneFileSide("lakeops dates in order", func(il *interleaved) string { return il.order }),
			duckLoad("DuckDB interleaved", func(w *workspace) string { return w.il.interleaved }),
		},
		ratios: []ratio{
			{num: "lakeops interleaved", den: "lakeops dates in order", timeGoal: 1.2, timeText: "≤ 1.2× time"},
			{num: "lakeops interleaved", den: "DuckDB interleaved", timeGoal: 0.4, timeText: "≤ 0.4× time"},
		},
	}
}

// oneFileSide loads one order_items file into the interleaved case's lake.
func oneFileSide(name string, file func(*interleaved) string) side {
	return side{name: name, run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		il := w.il
		dir := w.path("timed-lake")
		defer os.RemoveAll(dir)
		src := file(il)
		if err := lakeWith(dir, il.pre, "", nil); err != nil {
			return measure{}, err
		}
		if err := linkFile(src, filepath.Join(dir, "bronze_layer", "order_items", filepath.Base(src))); err != nil {
			return measure{}, err
		}
		m, s, err := w.run(ctx, dir)
		if err == nil && s.Totals.RowsRead != int64(il.rows) {
			err = fmt.Errorf("read %d rows, want %d", s.Totals.RowsRead, il.rows)
		}
		return m, err
	}}
}

// forceCase: run --force over loaded, unchanged files (which finds them as
// their load left them), and with --recheck (every row checked again),
// against the full load and against DuckDB's upsert of the same rows.
func forceCase() *benchCase {
	return &benchCase{
		name: "force",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			if _, err := w.fullDailyLake(ctx); err != nil {
				return "", err
			}
			if _, err := w.duckDailyTable(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("run --force over the %d daily order_items files already loaded (%d rows, nothing changed)",
				len(w.dailyItems), w.daily.items), nil
		},
		sides: []side{
			forcedSide("lakeops run --force", "--force"),
			forcedSide("lakeops run --force --recheck", "--force", "--recheck"),
			fullLoadSide(),
			{name: "DuckDB upsert", run: func(ctx context.Context, w *workspace, i int) (measure, error) {
				out := w.path("timed-duckdb")
				defer os.RemoveAll(out)
				os.RemoveAll(out)
				m, n, err := w.peer(ctx, "upsert", filepath.Join(w.daily.dir, "order_items"), w.duckDaily, out)
				if err == nil && n == 0 {
					err = fmt.Errorf("DuckDB wrote no rows")
				}
				return m, err
			}},
		},
		ratios: []ratio{
			{num: "lakeops run --force", den: "lakeops full load", timeGoal: 0.5, absMemGoalMB: 200, timeText: "≤ 0.5× time", memTxt: "≤ 200 MB"},
			{num: "lakeops run --force", den: "DuckDB upsert"},
			{num: "lakeops run --force --recheck", den: "lakeops full load"},
		},
	}
}

// forcedSide is a forced run over the loaded daily files, which must find
// nothing to change.
func forcedSide(name string, flags ...string) side {
	return side{name: name, run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		dir := w.path("timed-lake")
		defer os.RemoveAll(dir)
		if err := lakeWith(dir, w.fullDaily, "", nil); err != nil {
			return measure{}, err
		}
		m, s, err := w.run(ctx, dir, append(flags, w.dailyItems...)...)
		if err == nil && (s.Totals.Inserted != 0 || s.Totals.Updated != 0 || s.Totals.Unchanged != s.Totals.Accepted) {
			err = fmt.Errorf("a forced run over unchanged data inserted %d, updated %d rows", s.Totals.Inserted, s.Totals.Updated)
		}
		return m, err
	}}
}

// redelivery holds the redeliver case's data.
type redelivery struct {
	file    string
	day     string
	rows    int
	changed int
}

// redeliverCase: one day delivered again with a tenth of its rows
// changed, against DuckDB's upsert of that day and the full load.
func redeliverCase() *benchCase {
	return &benchCase{
		name: "redeliver",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			if _, err := w.fullDailyLake(ctx); err != nil {
				return "", err
			}
			if _, err := w.duckDailyTable(ctx); err != nil {
				return "", err
			}
			files, err := csvFiles(filepath.Join(w.daily.dir, "order_items"))
			if err != nil {
				return "", err
			}
			src := files[len(files)/2]
			rd := &redelivery{file: w.path("redeliver", strings.TrimSuffix(filepath.Base(src), ".csv")+"_redelivered.csv")}
			if rd.changed, err = redeliverCSV(rd.file, src); err != nil {
				return "", err
			}
			_, lines, err := csvBody(rd.file)
			if err != nil {
				return "", err
			}
			rd.rows = len(lines)
			if rd.day, err = dayOf(lines); err != nil {
				return "", err
			}
			w.rd = rd
			return fmt.Sprintf("the order_items of %s re-delivered (%d rows, %d of them changed) into the loaded lake", rd.day, rd.rows, rd.changed), nil
		},
		sides: []side{
			{name: "lakeops run", run: func(ctx context.Context, w *workspace, i int) (measure, error) {
				rd := w.rd
				dir := w.path("timed-lake")
				defer os.RemoveAll(dir)
				if err := lakeWith(dir, w.fullDaily, "", nil); err != nil {
					return measure{}, err
				}
				if err := linkFile(rd.file, filepath.Join(dir, "bronze_layer", "order_items", filepath.Base(rd.file))); err != nil {
					return measure{}, err
				}
				m, s, err := w.run(ctx, dir)
				if err == nil && (s.Totals.Updated == 0 || s.Totals.Updated > int64(rd.changed) || s.Totals.Inserted != 0) {
					err = fmt.Errorf("the re-delivery updated %d rows and inserted %d; %d were changed", s.Totals.Updated, s.Totals.Inserted, rd.changed)
				}
				return m, err
			}},
			fullLoadSide(),
			{name: "DuckDB day upsert", run: func(ctx context.Context, w *workspace, i int) (measure, error) {
				rd := w.rd
				out := w.path("timed-duckdb")
				defer os.RemoveAll(out)
				os.RemoveAll(out)
				m, n, err := w.peer(ctx, "upsert-day", rd.file, w.duckDaily, out, rd.day)
				if err == nil && n == 0 {
					err = fmt.Errorf("DuckDB wrote no rows")
				}
				return m, err
			}},
		},
		ratios: []ratio{
			{num: "lakeops run", den: "DuckDB day upsert", timeGoal: 1.2, timeText: "≤ 1.2× time"},
			{num: "lakeops run", den: "lakeops full load", timeGoal: 0.25, timeText: "≤ 0.25× time"},
		},
	}
}

// dayOf is the date column of the first order_items row that has one.
func dayOf(lines [][]byte) (string, error) {
	for _, l := range lines {
		f := strings.Split(strings.TrimSpace(string(l)), ",")
		if len(f) == 9 && len(f[8]) == 10 {
			return f[8], nil
		}
	}
	return "", fmt.Errorf("no row with a date")
}

// smallFiles holds the small-files case's data.
type smallFiles struct {
	small, big        string // raw folders: one file per day and dataset; the same rows in 15 files per dataset
	files, rows       int64
	smallN, bigFilesN int
}

// smallFilesCase: a file per day and dataset, against the same rows in 15
// files per dataset.
func smallFilesCase() *benchCase {
	return &benchCase{
		name: "small-files",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			d, err := w.generate(ctx, "small-raw", w.cfg.Items*65/100, 0)
			if err != nil {
				return "", err
			}
			sf := &smallFiles{small: d.dir, big: w.path("small-raw-15")}
			if err := linkFile(filepath.Join(d.dir, "products.csv"), filepath.Join(sf.big, "products.csv")); err != nil {
				return "", err
			}
			_, products, err := csvBody(filepath.Join(d.dir, "products.csv"))
			if err != nil {
				return "", err
			}
			sf.rows = int64(len(products)) + d.items + d.orders
			sf.smallN, sf.bigFilesN = 1, 1
			for _, ds := range []string{"orders", "order_items"} {
				files, err := csvFiles(filepath.Join(d.dir, ds))
				if err != nil {
					return "", err
				}
				sf.smallN += len(files)
				const groups = 15
				for g := range groups {
					part := files[g*len(files)/groups : (g+1)*len(files)/groups]
					if len(part) == 0 {
						continue
					}
					if err := concatCSV(filepath.Join(sf.big, ds, fmt.Sprintf("%s_part_%02d.csv", ds, g)), part); err != nil {
						return "", err
					}
					sf.bigFilesN++
				}
			}
			w.sf = sf
			return fmt.Sprintf("%d small files (a file per day and dataset), %d rows, into an empty lake, against the same rows in %d files",
				sf.smallN, sf.rows, sf.bigFilesN), nil
		},
		sides: []side{
			rawFolderSide("lakeops small files", func(sf *smallFiles) string { return sf.small }),
			rawFolderSide("lakeops 15 files", func(sf *smallFiles) string { return sf.big }),
		},
		ratios: []ratio{{num: "lakeops small files", den: "lakeops 15 files", timeGoal: 1.5, timeText: "≤ 1.5× time"}},
	}
}

// rawFolderSide loads a whole raw folder into an empty lake.
func rawFolderSide(name string, raw func(*smallFiles) string) side {
	return side{name: name, run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		sf := w.sf
		dir := w.path("timed-lake")
		defer os.RemoveAll(dir)
		if err := lakeWith(dir, "", raw(sf), nil); err != nil {
			return measure{}, err
		}
		m, s, err := w.run(ctx, dir)
		if err == nil && s.Totals.RowsRead != sf.rows {
			err = fmt.Errorf("read %d rows, want %d", s.Totals.RowsRead, sf.rows)
		}
		return m, err
	}}
}

// itemsGlob is the order_items Parquet files of the loaded lake.
func (w *workspace) itemsGlob() string {
	return filepath.Join(w.fullDaily, "silver_layer", "order_items", "date=*", "*.parquet")
}

// readCase: table read to CSV and JSON lines, against DuckDB's COPY … TO.
func readCase() *benchCase {
	return &benchCase{
		name: "read",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			if _, err := w.fullDailyLake(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("table read of order_items (%d rows, %d files) to a file, against DuckDB's COPY … TO of the same Parquet files",
				w.fullRows, len(w.dailyItems)), nil
		},
		sides: []side{tableReadSide("csv"), duckReadSide("csv"), tableReadSide("jsonl"), duckReadSide("json")},
		ratios: []ratio{
			{num: "lakeops table read csv", den: "DuckDB COPY csv", timeGoal: 1.0, timeText: "≤ 1.0× time"},
			{num: "lakeops table read jsonl", den: "DuckDB COPY json", timeGoal: 1.0, timeText: "≤ 1.0× time"},
		},
	}
}

func tableReadSide(format string) side {
	return side{name: "lakeops table read " + format, run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		out := w.path("timed-out." + format)
		defer os.Remove(out)
		m, _, err := child(ctx, w.cfg.Exe, out, "table", "read", filepath.Join(w.fullDaily, "silver_layer", "order_items"), "--format", format)
		if err != nil {
			return m, err
		}
		want := w.fullRows
		if format == "csv" {
			want++ // the header
		}
		if n, err := countLines(out); err != nil || n != want {
			return m, fmt.Errorf("wrote %d lines, want %d (%v)", n, want, err)
		}
		return m, nil
	}}
}

func duckReadSide(format string) side {
	return side{name: "DuckDB COPY " + format, run: func(ctx context.Context, w *workspace, i int) (measure, error) {
		out := w.path("timed-out." + format)
		defer os.Remove(out)
		m, n, err := w.peer(ctx, "read", w.itemsGlob(), out, format)
		if err == nil && n != w.fullRows {
			err = fmt.Errorf("DuckDB wrote %d rows, want %d", n, w.fullRows)
		}
		return m, err
	}}
}

// queryCase: a count on a fresh process, against DuckDB's read_parquet.
func queryCase() *benchCase {
	return &benchCase{
		name: "query",
		prepare: func(ctx context.Context, w *workspace) (string, error) {
			if _, err := w.fullDailyLake(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("SELECT count(*) FROM order_items (%d rows, %d files) on a fresh process, against DuckDB's read_parquet of the same files (median of 5 runs each time)",
				w.fullRows, len(w.dailyItems)), nil
		},
		repeat: 5,
		sides: []side{
			{name: "lakeops query", run: func(ctx context.Context, w *workspace, i int) (measure, error) {
				m, out, err := child(ctx, w.cfg.Exe, "", "--lake", w.fullDaily, "query", "--format", "csv", "SELECT count(*) FROM order_items")
				if err != nil {
					return m, err
				}
				var n int64
				lines := strings.Fields(string(out))
				if len(lines) != 2 {
					return m, fmt.Errorf("query printed %q", out)
				}
				if _, err := fmt.Sscan(lines[1], &n); err != nil || n != w.fullRows {
					return m, fmt.Errorf("query counted %q, want %d", lines[1], w.fullRows)
				}
				return m, nil
			}},
			{name: "DuckDB read_parquet", run: func(ctx context.Context, w *workspace, i int) (measure, error) {
				m, n, err := w.peer(ctx, "count", w.itemsGlob())
				if err == nil && n != w.fullRows {
					err = fmt.Errorf("DuckDB counted %d, want %d", n, w.fullRows)
				}
				return m, err
			}},
		},
		ratios: []ratio{{num: "lakeops query", den: "DuckDB read_parquet", timeGoal: 1.5, timeText: "≤ 1.5× time"}},
	}
}
