package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	s := statsOf([]float64{3, 1, 2})
	if s != (stats{median: 2, min: 1, max: 3}) {
		t.Fatalf("odd count: %+v", s)
	}
	if s := statsOf([]float64{4, 1, 2, 3}); s.median != 2.5 {
		t.Fatalf("even count: %+v", s)
	}
	if got := s.text("%.1f"); got != "2.0 [1.0–3.0]" {
		t.Fatalf("text: %q", got)
	}
	if got := statsOf([]float64{5}).text("%.0f"); got != "5" {
		t.Fatalf("one value: %q", got)
	}
}

func writeCSV(t *testing.T, path, content string) string {
	t.Helper()
	if err := writeFile(path, []byte(content)); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCSVShapes(t *testing.T) {
	dir := t.TempDir()
	a := writeCSV(t, filepath.Join(dir, "a.csv"), "h\na1\na2\na3\n")
	b := writeCSV(t, filepath.Join(dir, "b.csv"), "h\nb1\n")
	c := writeCSV(t, filepath.Join(dir, "c.csv"), "h\nc1\nc2") // no final newline
	rows, err := interleaveCSV(filepath.Join(dir, "il.csv"), []string{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "il.csv"))
	if rows != 6 || string(got) != "h\na1\nb1\nc1\na2\nc2\na3\n" {
		t.Fatalf("interleaved %d rows: %q", rows, got)
	}
	if err := concatCSV(filepath.Join(dir, "cat.csv"), []string{a, b, c}); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(filepath.Join(dir, "cat.csv"))
	if string(got) != "h\na1\na2\na3\nb1\nc1\nc2\n" {
		t.Fatalf("concatenated: %q", got)
	}
	if n, err := countLines(filepath.Join(dir, "cat.csv")); err != nil || n != 7 {
		t.Fatalf("countLines = %d, %v", n, err)
	}
}

func TestRedeliverChangesEveryTenthValidRow(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n")
	for i := range 30 {
		switch i {
		case 10:
			b.WriteString("x,broken\n") // a dirty row is left as it is
		default:
			b.WriteString("1,2,3,4,5,7,1,2025-04-01T10:00:00,2025-04-01\n")
		}
	}
	src := writeCSV(t, filepath.Join(dir, "items.csv"), b.String())
	changed, err := redeliverCSV(filepath.Join(dir, "re.csv"), src)
	if err != nil {
		t.Fatal(err)
	}
	_, lines, err := csvBody(filepath.Join(dir, "re.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if changed != 2 || len(lines) != 30 {
		t.Fatalf("changed %d of %d rows", changed, len(lines))
	}
	for i, l := range lines {
		want := "1,2,3,4,5,7,1,2025-04-01T10:00:00,2025-04-01\n"
		switch i {
		case 0, 20:
			want = "1,2,3,4,5,8,1,2025-04-01T10:00:00,2025-04-01\n"
		case 10:
			want = "x,broken\n"
		}
		if string(l) != want {
			t.Fatalf("row %d: %q, want %q", i, l, want)
		}
	}
	if day, err := dayOf(lines); err != nil || day != "2025-04-01" {
		t.Fatalf("dayOf = %q, %v", day, err)
	}
}

func TestLinkTreeKeepsOriginals(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeCSV(t, filepath.Join(src, "a", "x.csv"), "x")
	writeCSV(t, filepath.Join(src, "b", "y.csv"), "y")
	if err := linkTree(src, dst, func(rel string) bool { return strings.HasPrefix(rel, "a/") }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "a", "x.csv")); err != nil || string(b) != "x" {
		t.Fatalf("linked file: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "b", "y.csv")); !os.IsNotExist(err) {
		t.Fatalf("file not selected was linked: %v", err)
	}
}

// Linking again over the links of an earlier bench (a kept --dir) keeps the
// data, and a different file in the way is replaced.
func TestLinkFileAgainKeepsTheData(t *testing.T) {
	dir := t.TempDir()
	src, dst, other := filepath.Join(dir, "src.csv"), filepath.Join(dir, "b", "dst.csv"), filepath.Join(dir, "other.csv")
	writeCSV(t, src, "a,b\n1,2\n")
	for range 2 {
		if err := linkFile(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{src, dst} {
		if b, err := os.ReadFile(p); err != nil || string(b) != "a,b\n1,2\n" {
			t.Fatalf("%s after linking twice: %q %v", p, b, err)
		}
	}
	writeCSV(t, other, "x\n")
	if err := linkFile(other, dst); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "x\n" {
		t.Fatalf("dst after linking another file: %q", b)
	}
	if b, _ := os.ReadFile(src); string(b) != "a,b\n1,2\n" {
		t.Fatalf("src changed: %q", b)
	}
}

// TestReportRatiosAndGoals runs a case of made-up sides and checks the
// medians, the run-by-run ratios and the verdicts printed.
func TestReportRatiosAndGoals(t *testing.T) {
	walls := map[string][]float64{"a": {1, 3, 2}, "b": {2, 4, 8}}
	fake := func(name string) side {
		return side{name: name, run: func(_ context.Context, _ *workspace, i int) (measure, error) {
			return measure{wall: walls[name][i], cpu: 2 * walls[name][i], rss: 10 * walls[name][i]}, nil
		}}
	}
	c := &benchCase{
		name:    "fake",
		prepare: func(context.Context, *workspace) (string, error) { return "made up", nil },
		sides:   []side{fake("a"), fake("b")},
		ratios: []ratio{
			{num: "a", den: "b", timeGoal: 0.5, timeText: "≤ 0.5× time"},
			{num: "a", den: "b", timeGoal: 0.6, memGoal: 0.4, timeText: "≤ 0.6× time", memTxt: "≤ 0.4× memory"},
			{num: "a", den: "b"},
		},
	}
	var out bytes.Buffer
	w := &workspace{cfg: Config{Runs: 3, Out: &out, Log: &bytes.Buffer{}}}
	if err := w.runCase(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"fake — made up",
		"a  2.000 [1.000–3.000] s   CPU 4.000 [2.000–6.000] s   20 [10–30] MB",
		"b  4.000 [2.000–8.000] s   CPU 8.000 [4.000–16.000] s   40 [20–80] MB",
		// run-by-run ratios 0.5, 0.75, 0.25: median 0.5
		"a / b: 0.50 [0.25–0.75]× time, 0.50 [0.25–0.75]× CPU, 0.50 [0.25–0.75]× memory — goal ≤ 0.5× time: met",
		"goal ≤ 0.6× time, ≤ 0.4× memory: NOT met",
		"a / b: 0.50 [0.25–0.75]× time, 0.50 [0.25–0.75]× CPU, 0.50 [0.25–0.75]× memory\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

func TestUnknownCase(t *testing.T) {
	err := Run(context.Background(), Config{Cases: []string{"nope"}, Out: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "small-files") {
		t.Fatalf("err = %v", err)
	}
}
