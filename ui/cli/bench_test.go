package cli

import (
	"context"
	"os"
	"strings"
	"testing"
)

// asCLI makes the test binary run lakeops: bench runs its children through
// os.Executable, which in a test is this binary.
const asCLI = "LAKEOPS_TEST_BINARY_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

// TestBenchEveryCase runs every bench case on a few thousand rows: each
// side's children run and pass their checks (rows read, rows written,
// counts), and the report has every case's sides and ratios.
func TestBenchEveryCase(t *testing.T) {
	t.Setenv(asCLI, "1")
	out, errOut, code := run(t, "bench", "--items", "3000", "--runs", "1", "--dir", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"daily — ", "lakeops full load / DuckDB: ",
		"interleaved — ", "lakeops interleaved / lakeops dates in order: ", "lakeops interleaved / DuckDB interleaved: ",
		"force — ", "lakeops run --force / lakeops full load: ", "lakeops run --force / DuckDB upsert: ", "lakeops run --force --recheck / lakeops full load: ",
		"redeliver — ", "lakeops run / DuckDB day upsert: ", "lakeops run / lakeops full load: ",
		"small-files — ", "lakeops small files / lakeops 15 files: ",
		"read — ", "lakeops table read csv / DuckDB COPY csv: ", "lakeops table read jsonl / DuckDB COPY json: ",
		"query — ", "lakeops query / DuckDB read_parquet: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	ratios := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  ") && strings.Contains(l, " / ") && strings.Contains(l, "× memory") {
			ratios++
		}
	}
	if ratios != 12 {
		t.Errorf("%d ratios, want 12", ratios)
	}
	if t.Failed() {
		t.Logf("report:\n%s", out)
	}
}

func TestBenchUsage(t *testing.T) {
	if _, errOut, code := run(t, "bench", "--case", "daily,weekly"); code == 0 || !strings.Contains(errOut, `"weekly"`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, "bench-duckdb", "frobnicate"); code == 0 || !strings.Contains(errOut, "frobnicate") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestBenchChildrenReadNoConfig: a configuration that makes every lake
// read-only (as a careful user's may) does not reach the bench's children,
// which load lakes of their own.
func TestBenchChildrenReadNoConfig(t *testing.T) {
	t.Setenv(asCLI, "1")
	dir := t.TempDir()
	writeFile(t, dir+"/lakeops/config.toml", "read_only = true\n")
	t.Setenv("XDG_CONFIG_HOME", dir)
	out, errOut, code := run(t, "bench", "--case", "daily", "--items", "2000", "--runs", "1", "--dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "lakeops full load / DuckDB: ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
