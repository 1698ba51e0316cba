package local

import (
	"context"
	"testing"

	"github.com/lakeops/lakeops/etl/pipeline"
)

// TestStartJobRunUsesRunPipeline: glue:startJobRun runs the pipeline
// through the RunPipeline hook when one is set (the front ends run it as a
// background job), with the run id the task reports.
func TestStartJobRunUsesRunPipeline(t *testing.T) {
	lk := newLake(t)
	copySeed(t, lk.Store)
	_, r := newService(t, lk)
	var got []pipeline.Options
	r.RunPipeline = func(ctx context.Context, opts pipeline.Options) (*pipeline.Summary, error) {
		got = append(got, opts)
		return pipeline.Run(ctx, lk, opts)
	}
	out, err := invoke(t, r, "arn:aws:states:::glue:startJobRun.sync", `{"JobName":"etl"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].RunID == "" || out["Id"] != got[0].RunID || out["JobRunState"] != "SUCCEEDED" {
		t.Fatalf("hook calls %+v, task output %v", got, out)
	}
	if out["Accepted"].(float64) == 0 {
		t.Fatalf("the hooked run loaded nothing: %v", out)
	}
}
