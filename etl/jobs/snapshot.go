package jobs

import (
	"context"
	"fmt"

	"github.com/lakeops/lakeops/etl/pipeline"
)

// Snapshot is every job at one moment, newest first, with its log, and
// how many jobs had ended by then: a consumer that saw a smaller Ended
// knows that a job ended since (a run changed the tables, the rejects and
// the ingest log) without keeping a list of the jobs it saw end.
type Snapshot struct {
	Jobs  []Info
	Ended int
}

// Snapshot returns every job now.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Info, len(m.jobs))
	for i, j := range m.jobs {
		out[len(m.jobs)-1-i] = j.snapshot()
	}
	return Snapshot{Jobs: out, Ended: m.ended}
}

// ActiveJobs is the number of queued and running jobs (the console's
// status bar reads it from the message that carries the snapshot).
func (s Snapshot) ActiveJobs() int {
	n := 0
	for _, j := range s.Jobs {
		if !j.State.Done() {
			n++
		}
	}
	return n
}

// Job returns one job of the snapshot.
func (s Snapshot) Job(id int) (Info, bool) {
	for _, j := range s.Jobs {
		if j.ID == id {
			return j, true
		}
	}
	return Info{}, false
}

// RunningFiles are the raw files a queued or running job has named or
// still works on.
func (s Snapshot) RunningFiles() map[string]bool {
	out := map[string]bool{}
	for _, j := range s.Jobs {
		if j.State.Done() {
			continue
		}
		for _, f := range j.Spec.Files {
			out[f] = true
		}
		for _, f := range j.Files {
			if !f.Done() {
				out[f.File] = true
			}
		}
	}
	return out
}

// CancelActive cancels every queued and running job (without waiting).
func (m *Manager) CancelActive() {
	for _, j := range m.Jobs() {
		if !j.State.Done() {
			m.Cancel(j.ID)
		}
	}
}

// Run submits a job and waits for it to end; when ctx ends first, it
// cancels the job and waits for it to stop. The job is an ordinary one:
// it waits in the queue behind the limit and shows in every snapshot.
func (m *Manager) Run(ctx context.Context, spec Spec) (Info, error) {
	id := m.Submit(spec)
	m.mu.Lock()
	var done chan struct{}
	for _, j := range m.jobs {
		if j.info.ID == id {
			done = j.done
		}
	}
	m.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		m.Cancel(id)
		<-done
	}
	info, _ := m.Job(id)
	if ctx.Err() != nil {
		return info, ctx.Err()
	}
	if info.State == Cancelled {
		return info, fmt.Errorf("job %d was cancelled", id)
	}
	return info, nil
}

// Done reports whether the file has come to its end in this run.
func (f FileProgress) Done() bool { return f.Stage == pipeline.StageDone }

// Fraction is a file's progress in [0, 1]: the key scan is the first
// fifth (it reads only keys), the merge pass most of the rest, commits the
// end (each pass reads the file once, so bytes read alone would count it
// twice).
func (f FileProgress) Fraction() float64 {
	r := 0.0
	if f.BytesTotal > 0 {
		r = min(max(float64(f.BytesRead)/float64(f.BytesTotal), 0), 1)
	}
	switch f.Stage {
	case pipeline.StageScan:
		return 0.2 * r
	case pipeline.StageMerge:
		return 0.2 + 0.75*r
	case pipeline.StageCommit:
		return 0.95
	case pipeline.StageDone:
		if fileCancelled(f) {
			return 0 // nothing of it was committed
		}
		return 1
	}
	return 0
}

// Fraction is a job's progress in [0, 1], its files weighed by size; -1
// when unknown (running, no file seen yet).
func (i Info) Fraction() float64 {
	if i.State == Succeeded {
		return 1
	}
	if len(i.Files) == 0 {
		if i.State == Queued {
			return 0
		}
		return -1
	}
	var done, total float64
	for _, f := range i.Files {
		w := float64(max(f.BytesTotal, 1))
		done += w * f.Fraction()
		total += w
	}
	return done / total
}
