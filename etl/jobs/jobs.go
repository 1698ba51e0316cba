// Package jobs runs pipeline runs in the background: a queue with a
// concurrency limit, live progress per job, a replayable log per job, and
// cancellation. It has no UI dependency: a consumer (the console's event
// relay) waits on Changed and takes a Snapshot, which carries every job
// and its log, so the pipeline never blocks on a slow screen and nobody
// has to ask again. Run submits a job and waits for it (the flows' task
// resources run the pipeline this way, under the same limit).
package jobs

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// State is a job's lifecycle state.
type State string

// Job states.
const (
	Queued    State = "queued"
	Running   State = "running"
	Succeeded State = "succeeded"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Done reports whether the state is final.
func (s State) Done() bool { return s == Succeeded || s == Failed || s == Cancelled }

// Spec describes a job to run.
type Spec struct {
	Title string   // shown in lists, e.g. "run 3 files"
	Files []string // raw file keys; empty: every new raw file
	Force bool
	// Recheck, with Force, checks every row even of files as their load
	// left them (pipeline.Options.Recheck).
	Recheck bool
	// RunID names the pipeline run; generated when empty.
	RunID string
	// Limits bound what a raw file may hold.
	Limits pipeline.Limits
	// Reprocess, when set, reprocesses rejected rows instead of running files.
	Reprocess *pipeline.ReprocessOptions
	// Task, when set, is the job's work instead of a pipeline run (a
	// flow's worker action, say); the line it returns goes to the log.
	Task func(ctx context.Context) (string, error)
}

// FileProgress is the latest progress of one file of a job.
type FileProgress struct {
	File, Dataset string
	Stage         pipeline.Stage
	BytesRead     int64
	BytesTotal    int64
	Rows          int64
	Accepted      int64
	Rejected      int64
	ByReason      map[string]int64
	RowsPerSec    float64
	ETA           time.Duration
	Result        *pipeline.FileResult
}

// Info is a snapshot of a job, safe to keep.
type Info struct {
	ID        int
	Spec      Spec
	State     State
	Queued    time.Time
	Started   time.Time
	Ended     time.Time
	RunID     string
	Files     []FileProgress // in the order files were first seen
	Summary   *pipeline.Summary
	Reprocess []pipeline.ReprocessResult
	Err       string
	// Log is the job's whole log at the time of the snapshot (replayable:
	// a view opened late sees all of it).
	Log []LogLine
	// Recent is the job's speed over the last RateWindow while it runs
	// (Overall has it with the rest).
	Recent Rate
	// Reached is the most the job had done (bytes, stage weighted, and
	// rows checked): what a cancelled or failed job got to before the
	// files it did not commit went back to nothing.
	Reached Reached
}

// Totals adds up the files' progress.
func (i Info) Totals() FileProgress {
	var t FileProgress
	t.ByReason = map[string]int64{}
	for _, f := range i.Files {
		t.BytesRead += f.BytesRead
		t.BytesTotal += f.BytesTotal
		t.Rows += f.Rows
		t.Accepted += f.Accepted
		t.Rejected += f.Rejected
		for k, v := range f.ByReason {
			t.ByReason[k] += v
		}
	}
	return t
}

// LogLine is one line of a job's log.
type LogLine struct {
	At   time.Time
	Text string
}

type job struct {
	info    Info
	log     []LogLine
	cancel  context.CancelFunc
	index   map[string]int // file -> position in info.Files
	done    chan struct{}  // closed when the job ends
	samples []sample       // progress of the last RateWindow
}

// Manager runs jobs.
type Manager struct {
	lake    *lake.Lake
	limit   int
	mu      sync.Mutex
	jobs    []*job
	nextID  int
	running int
	ended   int // jobs that have ended
	changed chan struct{}
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	now     func() time.Time
}

// New returns a manager that runs at most limit jobs at once (at least 1).
func New(lk *lake.Lake, limit int) *Manager {
	ctx, stop := context.WithCancel(context.Background())
	return &Manager{lake: lk, limit: max(limit, 1), changed: make(chan struct{}, 1), ctx: ctx, stop: stop, now: time.Now}
}

// Changed signals (coalesced) that some job changed; read Jobs and Log then.
func (m *Manager) Changed() <-chan struct{} { return m.changed }

func (m *Manager) notify() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// Submit queues a job and returns its id.
func (m *Manager) Submit(spec Spec) int {
	m.mu.Lock()
	m.nextID++
	j := &job{info: Info{ID: m.nextID, Spec: spec, State: Queued, Queued: m.now()}, index: map[string]int{},
		done: make(chan struct{})}
	m.jobs = append(m.jobs, j)
	m.logf(j, "queued: %s", spec.Title)
	m.startQueuedLocked()
	m.mu.Unlock()
	m.notify()
	return j.info.ID
}

// Cancel cancels a queued or running job; it reports whether it did.
func (m *Manager) Cancel(id int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range m.jobs {
		if j.info.ID != id {
			continue
		}
		switch j.info.State {
		case Queued:
			j.info.State = Cancelled
			j.info.Ended = m.now()
			m.logf(j, "cancelled before it started")
			m.endLocked(j)
			m.notify()
			return true
		case Running:
			m.logf(j, "cancelling…")
			j.cancel()
			m.notify()
			return true
		}
	}
	return false
}

// Jobs returns snapshots of all jobs, newest first.
func (m *Manager) Jobs() []Info { return m.Snapshot().Jobs }

// Job returns one job's snapshot.
func (m *Manager) Job(id int) (Info, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range m.jobs {
		if j.info.ID == id {
			return j.snapshot(), true
		}
	}
	return Info{}, false
}

// Log returns a job's whole log (replayable: a view opened late sees all of it).
func (m *Manager) Log(id int) []LogLine {
	info, _ := m.Job(id)
	return info.Log
}

// Active is the number of queued and running jobs.
func (m *Manager) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, j := range m.jobs {
		if !j.info.State.Done() {
			n++
		}
	}
	return n
}

// Close cancels every job and waits for running ones to stop.
func (m *Manager) Close() {
	m.mu.Lock()
	for _, j := range m.jobs {
		if j.info.State == Queued {
			j.info.State = Cancelled
			j.info.Ended = m.now()
			m.endLocked(j)
		}
	}
	m.mu.Unlock()
	m.stop()
	m.wg.Wait()
}

// endLocked marks a job ended: its done channel closes and the count of
// ended jobs grows.
func (m *Manager) endLocked(j *job) {
	m.ended++
	close(j.done)
}

// Wait blocks until no job is queued or running, or ctx ends.
func (m *Manager) Wait(ctx context.Context) error {
	for m.Active() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func (m *Manager) logf(j *job, format string, args ...any) {
	j.log = append(j.log, LogLine{At: m.now(), Text: fmt.Sprintf(format, args...)})
}

func (m *Manager) startQueuedLocked() {
	for _, j := range m.jobs {
		if m.running >= m.limit {
			return
		}
		if j.info.State != Queued {
			continue
		}
		ctx, cancel := context.WithCancel(m.ctx)
		j.cancel = cancel
		j.info.State = Running
		j.info.Started = m.now()
		m.running++
		m.logf(j, "started")
		m.wg.Add(1)
		go m.run(ctx, j)
	}
}

func (m *Manager) run(ctx context.Context, j *job) {
	defer m.wg.Done()
	spec := j.info.Spec
	var err error
	var sum *pipeline.Summary
	var rep []pipeline.ReprocessResult
	var line string
	switch {
	case spec.Task != nil:
		line, err = spec.Task(ctx)
	case spec.Reprocess != nil:
		rep, err = pipeline.Reprocess(ctx, m.lake, *spec.Reprocess)
	default:
		sum, err = pipeline.Run(ctx, m.lake, pipeline.Options{Files: spec.Files, Force: spec.Force, Recheck: spec.Recheck, RunID: spec.RunID,
			Limits: spec.Limits, Progress: func(e pipeline.Event) { m.progress(j, e) }})
	}
	m.mu.Lock()
	if line != "" {
		m.logf(j, "%s", line)
	}
	defer j.cancel()
	j.info.Ended = m.now()
	j.info.Summary, j.info.Reprocess = sum, rep
	switch {
	case ctx.Err() != nil:
		j.info.State = Cancelled
		m.logf(j, "cancelled")
	case err != nil:
		j.info.State = Failed
		j.info.Err = err.Error()
		m.logf(j, "failed: %v", err)
	case sum != nil && sum.Failed():
		j.info.State = Failed
		j.info.Err = "one or more files failed"
		m.logf(j, "finished with failed files")
	default:
		j.info.State = Succeeded
		m.logf(j, "finished")
	}
	if sum != nil && len(sum.Files) == 0 && len(spec.Files) == 0 && err == nil && ctx.Err() == nil {
		m.logf(j, "nothing new to load: no raw file is new (a forced run loads ingested files again)")
		sum = nil
	}
	if sum != nil {
		t := sum.Totals
		c := textfmt.Count
		files := textfmt.Counted(int64(len(sum.Files)), "file", "files")
		if j.info.State == Cancelled { // the summary counts what was committed
			files += ", committed before it stopped"
		}
		m.logf(j, "%s: %s rows read, %s accepted, %s rejected, %s inserted, %s updated, %s unchanged",
			files, c(t.RowsRead), c(t.Accepted), c(t.Rejected), c(t.Inserted), c(t.Updated), c(t.Unchanged))
	}
	m.running--
	m.endLocked(j)
	m.startQueuedLocked()
	m.mu.Unlock()
	m.notify()
}

func (m *Manager) progress(j *job, e pipeline.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j.info.RunID = e.RunID
	i, ok := j.index[e.File]
	if !ok {
		i = len(j.info.Files)
		j.index[e.File] = i
		j.info.Files = append(j.info.Files, FileProgress{File: e.File, Dataset: e.Dataset})
	}
	f := &j.info.Files[i]
	if e.Message != "" {
		m.logf(j, "%s: %s", e.File, e.Message)
	}
	// A stage change is logged, except the end of a file: its result line says how it ended.
	if e.Stage != f.Stage && e.Stage != "" && e.Stage != pipeline.StageQueued && e.Message == "" && e.Result == nil {
		m.logf(j, "%s: %s", e.File, e.Stage)
	}
	if e.Message == "" {
		f.Stage, f.BytesRead, f.BytesTotal, f.Rows = e.Stage, e.BytesRead, e.BytesTotal, e.Rows
		f.Accepted, f.Rejected, f.ByReason, f.RowsPerSec, f.ETA = e.Accepted, e.Rejected, e.ByReason, e.RowsPerSec, e.ETA
	}
	if e.Result != nil {
		r := *e.Result
		f.Result = &r
		f.Accepted, f.Rejected, f.Rows, f.ByReason = r.Accepted, r.Rejected, r.RowsRead, r.RejectedByReason
		word := r.Status
		if r.Status == ledger.StatusSucceeded {
			word = ledger.IngestedWord(r.Accepted, r.Rejected) // the word Files and Runs show
		}
		msg := fmt.Sprintf("%s: %s, %s read, %s accepted, %s rejected", e.File, word, textfmt.Count(r.RowsRead), textfmt.Count(r.Accepted), textfmt.Count(r.Rejected))
		if r.Error != "" {
			msg += ": " + r.Error
		}
		m.logf(j, "%s", msg)
	}
	j.sampleLocked(m.now())
	m.notify()
}

// snapshot copies a job's info (the caller holds the lock); the log is
// shared up to its current length, which later appends never touch.
func (j *job) snapshot() Info {
	i := j.info
	files := make([]FileProgress, len(i.Files))
	for k, f := range i.Files {
		f.ByReason = copyMap(f.ByReason)
		files[k] = f
	}
	i.Files = files
	i.Spec.Files = append([]string(nil), i.Spec.Files...)
	i.Log = j.log[:len(j.log):len(j.log)]
	return i
}

func copyMap(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// SortedReasons returns reason codes by count, largest first.
func SortedReasons(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool {
		if m[out[a]] != m[out[b]] {
			return m[out[a]] > m[out[b]]
		}
		return out[a] < out[b]
	})
	return out
}
