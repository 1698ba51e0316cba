package sfn

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// MapRunCounts count a Map Run's items or child executions by status.
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total int64
	// ResultsWritten counts the results a ResultWriter exported.
	ResultsWritten int64
}

// MapRun is one run of a distributed Map state. ListMapRuns fills the
// identity and dates; DescribeMapRun fills everything.
type MapRun struct {
	ARN             string
	ExecutionARN    string
	StateMachineARN string // the Map Run's own state machine (machine/label), from ListMapRuns
	Status          string // RUNNING, SUCCEEDED, FAILED or ABORTED
	Start           time.Time
	Stop            time.Time // zero while it runs
	MaxConcurrency  int
	// The tolerated failures: a share of the items (0..100) and a count.
	ToleratedFailurePercentage float64
	ToleratedFailureCount      int64
	Items                      MapRunCounts
	Executions                 MapRunCounts
	RedriveCount               int
	RedriveDate                time.Time
}

// ListMapRuns returns the Map Runs an execution's distributed Map states
// started, following all pages.
func (c *Client) ListMapRuns(ctx context.Context, executionARN string) ([]MapRun, error) {
	const op = "ListMapRuns"
	p := sfn.NewListMapRunsPaginator(c.api, &sfn.ListMapRunsInput{ExecutionArn: aws.String(executionARN), MaxResults: c.opts.PageSize})
	var out []MapRun
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.wrap(op, executionARN, err)
		}
		for _, m := range page.MapRuns {
			out = append(out, MapRun{
				ARN:             aws.ToString(m.MapRunArn),
				ExecutionARN:    aws.ToString(m.ExecutionArn),
				StateMachineARN: aws.ToString(m.StateMachineArn),
				Start:           toTime(m.StartDate),
				Stop:            toTime(m.StopDate),
			})
		}
	}
	return out, nil
}

// DescribeMapRun returns a Map Run's status, settings and progress.
func (c *Client) DescribeMapRun(ctx context.Context, mapRunARN string) (MapRun, error) {
	out, err := c.api.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(mapRunARN)})
	if err != nil {
		return MapRun{}, c.wrap("DescribeMapRun", mapRunARN, err)
	}
	return MapRun{
		ARN:                        aws.ToString(out.MapRunArn),
		ExecutionARN:               aws.ToString(out.ExecutionArn),
		Status:                     string(out.Status),
		Start:                      toTime(out.StartDate),
		Stop:                       toTime(out.StopDate),
		MaxConcurrency:             int(out.MaxConcurrency),
		ToleratedFailurePercentage: float64(out.ToleratedFailurePercentage),
		ToleratedFailureCount:      out.ToleratedFailureCount,
		Items:                      itemCounts(out.ItemCounts),
		Executions:                 executionCounts(out.ExecutionCounts),
		RedriveCount:               int(aws.ToInt32(out.RedriveCount)),
		RedriveDate:                toTime(out.RedriveDate),
	}, nil
}

// MapRuns lists an execution's Map Runs and describes each (the progress
// `flow describe` and the Flows view show), in the order listed.
func (c *Client) MapRuns(ctx context.Context, executionARN string) ([]MapRun, error) {
	list, err := c.ListMapRuns(ctx, executionARN)
	if err != nil {
		return nil, err
	}
	out := make([]MapRun, 0, len(list))
	for _, m := range list {
		d, err := c.DescribeMapRun(ctx, m.ARN)
		if err != nil {
			return nil, err
		}
		d.StateMachineARN = m.StateMachineARN
		out = append(out, d)
	}
	return out, nil
}

func itemCounts(c *types.MapRunItemCounts) MapRunCounts {
	if c == nil {
		return MapRunCounts{}
	}
	return MapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed,
		TimedOut: c.TimedOut, Aborted: c.Aborted, Total: c.Total, ResultsWritten: c.ResultsWritten}
}

func executionCounts(c *types.MapRunExecutionCounts) MapRunCounts {
	if c == nil {
		return MapRunCounts{}
	}
	return MapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed,
		TimedOut: c.TimedOut, Aborted: c.Aborted, Total: c.Total, ResultsWritten: c.ResultsWritten}
}
