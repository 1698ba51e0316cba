package cli

import (
	"fmt"
	"io"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// printMapRuns writes what `flow describe` shows of an execution's Map
// Runs: per Map Run its state, status, items by status of the total and
// child executions, its first failure, then its ARN.
func printMapRuns(w io.Writer, runs []asl.MapRun) {
	for _, r := range runs {
		c := r.Items
		fmt.Fprintf(w, "map run %s\t%s: items %d/%d succeeded, %d failed, %d running, %d pending; child executions %d/%d (at most %d at once, %g%% failures tolerated)\n",
			textfmt.Sanitize(r.StateName), r.Status, c.Succeeded, c.Total, c.Failed+c.TimedOut, c.Running, c.Pending,
			r.Executions.Succeeded, r.Executions.Total, r.MaxConcurrency, r.ToleratedFailurePercentage)
		if len(r.Failures) > 0 {
			fmt.Fprintf(w, "\tfirst failure: %s: %s\n", textfmt.Sanitize(r.Failures[0].Error), textfmt.Sanitize(r.Failures[0].Cause))
		}
		fmt.Fprintf(w, "\t%s\n", textfmt.Sanitize(r.ARN))
	}
}
