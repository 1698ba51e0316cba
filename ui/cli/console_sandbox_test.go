package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakeops/lakeops/ui/uitest"
	queryview "github.com/lakeops/lakeops/views/query"
)

// TestConsoleQueryShowsRefusals drives the Query view on the real DuckDB
// engine: reading a file outside the lake and COPY … TO show the sandbox's
// refusal in place, and under --read-only a CREATE shows its refusal; no
// file is written.
func TestConsoleQueryShowsRefusals(t *testing.T) {
	dir := genLake(t, 200)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	writeFile(t, secret, "user,password\nroot,hunter2\n")
	target := filepath.Join(outside, "x.csv")
	parts := consoleParts{queryOpts: []queryview.Option{queryview.HistoryFile(filepath.Join(t.TempDir(), "history.sql"))}}

	tm := startConsole(t, testRoot(t, dir), parts, 220, 40)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "bronze_layer")
	tm.Send(uitest.Key("5"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "SQL")
	tm.Type("SELECT * FROM read_csv('" + secret + "')")
	tm.Send(uitest.Key("ctrl+r"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "local file access is off", "--unsafe-sql-file-access")
	tm.Send(uitest.Key("ctrl+u"))
	tm.Type("COPY (SELECT 1) TO '" + target + "'")
	tm.Send(uitest.Key("ctrl+r"))
	// The frame, not the output stream: the renderer rewrites only the cells
	// that differ from the first refusal's, so the second never streams whole.
	waitFrame(t, tm, "the COPY's refusal", shows([]string{`file "` + target + `" is outside the lake's tables`}))
	quit(t, tm)

	g := &Globals{Lake: dir, ReadOnly: true}
	r := newRoot(g, Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	g.root = r
	t.Cleanup(func() { r.Close() })
	tm = startConsole(t, r, parts, 220, 40)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "bronze_layer")
	tm.Send(uitest.Key("5"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "SQL")
	tm.Type("CREATE TABLE t AS SELECT 1 AS a")
	tm.Send(uitest.Key("ctrl+r"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "--read-only runs only statements that read")
	quit(t, tm)
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused COPY wrote %s: %v", target, err)
	}
}
