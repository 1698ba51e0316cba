package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/worker"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// workerAsJobs runs each worker action a flow invokes (plan, process a
// batch, commit a dataset, register, archive) as a background job: it
// waits under the job limit and shows in Runs with a line of its outcome.
func workerAsJobs(jm *jobs.Manager, inner local.WorkerFunc) local.WorkerFunc {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var req worker.Request
		_ = json.Unmarshal(payload, &req) // the worker itself says what is wrong with a bad request
		var out []byte
		var taskErr error
		info, err := jm.Run(ctx, jobs.Spec{Title: workerTitle(req), Task: func(ctx context.Context) (string, error) {
			out, taskErr = inner(ctx, payload)
			return workerOutcome(req.Action, out), taskErr
		}})
		switch {
		case taskErr != nil:
			return nil, taskErr // as the worker named it, for Retry and Catch
		case err != nil:
			return nil, err
		case info.State != jobs.Succeeded:
			return nil, fmt.Errorf("worker action %s: job %d %s", req.Action, info.ID, info.State)
		}
		return out, nil
	}
}

// workerTitle names a worker action's job, e.g. "flow: process orders (3
// files) · load L" (the action first: lists cut long titles).
func workerTitle(r worker.Request) string {
	title := "flow: " + r.Action
	if r.Dataset != "" {
		title += " " + r.Dataset
	}
	if len(r.Items) > 0 {
		title += " (" + textfmt.Counted(int64(len(r.Items)), "file", "files") + ")"
	}
	if r.Load != "" {
		title += " · load " + r.Load
	}
	return title
}

// workerOutcome is the log line of a worker action's result.
func workerOutcome(action string, out []byte) string {
	switch action {
	case worker.ActionPlan:
		var p worker.PlanResult
		if json.Unmarshal(out, &p) == nil {
			return fmt.Sprintf("planned %s to load (%s not loaded)", textfmt.Counted(int64(p.Files), "file", "files"), textfmt.Count(int64(p.NotLoaded)))
		}
	case worker.ActionProcess:
		var b worker.BatchResult
		if json.Unmarshal(out, &b) == nil {
			c := textfmt.Count
			return fmt.Sprintf("staged %s of %s: %s rows read, %s valid, %s rejected", c(int64(b.Staged)),
				textfmt.Counted(int64(b.Files), "file", "files"), c(b.RowsRead), c(b.Valid), c(b.Rejected))
		}
	case worker.ActionCommit:
		var c worker.CommitResult
		if json.Unmarshal(out, &c) == nil {
			t := c.Totals
			n := textfmt.Count
			return fmt.Sprintf("committed %s (%s failed, %s skipped): %s accepted, %s rejected, %s inserted, %s updated",
				textfmt.Counted(int64(c.Succeeded), "file", "files"), n(int64(c.Failed)), n(int64(c.Skipped)),
				n(t.Accepted), n(t.Rejected), n(t.Inserted), n(t.Updated))
		}
	}
	return ""
}
