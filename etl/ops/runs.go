package ops

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/lakeops/lakeops/etl/ledger"
)

// PastRun is one run of the ingest log: its files and their totals.
type PastRun struct {
	ID                       string
	Started, Ended           time.Time
	Status                   string // succeeded; failed when a file failed; cancelled when one was cancelled
	Files                    []LogEntry
	Read, Accepted, Rejected int64
}

// RunHistory reads the ingest log grouped by run, newest first.
func (o *Ops) RunHistory(ctx context.Context) ([]PastRun, error) {
	entries, err := ledger.Open(o.lake).Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the ingest log: %w", err)
	}
	return groupRuns(entries), nil
}

func groupRuns(entries []LogEntry) []PastRun {
	byID := map[string]*PastRun{}
	var out []*PastRun
	for _, e := range entries {
		r := byID[e.RunID]
		if r == nil {
			r = &PastRun{ID: e.RunID, Started: e.StartedAt, Ended: e.EndedAt, Status: ledger.StatusSucceeded}
			byID[e.RunID] = r
			out = append(out, r)
		}
		r.Files = append(r.Files, e)
		r.Read += e.RowsRead
		r.Accepted += e.Accepted
		r.Rejected += e.Rejected
		if e.StartedAt.Before(r.Started) {
			r.Started = e.StartedAt
		}
		if e.EndedAt.After(r.Ended) {
			r.Ended = e.EndedAt
		}
		switch {
		case e.Status == ledger.StatusFailed:
			r.Status = ledger.StatusFailed
		case e.Status == ledger.StatusCancelled && r.Status != ledger.StatusFailed:
			r.Status = ledger.StatusCancelled
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	runs := make([]PastRun, len(out))
	for i, r := range out {
		runs[i] = *r
	}
	return runs
}
