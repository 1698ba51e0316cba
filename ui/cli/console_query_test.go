package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/ui/uitest"
	queryview "github.com/lakeops/lakeops/views/query"
)

// TestConsoleQueryOnDuckDB drives the real console with the real DuckDB
// engine: type a query, run it and see rows; recall it from history after
// another one; export the result to CSV.
func TestConsoleQueryOnDuckDB(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := gen.Generate(ctx, filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 300, Days: 1, Seed: 4}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(ctx, lake.New(st), pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	exports := t.TempDir()
	parts := consoleParts{queryOpts: []queryview.Option{queryview.HistoryFile(filepath.Join(t.TempDir(), "history.sql")),
		queryview.ExportDir(exports)}}
	tm := startConsole(t, testRoot(t, dir), parts, 100, 30)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "products.csv")
	tm.Send(uitest.Key("5"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "SQL")
	tm.Type("SELECT department, count(*) AS n FROM products GROUP BY 1 ORDER BY 1")
	tm.Send(uitest.Key("ctrl+r"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "Books", "rows")
	tm.Send(uitest.Key("ctrl+u"))
	tm.Type("SELECT count(*) AS total_items FROM order_items")
	tm.Send(uitest.Key("ctrl+r"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "total_items")
	// History: ctrl+p twice brings back the first statement.
	tm.Send(uitest.Key("ctrl+p"))
	tm.Send(uitest.Key("ctrl+p"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "GROUP BY 1 ORDER BY 1")
	tm.Send(uitest.Key("ctrl+r"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "department")
	// Export the result as CSV.
	tm.Send(uitest.Key("esc"))
	tm.Send(uitest.Key("e"))
	tm.Send(uitest.Key("c"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(exports)
		if len(entries) == 1 {
			b, err := os.ReadFile(filepath.Join(exports, entries[0].Name()))
			if err == nil && strings.HasPrefix(string(b), "department,n\n") && strings.Contains(string(b), "Books,") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no CSV export in %s: %v", exports, entries)
		}
		time.Sleep(20 * time.Millisecond)
	}
	quit(t, tm)
}

// TestConsoleCompletionSeesNewTables: the console opens on a lake with no
// tables yet; after R loads the raw files, tab in the Query view completes
// the new table's name without a restart.
func TestConsoleCompletionSeesNewTables(t *testing.T) {
	c, jm := newConsole(t, 300)
	waitFrame(t, c, "the raw files", shows([]string{"products.csv"}))
	c.Send(uitest.Key("5"))
	waitFrame(t, c, "the editor", shows([]string{"SQL"}))
	c.Type("SELECT * FROM order_it")
	c.Send(uitest.Key("tab"))
	waitFrame(t, c, "no table yet", shows([]string{"no table or column name starts with order_it"}, "SELECT * FROM order_items"))
	c.Send(uitest.Key("esc"))
	c.Send(uitest.Key("1"))
	c.Send(uitest.Key("R"))
	waitFrame(t, c, "the run's end", func(string) bool { return jm.Snapshot().Ended == 1 })
	c.Send(uitest.Key("5"))
	waitFrame(t, c, "the Query view", shows([]string{"SQL · local engine"}))
	c.Send(uitest.Key("i")) // edit again
	waitFrame(t, c, "the editor again", shows([]string{"SELECT * FROM order_it", "editing"}))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.p.Screen(), "SELECT * FROM order_items") {
		if time.Now().After(deadline) {
			t.Fatalf("tab did not complete the new table:\n%s", c.p.Screen())
		}
		c.Send(uitest.Key("tab"))
		time.Sleep(50 * time.Millisecond)
	}
	quit(t, c)
}
