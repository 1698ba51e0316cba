package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/worker"
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
		title += fmt.Sprintf(" (%d files)", len(r.Items))
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
			return fmt.Sprintf("planned %d files to load (%d not loaded)", p.Files, p.NotLoaded)
		}
	case worker.ActionProcess:
		var b worker.BatchResult
		if json.Unmarshal(out, &b) == nil {
			return fmt.Sprintf("staged %d of %d files: %d rows read, %d valid, %d rejected", b.Staged, b.Files, b.RowsRead, b.Valid, b.Rejected)
		}
	case worker.ActionCommit:
		var c worker.CommitResult
		if json.Unmarshal(out, &c) == nil {
			t := c.Totals
			return fmt.Sprintf("committed %d files (%d failed, %d skipped): %d accepted, %d rejected, %d inserted, %d updated",
				c.Succeeded, c.Failed, c.Skipped, t.Accepted, t.Rejected, t.Inserted, t.Updated)
		}
	}
	return ""
}
