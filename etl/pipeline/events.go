package pipeline

import "time"

// Stage is a step of processing a file.
type Stage string

// Stages, in order.
const (
	StageQueued Stage = "queued"
	StageScan   Stage = "scan"   // key pass: read each record's key, find the keys that repeat
	StageMerge  Stage = "merge"  // row pass: row rules, dedup, references, MERGE into silver
	StageCommit Stage = "commit" // Delta commits
	StageDone   Stage = "done"
)

// Event reports progress of one file of a run. Events for a file arrive in
// order; the last one has Stage StageDone and the file's final Result.
type Event struct {
	RunID      string
	File       string
	Dataset    string
	Stage      Stage
	BytesRead  int64
	BytesTotal int64
	Rows       int64 // records read in this stage
	Accepted   int64 // so far (final after StageMerge)
	Rejected   int64
	ByReason   map[string]int64 // a copy, safe to keep
	RowsPerSec float64
	ETA        time.Duration // estimate for the current stage; 0 when unknown
	Result     *FileResult   // set on StageDone
	Message    string        // warnings and notes
	StageEnd   bool          // the last progress event of the file's stage
}

// Progress receives events; it must not block for long.
type Progress func(Event)

// MinRateWindow is the shortest time a rate is worked out over (a file's
// here, a job's in etl/jobs).
const MinRateWindow = 200 * time.Millisecond

// tracker throttles and enriches progress events for one file and stage.
type tracker struct {
	emit    Progress
	base    Event
	started time.Time
	last    time.Time
}

func newTracker(emit Progress, base Event) *tracker {
	now := time.Now()
	return &tracker{emit: emit, base: base, started: now, last: now}
}

// update sends an event at most every 100 ms unless force is set.
func (t *tracker) update(read, rows, accepted, rejected int64, byReason map[string]int64, end bool) {
	if t.emit == nil {
		return
	}
	now := time.Now()
	if !end && now.Sub(t.last) < 100*time.Millisecond {
		return
	}
	t.last = now
	e := t.base
	e.BytesRead, e.Rows, e.Accepted, e.Rejected, e.StageEnd = read, rows, accepted, rejected, end
	e.ByReason = copyCounts(byReason)
	// A rate and a time left once the file has been read for
	// MinRateWindow: before that a few rows over microseconds read as
	// millions a second.
	if el := now.Sub(t.started).Seconds(); el >= MinRateWindow.Seconds() {
		e.RowsPerSec = float64(rows) / el
		if read > 0 && e.BytesTotal > read {
			e.ETA = time.Duration(float64(e.BytesTotal-read) / (float64(read) / el) * float64(time.Second))
		}
	}
	t.emit(e)
}

func copyCounts(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
