package cli

import (
	"testing"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/sfn"
	"github.com/lakeops/lakeops/views/flows"
)

// TestMapRunChildExecutions: both adapters hand the Flows view a Map
// Run's child executions (what MaxConcurrency limits) beside its items,
// timed-out ones counted as failed: one batch of 200 files is 1 running
// child execution, not 200 running at once.
func TestMapRunChildExecutions(t *testing.T) {
	items := flows.MapRun{Total: 200, Running: 200}
	want := flows.MapRunCounts{Total: 3, Running: 1, Pending: 1, Failed: 1}
	local := localMapRun(asl.MapRun{ARN: "mr", StateName: "StageOrders", Status: "RUNNING", MaxConcurrency: 40,
		Items:      asl.MapRunCounts{Total: 200, Running: 200},
		Executions: asl.MapRunCounts{Total: 3, Running: 1, Pending: 1, TimedOut: 1}})
	aws := awsMapRun(sfn.MapRun{ARN: "mr", StateMachineARN: "arn:aws:states:eu-west-1:1:stateMachine:lakeops/StageOrders",
		Status: "RUNNING", MaxConcurrency: 40, Items: sfn.MapRunCounts{Total: 200, Running: 200},
		Executions: sfn.MapRunCounts{Total: 3, Running: 1, Pending: 1, TimedOut: 1}})
	for name, r := range map[string]flows.MapRun{"local": local, "aws": aws} {
		if r.Executions != want || r.Total != items.Total || r.Running != items.Running || r.MaxConcurrency != 40 {
			t.Errorf("%s Map Run as shown: %+v", name, r)
		}
	}
}
