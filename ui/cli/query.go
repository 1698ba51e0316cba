package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/athena"
	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func runQuery(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	defEngine := "local"
	if g.AWS {
		defEngine = "athena"
	}
	engine := fs.String("engine", defEngine, "local (DuckDB over the lake) or athena")
	format := fs.String("format", "table", "output format: table, csv or json (one object per line)")
	cacheDir := fs.String("cache-dir", "", "local engine: cache for data files of a remote lake (default: the user cache directory)")
	cacheLimit := fs.Int64("cache-limit", 0, "local engine: most bytes of data files one statement may need from a remote lake (default 2 GiB)")
	database := fs.String("database", "", "athena: Glue database")
	workgroup := fs.String("workgroup", "", "athena: workgroup (default: primary)")
	output := fs.String("output-location", "", "athena: s3://bucket/prefix/ for results (default: the workgroup's)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("query needs the SQL to run, e.g. lakeops query \"SELECT count(*) FROM orders\"")
	}
	if err := oneOf("format", *format, "table", "csv", "json"); err != nil {
		return err
	}
	if err := oneOf("engine", *engine, "local", "athena"); err != nil {
		return err
	}
	eng, err := g.root.Engine(ctx, EngineOptions{Athena: *engine == "athena",
		Local:         duck.Options{CacheDir: *cacheDir, CacheLimitBytes: *cacheLimit, Progress: fetchProgress(env.Stderr)},
		AthenaOptions: athena.Options{Database: *database, Workgroup: *workgroup, OutputLocation: *output}})
	if err != nil {
		return err
	}
	return runStatement(ctx, eng, strings.Join(pos, " "), *format, env)
}

// fetchProgress prints the progress of fetches into the query cache, for
// fetches of 8 MiB or more, on one rewritten stderr line.
func fetchProgress(w io.Writer) func(done, total int64) {
	return func(done, total int64) {
		if total < 8<<20 {
			return
		}
		fmt.Fprintf(w, "\rfetching data files into the query cache: %s of %s", textfmt.Bytes(done), textfmt.Bytes(total))
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

// runStatement runs one statement and writes its result to stdout; the
// row count and time go to stderr in table format.
func runStatement(ctx context.Context, eng query.Engine, sql, format string, env Env) error {
	rows, err := eng.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := rows.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	var w rowfmt.Writer
	var tbl *textTable
	switch format {
	case "csv":
		if w, err = rowfmt.NewCSV(out, names); err != nil {
			return err
		}
	case "json":
		w = rowfmt.NewJSONL(out, names)
	default:
		tbl = newTextTable(cols)
	}
	n := 0
	for {
		row, err := rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = out.Flush()
			return err
		}
		n++
		switch {
		case tbl != nil:
			tbl.add(row)
		case format == "json":
			err = w.Write(jsonValues(cols, row))
		default:
			err = w.Write(row)
		}
		if err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if tbl != nil {
		tbl.write(out)
	} else if err := w.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if tbl != nil {
		st := rows.Stats()
		fmt.Fprintf(env.Stderr, "%s in %s\n", textfmt.Rows(int64(n)), textfmt.Duration(st.Elapsed))
	}
	return nil
}

// jsonValues turns DECIMAL text back into decimals, which rowfmt writes as
// JSON numbers; other values are written as they are.
func jsonValues(cols []query.Column, row []any) []any {
	for i, v := range row {
		s, ok := v.(string)
		if !ok || !strings.HasPrefix(strings.ToUpper(cols[i].Type), "DECIMAL") {
			continue
		}
		if d, ok := parseDecimal(s); ok {
			row[i] = d
		}
	}
	return row
}

func parseDecimal(s string) (parquetrows.Decimal, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	u, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok || strings.ContainsAny(s, "eE+") {
		return parquetrows.Decimal{}, false
	}
	return parquetrows.Decimal{Unscaled: u, Scale: int32(len(frac))}, true
}

// textTable aligns a result in columns: cells sanitized, NULL for null,
// numbers right-aligned.
type textTable struct {
	cols    []query.Column
	rows    [][]string
	widths  []int
	numeric []bool
}

func newTextTable(cols []query.Column) *textTable {
	t := &textTable{cols: cols, widths: make([]int, len(cols)), numeric: make([]bool, len(cols))}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = textfmt.Sanitize(c.Name)
		t.numeric[i] = isNumericType(c.Type)
	}
	t.addCells(header)
	return t
}

func isNumericType(typ string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(typ), "(")
	switch base {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
		"FLOAT", "DOUBLE", "DECIMAL", "INT", "REAL":
		return true
	}
	return false
}

func (t *textTable) add(row []any) {
	cells := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			cells[i] = "NULL"
			continue
		}
		cells[i] = textfmt.Sanitize(rowfmt.Text(v))
	}
	t.addCells(cells)
}

func (t *textTable) addCells(cells []string) {
	for i, c := range cells {
		t.widths[i] = max(t.widths[i], utf8.RuneCountInString(c))
	}
	t.rows = append(t.rows, cells)
}

func (t *textTable) write(w io.Writer) {
	for r, cells := range t.rows {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(c))
			switch {
			case t.numeric[i]:
				b.WriteString(pad + c)
			case i == len(cells)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, b.String())
		if r == 0 {
			seps := make([]string, len(t.widths))
			for i, wd := range t.widths {
				seps[i] = strings.Repeat("-", wd)
			}
			fmt.Fprintln(w, strings.Join(seps, "  "))
		}
	}
}
