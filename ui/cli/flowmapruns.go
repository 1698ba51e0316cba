package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// printExecution writes what `flow describe` shows of an execution, local
// or on Step Functions, for people: one field a line, then its Map Runs.
func printExecution(env Env, e executionOut) error {
	tw := newTable(env.Stdout, "execution", e.ARN)
	fmt.Fprintf(tw, "status\t%s\nstarted\t%s\n", e.Status, e.StartDate.Format(time.RFC3339))
	if !e.StopDate.IsZero() {
		fmt.Fprintf(tw, "stopped\t%s\n", e.StopDate.Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "redrives\t%d\n", e.RedriveCount)
	if !e.RedriveDate.IsZero() {
		fmt.Fprintf(tw, "redriven\t%s\n", e.RedriveDate.Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "input\t%s\n", textfmt.Sanitize(string(e.Input)))
	if len(e.Output) > 0 {
		fmt.Fprintf(tw, "output\t%s\n", textfmt.Sanitize(string(e.Output)))
	}
	if e.Error != "" {
		fmt.Fprintf(tw, "error\t%s\ncause\t%s\n", textfmt.Sanitize(e.Error), textfmt.Sanitize(e.Cause))
	}
	if e.FailedState != "" {
		fmt.Fprintf(tw, "failed state\t%s\n", textfmt.Sanitize(e.FailedState))
	}
	printMapRuns(tw, e.MapRuns)
	return tw.Flush()
}

// printMapRuns writes an execution's Map Runs: per Map Run its state,
// status, items by status of the total and child executions, its first
// failure, then its ARN.
func printMapRuns(w io.Writer, runs []mapRunOut) {
	for _, r := range runs {
		c := r.Items
		n := textfmt.Count
		fmt.Fprintf(w, "map run %s\t%s: items %s/%s succeeded, %s failed, %s running, %s pending; child executions %s/%s (at most %d at once, %g%% failures tolerated)\n",
			textfmt.Sanitize(r.StateName), r.Status, n(c.Succeeded), n(c.Total), n(c.Failed+c.TimedOut), n(c.Running), n(c.Pending),
			n(r.Executions.Succeeded), n(r.Executions.Total), r.MaxConcurrency, r.ToleratedFailurePercentage)
		if len(r.Failures) > 0 {
			fmt.Fprintf(w, "\tfirst failure: %s: %s\n", textfmt.Sanitize(r.Failures[0].Error), textfmt.Sanitize(r.Failures[0].Cause))
		}
		fmt.Fprintf(w, "\t%s\n", textfmt.Sanitize(r.ARN))
	}
}
