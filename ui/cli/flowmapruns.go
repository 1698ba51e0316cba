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
