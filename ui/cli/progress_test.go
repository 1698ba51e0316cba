package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// Progress lines come at most one a second per file and stage, but a
// stage's last event is printed even within the second.
func TestProgressPrinterPrintsEachStageEnd(t *testing.T) {
	var out bytes.Buffer
	p := newProgressPrinter(&out)
	ev := func(stage pipeline.Stage, read, rows int64, end bool) {
		p.event(pipeline.Event{File: "big.csv", Stage: stage, BytesRead: read, BytesTotal: 1000, Rows: rows, StageEnd: end})
	}
	ev(pipeline.StageScan, 100, 10, false)
	ev(pipeline.StageScan, 620, 62, false)  // within the second: left out
	ev(pipeline.StageScan, 1000, 95, false) // read to the end, rows still coming: left out
	ev(pipeline.StageScan, 1000, 100, true) // the stage's end
	ev(pipeline.StageMerge, 50, 5, false)
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"big.csv: scan  10% 10 rows", "big.csv: scan 100% 100 rows", "big.csv: merge   5% 5 rows (0 rejected)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A run of many files gets one line for them all, a second apart and once
// at the end, and the lines of the files that failed; not three lines a
// file.
func TestProgressPrinterSumsUpManyFiles(t *testing.T) {
	var out bytes.Buffer
	p := newProgressPrinter(&out)
	const n = 300
	name := func(i int) string { return fmt.Sprintf("f%03d.csv", i) }
	for i := range n {
		p.event(pipeline.Event{File: name(i), Stage: pipeline.StageQueued})
	}
	for i := range n {
		p.event(pipeline.Event{File: name(i), Stage: pipeline.StageScan, BytesRead: 10, BytesTotal: 10, Rows: 10, StageEnd: true})
		p.event(pipeline.Event{File: name(i), Stage: pipeline.StageMerge, BytesRead: 10, BytesTotal: 10, Rows: 10, StageEnd: true})
		res := &pipeline.FileResult{File: name(i), Status: ops.FileSucceeded, Counts: pipeline.Counts{RowsRead: 10, Rejected: 1}}
		if i == 7 {
			res.Status, res.Error = ops.FileFailed, "broken"
		}
		p.event(pipeline.Event{File: name(i), Stage: pipeline.StageDone, Result: res})
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) > 5 {
		t.Fatalf("%d lines for %d files:\n%s", len(lines), n, out.String())
	}
	if !strings.Contains(out.String(), "f007.csv: failed") {
		t.Errorf("the failed file has no line:\n%s", out.String())
	}
	if last := lines[len(lines)-1]; last != "run: 300 of 300 files done, 3,000 rows read, 300 rejected" {
		t.Errorf("last line %q", last)
	}
}
