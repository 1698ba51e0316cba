package jobs

import (
	"time"

	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// RateWindow is how far back a running job's rates look.
const RateWindow = 5 * time.Second

// sampleEvery spaces a job's progress samples.
const sampleEvery = 200 * time.Millisecond

// sample is a job's progress at one moment (for its recent rates).
type sample struct {
	at   time.Time
	done float64 // bytes done, stage weighted (Info.bytesDone)
	rows int64   // rows checked
}

// Rate is a job's recent speed: over the last RateWindow while it runs.
type Rate struct {
	RowsPerSec, BytesPerSec float64
}

// Reached is how far a job got: bytes done (stage weighted) and rows
// checked, at their highest.
type Reached struct {
	Bytes int64
	Rows  int64
}

// Overall is a job's progress across all its files: bytes done of the
// bytes of every file the job takes (files not started count from the
// start, so the fraction never falls as files begin), rows checked so
// far, the recent rates while it runs (the average once it ended) and the
// time left at the recent byte rate.
type Overall struct {
	BytesDone, BytesTotal int64
	// Fraction is BytesDone/BytesTotal in [0, 1]; -1 when unknown (no file
	// seen yet). A succeeded job is 1; a cancelled or failed one is what
	// it had done.
	Fraction           float64
	Rows               int64 // checked: accepted + rejected
	Accepted, Rejected int64
	Rate
	ETA time.Duration // 0 when unknown or ended
	// Reached is the most the job had done; for a cancelled or failed job
	// more than BytesDone and Rows when files it read were not committed.
	Reached Reached
}

// bytesDone is the stage-weighted bytes done over the job's files.
func (i Info) bytesDone() (done float64, total int64) {
	for _, f := range i.Files {
		total += f.BytesTotal
		done += float64(f.BytesTotal) * f.Fraction()
	}
	return done, total
}

// rowsChecked adds up the rows the files' row pass has checked.
func (i Info) rowsChecked() (rows, accepted, rejected int64) {
	for _, f := range i.Files {
		accepted += f.Accepted
		rejected += f.Rejected
	}
	return accepted + rejected, accepted, rejected
}

// Overall is the job's progress at now.
func (i Info) Overall(now time.Time) Overall {
	done, total := i.bytesDone()
	o := Overall{BytesDone: int64(done), BytesTotal: total, Fraction: i.Fraction()}
	o.Rows, o.Accepted, o.Rejected = i.rowsChecked()
	o.Reached = Reached{Bytes: max(i.Reached.Bytes, o.BytesDone), Rows: max(i.Reached.Rows, o.Rows)}
	switch {
	case i.State == Running:
		o.Rate = i.Recent
		if o.BytesPerSec > 0 && total > int64(done) {
			o.ETA = time.Duration(float64(total-int64(done)) / o.BytesPerSec * float64(time.Second))
		}
	case i.State.Done() && !i.Started.IsZero():
		if d := i.Ended.Sub(i.Started).Seconds(); d > 0 {
			o.RowsPerSec, o.BytesPerSec = float64(o.Rows)/d, done/d
		}
	}
	return o
}

// sampleLocked records the job's progress at now (at most every
// sampleEvery) and updates its recent rates from the samples of the last
// RateWindow.
func (j *job) sampleLocked(now time.Time) {
	done, _ := j.info.bytesDone()
	rows, _, _ := j.info.rowsChecked()
	s := sample{at: now, done: done, rows: rows}
	j.info.Reached = Reached{Bytes: max(j.info.Reached.Bytes, int64(done)), Rows: max(j.info.Reached.Rows, rows)}
	if n := len(j.samples); n > 0 && now.Sub(j.samples[n-1].at) < sampleEvery {
		j.samples[n-1] = s // the newest sample moves; the window's start stays
	} else {
		j.samples = append(j.samples, s)
	}
	// Keep one sample at or before the window's start.
	cut := 0
	for cut+1 < len(j.samples) && now.Sub(j.samples[cut+1].at) >= RateWindow {
		cut++
	}
	j.samples = j.samples[cut:]
	first := j.samples[0]
	// A rate needs a window of at least pipeline.MinRateWindow: over a few
	// milliseconds a burst of rows reads as millions a second.
	if dt := now.Sub(first.at).Seconds(); dt >= pipeline.MinRateWindow.Seconds() {
		j.info.Recent = Rate{RowsPerSec: float64(rows-first.rows) / dt, BytesPerSec: (done - first.done) / dt}
	}
}

// fileCancelled reports a file that the run cancelled before committing it.
func fileCancelled(f FileProgress) bool {
	return f.Result != nil && f.Result.Status == ledger.StatusCancelled
}
