// Package sfn is the AWS implementation of the flows service: a client for
// AWS Step Functions built on aws-sdk-go-v2/service/sfn.
//
// It lists state machines and their executions (following every page),
// starts, describes, stops and redrives executions, describes a state
// machine (its Amazon States Language definition, role and status), and
// streams an execution's history as flat Events, in the order Step Functions
// recorded them, one GetExecutionHistory page at a time.
//
// Step Functions speaks the AWS JSON 1.0 protocol (POST /, Content-Type
// application/x-amz-json-1.0, X-Amz-Target: AWSStepFunctions.<Operation>);
// the SDK does the wire work, and the protocol tests in this package pin it
// down against recorded responses.
//
// Every error is an *Error naming the operation and the ARN it was about.
// When Step Functions refused the call, Error.Code and Error.Message are its
// own words (ExecutionDoesNotExist, ExecutionNotRedrivable,
// InvalidDefinition, …) and the SDK's typed error stays reachable with
// errors.As (for instance *types.ExecutionDoesNotExist). Errors never carry
// credentials.
package sfn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/internal/bufferedhttp"
)

// Page sizes for Options.PageSize.
const (
	DefaultPageSize = 100  // Step Functions' own default page size
	MaxPageSize     = 1000 // the most any of the list calls returns per page
)

// Options configure a Client. The zero value selects every default.
type Options struct {
	// PageSize is the maxResults sent with ListStateMachines,
	// ListExecutions and GetExecutionHistory (1..1000); default 100.
	PageSize int32
	// Hints are what an explained AWS failure (awserr) may name: the
	// profile in use.
	Hints awserr.Hints
}

// Client talks to Step Functions. It is safe for concurrent use.
type Client struct {
	api  *sfn.Client
	opts Options
}

// New returns a client using cfg (region, credentials, endpoint, retries)
// and opts.
func New(cfg aws.Config, opts Options) *Client {
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	opts.PageSize = min(opts.PageSize, MaxPageSize)
	return &Client{api: sfn.NewFromConfig(bufferedhttp.Config(cfg)), opts: opts}
}

// Machine is one state machine as ListStateMachines reports it.
type Machine struct {
	ARN     string
	Name    string
	Type    string // "STANDARD" or "EXPRESS"
	Created time.Time
}

// MachineDetail is a state machine as DescribeStateMachine reports it.
type MachineDetail struct {
	Machine
	Definition  string // the Amazon States Language JSON, verbatim
	RoleARN     string
	Status      string // "ACTIVE" or "DELETING"
	Description string
	RevisionID  string
}

// Execution is one execution of a state machine. ListExecutions fills the
// identity, status, dates and RedriveCount; Describe fills everything.
type Execution struct {
	ARN        string
	MachineARN string
	Name       string
	// Status is RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or
	// PENDING_REDRIVE, as Step Functions sends it.
	Status string
	Start  time.Time
	Stop   time.Time // zero while the execution runs
	Input  string    // JSON, verbatim; empty when not returned
	Output string    // JSON, verbatim; empty unless SUCCEEDED
	Error  string    // the error name of a FAILED, TIMED_OUT or ABORTED execution
	Cause  string

	RedriveCount int
	RedriveDate  time.Time // zero if never redriven
	// RedriveStatus is REDRIVABLE, NOT_REDRIVABLE or REDRIVABLE_BY_MAP_RUN
	// (Describe only); RedriveStatusReason says why.
	RedriveStatus       string
	RedriveStatusReason string
}

// Error is a failed Step Functions call.
type Error struct {
	Op  string // the API operation, e.g. "DescribeExecution"
	ARN string // the state machine or execution ARN; empty for ListStateMachines
	// Code and Message are Step Functions' error code (e.g.
	// "ExecutionDoesNotExist") and message; empty when the call failed before
	// Step Functions answered (network, cancelled context).
	Code    string
	Message string
	// HTTPStatus and RequestID identify Step Functions' answer, when there was one.
	HTTPStatus int
	RequestID  string
	Err        error // the SDK's error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sfn: " + e.Op)
	if e.ARN != "" {
		b.WriteString(" " + e.ARN)
	}
	if e.Code == "" {
		b.WriteString(": " + e.Err.Error())
		return b.String()
	}
	b.WriteString(": " + e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.HTTPStatus != 0 || e.RequestID != "" {
		b.WriteString(" (")
		if e.HTTPStatus != 0 {
			fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
		}
		if e.RequestID != "" {
			if e.HTTPStatus != 0 {
				b.WriteString(", ")
			}
			b.WriteString("request id " + e.RequestID)
		}
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns Step Functions' error code carried by err ("" if none), for
// instance "ExecutionNotRedrivable".
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// wrap turns an SDK error into an *Error; one of the failures awserr
// knows (credentials, region, access, network) is explained, the *Error
// still reachable through Unwrap.
func (c *Client) wrap(op, arn string, err error) error {
	return awserr.Explain(wrapError(op, arn, err), c.opts.Hints)
}

// wrapError turns an SDK error into an *Error.
func wrapError(op, arn string, err error) error {
	e := &Error{Op: op, ARN: arn, Err: err}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code, e.Message = api.ErrorCode(), api.ErrorMessage()
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		e.HTTPStatus = resp.HTTPStatusCode()
		e.RequestID = resp.ServiceRequestID()
	}
	return e
}

// ListStateMachines returns every state machine in the account and region,
// following all pages.
func (c *Client) ListStateMachines(ctx context.Context) ([]Machine, error) {
	const op = "ListStateMachines"
	p := sfn.NewListStateMachinesPaginator(c.api, &sfn.ListStateMachinesInput{MaxResults: c.opts.PageSize})
	var out []Machine
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.wrap(op, "", err)
		}
		for _, m := range page.StateMachines {
			out = append(out, Machine{
				ARN:     aws.ToString(m.StateMachineArn),
				Name:    aws.ToString(m.Name),
				Type:    string(m.Type),
				Created: toTime(m.CreationDate),
			})
		}
	}
	return out, nil
}

// ListExecutions returns the executions of a state machine, newest first as
// Step Functions orders them, following all pages. A non-empty status keeps
// only executions in that status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT,
// ABORTED, PENDING_REDRIVE).
func (c *Client) ListExecutions(ctx context.Context, machineARN, status string) ([]Execution, error) {
	const op = "ListExecutions"
	in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(machineARN), MaxResults: c.opts.PageSize}
	if status != "" {
		st := types.ExecutionStatus(status)
		if !slices.Contains(st.Values(), st) {
			return nil, &Error{Op: op, ARN: machineARN, Err: fmt.Errorf("unknown status filter %q (want one of %v)", status, st.Values())}
		}
		in.StatusFilter = st
	}
	p := sfn.NewListExecutionsPaginator(c.api, in)
	var out []Execution
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.wrap(op, machineARN, err)
		}
		for _, x := range page.Executions {
			out = append(out, Execution{
				ARN:          aws.ToString(x.ExecutionArn),
				MachineARN:   aws.ToString(x.StateMachineArn),
				Name:         aws.ToString(x.Name),
				Status:       string(x.Status),
				Start:        toTime(x.StartDate),
				Stop:         toTime(x.StopDate),
				RedriveCount: int(aws.ToInt32(x.RedriveCount)),
				RedriveDate:  toTime(x.RedriveDate),
			})
		}
	}
	return out, nil
}

// Start starts an execution of a state machine. An empty name lets Step
// Functions choose one (a UUID); an empty input sends none, which Step
// Functions treats as "{}". It returns the new execution's ARN and start date.
func (c *Client) Start(ctx context.Context, machineARN, name, input string) (string, time.Time, error) {
	in := &sfn.StartExecutionInput{StateMachineArn: aws.String(machineARN)}
	if name != "" {
		in.Name = aws.String(name)
	}
	if input != "" {
		in.Input = aws.String(input)
	}
	out, err := c.api.StartExecution(ctx, in)
	if err != nil {
		return "", time.Time{}, c.wrap("StartExecution", machineARN, err)
	}
	arn := aws.ToString(out.ExecutionArn)
	if arn == "" {
		return "", time.Time{}, &Error{Op: "StartExecution", ARN: machineARN, Err: errors.New("no executionArn in the response")}
	}
	return arn, toTime(out.StartDate), nil
}

// Describe returns an execution's status, input, output, error and cause,
// dates and redrive state.
func (c *Client) Describe(ctx context.Context, executionARN string) (Execution, error) {
	out, err := c.api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return Execution{}, c.wrap("DescribeExecution", executionARN, err)
	}
	return Execution{
		ARN:                 aws.ToString(out.ExecutionArn),
		MachineARN:          aws.ToString(out.StateMachineArn),
		Name:                aws.ToString(out.Name),
		Status:              string(out.Status),
		Start:               toTime(out.StartDate),
		Stop:                toTime(out.StopDate),
		Input:               aws.ToString(out.Input),
		Output:              aws.ToString(out.Output),
		Error:               aws.ToString(out.Error),
		Cause:               aws.ToString(out.Cause),
		RedriveCount:        int(aws.ToInt32(out.RedriveCount)),
		RedriveDate:         toTime(out.RedriveDate),
		RedriveStatus:       string(out.RedriveStatus),
		RedriveStatusReason: aws.ToString(out.RedriveStatusReason),
	}, nil
}

// Stop stops a running execution, recording errName and cause (both
// optional) as its error and cause. It returns the stop date.
func (c *Client) Stop(ctx context.Context, executionARN, errName, cause string) (time.Time, error) {
	in := &sfn.StopExecutionInput{ExecutionArn: aws.String(executionARN)}
	if errName != "" {
		in.Error = aws.String(errName)
	}
	if cause != "" {
		in.Cause = aws.String(cause)
	}
	out, err := c.api.StopExecution(ctx, in)
	if err != nil {
		return time.Time{}, c.wrap("StopExecution", executionARN, err)
	}
	return toTime(out.StopDate), nil
}

// Redrive restarts a failed, aborted or timed-out execution from the state
// where it stopped (RedriveExecution; the SDK sends a fresh clientToken). It
// returns the redrive date. An execution that cannot be redriven fails with
// Code "ExecutionNotRedrivable".
func (c *Client) Redrive(ctx context.Context, executionARN string) (time.Time, error) {
	out, err := c.api.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return time.Time{}, c.wrap("RedriveExecution", executionARN, err)
	}
	return toTime(out.RedriveDate), nil
}

// DescribeStateMachine returns a state machine's name, type, definition,
// role and status.
func (c *Client) DescribeStateMachine(ctx context.Context, machineARN string) (MachineDetail, error) {
	out, err := c.api.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machineARN)})
	if err != nil {
		return MachineDetail{}, c.wrap("DescribeStateMachine", machineARN, err)
	}
	return MachineDetail{
		Machine: Machine{
			ARN:     aws.ToString(out.StateMachineArn),
			Name:    aws.ToString(out.Name),
			Type:    string(out.Type),
			Created: toTime(out.CreationDate),
		},
		Definition:  aws.ToString(out.Definition),
		RoleARN:     aws.ToString(out.RoleArn),
		Status:      string(out.Status),
		Description: aws.ToString(out.Description),
		RevisionID:  aws.ToString(out.RevisionId),
	}, nil
}

// toTime returns *t in UTC, or the zero time for nil.
func toTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
