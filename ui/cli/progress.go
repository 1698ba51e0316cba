package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// fewFiles is the most files a run's progress is told file by file; a run
// of more gets one line for them all, a second apart, and a line for each
// file that did not succeed.
const fewFiles = 20

// progressPrinter writes progress lines to stderr. For a run of a few
// files: at most one a second per file and stage and the line of each
// stage's end, plus one line when each file is done. For more: a line
// a second for the whole run (files done of all, rows read and rejected
// by the files done), the last when the last file is done, and the lines
// of files that failed or were cancelled, and of warnings.
type progressPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	last map[string]time.Time
	// The run as a whole: files announced, files done and their rows.
	files, done    int
	rows, rejected int64
	lastRun        time.Time
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, last: map[string]time.Time{}}
}

func (p *progressPrinter) event(e pipeline.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	name := textfmt.Sanitize(e.File)
	many := p.files > fewFiles
	switch {
	case e.Stage == pipeline.StageQueued && e.Message == "": // every file is announced at the start
		p.files++
		return
	case e.Message != "":
		fmt.Fprintf(p.w, "%s: %s\n", name, textfmt.Sanitize(e.Message))
	case e.Stage == pipeline.StageDone && e.Result != nil:
		r := e.Result
		p.done++
		p.rows += r.RowsRead
		p.rejected += r.Rejected
		if !many || r.Status == ops.FileFailed || r.Status == ops.FileCancelled {
			msg := fmt.Sprintf("%s: %s: %s read, %s accepted, %s rejected", name, r.Status, textfmt.Count(r.RowsRead), textfmt.Count(r.Accepted), textfmt.Count(r.Rejected))
			if r.Error != "" {
				msg += ": " + textfmt.Sanitize(r.Error)
			}
			fmt.Fprintln(p.w, msg)
		}
		if many {
			p.runLine(p.done == p.files)
		}
	case many:
		p.runLine(false)
	default:
		// A line a second, and a stage's last line even within the second,
		// so what stays on the screen is not stale.
		k := name + "\x00" + string(e.Stage)
		if time.Since(p.last[k]) < time.Second && !e.StageEnd {
			return
		}
		p.last[k] = time.Now()
		pct := ""
		if e.BytesTotal > 0 {
			pct = fmt.Sprintf(" %3.0f%%", 100*float64(e.BytesRead)/float64(e.BytesTotal))
		}
		eta := ""
		if e.ETA > 0 {
			eta = " ETA " + textfmt.Duration(e.ETA)
		}
		rejected := fmt.Sprintf(" (%s rejected)", textfmt.Count(e.Rejected))
		if e.Stage == pipeline.StageScan { // the key scan checks no rules
			rejected = ""
		}
		rate := ""
		if e.RowsPerSec > 0 {
			rate = " " + textfmt.Count(int64(e.RowsPerSec)) + " rows/s"
		}
		fmt.Fprintf(p.w, "%s: %s%s %s%s%s%s\n", name, e.Stage, pct, textfmt.Rows(e.Rows), rejected, rate, eta)
	}
}

// runLine prints the run's line, at most one a second unless final.
func (p *progressPrinter) runLine(final bool) {
	if !final && time.Since(p.lastRun) < time.Second {
		return
	}
	p.lastRun = time.Now()
	fmt.Fprintf(p.w, "run: %s of %s done, %s read, %s rejected\n",
		textfmt.Count(int64(p.done)), textfmt.Counted(int64(p.files), "file", "files"), textfmt.Rows(p.rows), textfmt.Count(p.rejected))
}
