package cli

import (
	"bytes"
	"strings"
	"testing"

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
