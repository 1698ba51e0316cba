package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/aws/query/sqllex"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func queryCommand(g *Globals, env Env) *cobra.Command {
	var engine, cacheDir string
	var cacheLimit int64
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "run SQL on the lake: DuckDB locally, or Athena",
		Long: `Runs SQL on the lake. Locally (DuckDB) the tables are views over the current Delta snapshots —
products, orders, order_items, rejected_<dataset>, ingest_log; orders@v3 for an older version —
sandboxed to the lake (see --unsafe-sql-file-access). With --engine athena (the default with
--aws) it runs in Athena with the database, workgroup and result location of the settings
(--database, --workgroup, --output-location or the configuration's lake). Rows go to stdout;
the row count and time to stderr.`,
		Example: `  lakeops query "SELECT date, count(*) FROM order_items GROUP BY 1 ORDER BY 1"
  lakeops query --format json "SELECT * FROM orders LIMIT 3" | jq '.[0]'
  lakeops --use prod query --engine athena "SELECT count(*) FROM orders"`,
		Args: minArgs(1, `the SQL to run, e.g. lakeops query "SELECT count(*) FROM orders"`),
	}
	f := cmd.Flags()
	f.StringVar(&engine, "engine", "", "local (DuckDB over the lake) or athena (default: athena with --aws, else local)")
	f.StringVar(&cacheDir, "cache-dir", "", "local engine: cache for data files of a remote lake (default: the user cache directory)")
	f.Int64Var(&cacheLimit, "cache-limit", 0, "local engine: most bytes of data files one statement may need from a remote lake (default 2 GiB)")
	out := addFormat(cmd, false, formatTable, formatCSV, formatJSON, formatJSONL)
	_ = cmd.RegisterFlagCompletionFunc("engine", cobra.FixedCompletions([]string{"local", "athena"}, cobra.ShellCompDirectiveNoFileComp))
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		if engine == "" {
			engine = "local"
			if g.AWS {
				engine = "athena"
			}
		}
		if err := oneOf("engine", engine, "local", "athena"); err != nil {
			return err
		}
		ctx := cmd.Context()
		eng, err := g.root.Engine(ctx, EngineOptions{Athena: engine == "athena",
			Local: duck.Options{CacheDir: cacheDir, CacheLimitBytes: cacheLimit, Progress: fetchProgress(env.Stderr)}})
		if err != nil {
			return err
		}
		return runScript(ctx, eng, strings.Join(args, " "), format, env)
	})
	return cmd
}

// runScript runs SQL of one statement or several. Of several, each one's
// result is printed, in order, as psql and the duckdb shell do: in table
// format each under its statement; in json an array of {"statement",
// "rows"}; csv and jsonl, one stream of rows, are refused (a usage error)
// before anything runs.
func runScript(ctx context.Context, eng query.Engine, sql, format string, env Env) error {
	stmts := sqllex.Statements(sql)
	if len(stmts) <= 1 {
		return runStatement(ctx, eng, sql, format, env.Stdout, env.Stderr)
	}
	switch format {
	case formatCSV, formatJSONL:
		return usagef("--format %s prints the rows of one statement, and this SQL holds %d: run them one at a time, "+
			"or use --format table or json (each statement's result)", format, len(stmts))
	case formatJSON:
		if _, err := io.WriteString(env.Stdout, "["); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		for i, st := range stmts {
			text, _ := json.Marshal(st) // a string always encodes
			sep := ",\n"
			if i == 0 {
				sep = "\n"
			}
			if _, err := fmt.Fprintf(env.Stdout, "%s{\"statement\": %s, \"rows\": ", sep, text); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			if err := runStatement(ctx, eng, st, format, env.Stdout, env.Stderr); err != nil {
				return err
			}
			if _, err := io.WriteString(env.Stdout, "}"); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		_, err := io.WriteString(env.Stdout, "\n]\n")
		return err
	}
	for i, st := range stmts {
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		fmt.Fprintf(env.Stdout, "-- %s\n", textfmt.Sanitize(oneLine(st)))
		if err := runStatement(ctx, eng, st, format, env.Stdout, env.Stderr); err != nil {
			return err
		}
	}
	return nil
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
func runStatement(ctx context.Context, eng query.Engine, sql, format string, stdout, stderr io.Writer) error {
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
	out := bufio.NewWriterSize(stdout, 64<<10)
	var w rowfmt.Writer
	var tbl *textTable
	var array *jsonArrayWriter
	switch format {
	case formatCSV:
		if w, err = rowfmt.NewCSV(out, names); err != nil {
			return err
		}
	case formatJSONL:
		w = rowfmt.NewJSONL(out, names)
	case formatJSON:
		array = &jsonArrayWriter{w: out}
		w = rowfmt.NewJSONL(array, names)
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
		case format == formatJSON || format == formatJSONL:
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
	if array != nil {
		if err := array.Close(); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if tbl != nil {
		st := rows.Stats()
		fmt.Fprintf(stderr, "%s in %s\n", textfmt.Rows(int64(n)), textfmt.Duration(st.Elapsed))
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
