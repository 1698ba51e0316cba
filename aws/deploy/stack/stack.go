// Package stack deploys and reads a lakeops stack on CloudFormation: a
// change set to create or update it (its changes shown before anything is
// executed), the execution followed through the stack's events until the
// stack settles, the stack's status and outputs, its deletion, and the
// settings the console and the CLI take from its outputs (Lookup).
package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/deploy"
	"github.com/lakeops/lakeops/aws/internal/bufferedhttp"
)

// ErrNoStack is returned for a stack that does not exist.
var ErrNoStack = errors.New("no such stack")

// Client talks to CloudFormation for one account and region.
type Client struct {
	cf    *cloudformation.Client
	opts  Options
	hints awserr.Hints
}

// Options tune a Client.
type Options struct {
	// PollInterval is the wait between looks at a change set or a stack
	// (default 5 s).
	PollInterval time.Duration
	// Profile names the AWS profile in error messages.
	Profile string
	// CloudFormation options applied last (endpoint, HTTP client).
	CloudFormation []func(*cloudformation.Options)
}

// New returns a client on cfg.
func New(cfg aws.Config, opts Options) *Client {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	return &Client{cf: cloudformation.NewFromConfig(bufferedhttp.Config(cfg), opts.CloudFormation...), opts: opts, hints: awserr.Hints{Profile: opts.Profile}}
}

// Stack is a stack's state.
type Stack struct {
	Name, ID     string
	Status       string
	StatusReason string
	Created      time.Time
	Updated      time.Time
	Outputs      map[string]string
	Parameters   map[string]string
}

// Settled reports whether the stack is not in the middle of an operation.
func (s Stack) Settled() bool { return !strings.HasSuffix(s.Status, "_IN_PROGRESS") }

// Describe returns the stack's state (ErrNoStack if it does not exist).
func (c *Client) Describe(ctx context.Context, name string) (Stack, error) {
	out, err := c.cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		return Stack{}, c.fail("describe stack "+name, err)
	}
	if len(out.Stacks) == 0 {
		return Stack{}, fmt.Errorf("stack %s: %w", name, ErrNoStack)
	}
	s := out.Stacks[0]
	st := Stack{
		Name: aws.ToString(s.StackName), ID: aws.ToString(s.StackId), Status: string(s.StackStatus),
		StatusReason: aws.ToString(s.StackStatusReason), Created: aws.ToTime(s.CreationTime), Updated: aws.ToTime(s.LastUpdatedTime),
		Outputs: map[string]string{}, Parameters: map[string]string{},
	}
	for _, o := range s.Outputs {
		st.Outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	for _, p := range s.Parameters {
		st.Parameters[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	return st, nil
}

// fail explains an SDK error: a stack that does not exist is ErrNoStack,
// the rest goes through awserr.
func (c *Client) fail(what string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
		return fmt.Errorf("%s: %w", what, ErrNoStack)
	}
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		explained := awserr.Explain(err, c.hints)
		if explained != err {
			return explained
		}
		return fmt.Errorf("%s: CloudFormation %s: %s", what, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Errorf("%s: %w", what, awserr.Explain(err, c.hints))
}

// Settings are what the console and the CLI take from a lakeops stack's
// outputs.
type Settings struct {
	Stack           string
	Region          string
	StateMachineArn string
	WorkGroup       string
	Database        string
	OutputLocation  string
	TopicArn        string
	FunctionName    string
	LakeURI         string
}

// Lookup reads a lakeops stack's settings from its outputs: the state
// machine, Athena workgroup and Glue database the console and the CLI use
// with --aws --stack NAME.
func Lookup(ctx context.Context, cfg aws.Config, name string, opts Options) (Settings, error) {
	st, err := New(cfg, opts).Describe(ctx, name)
	if err != nil {
		return Settings{}, err
	}
	return SettingsOf(st, cfg.Region)
}

// SettingsOf reads the settings from a described stack.
func SettingsOf(st Stack, region string) (Settings, error) {
	s := Settings{
		Stack: st.Name, Region: region,
		StateMachineArn: st.Outputs[deploy.OutStateMachineArn], WorkGroup: st.Outputs[deploy.OutWorkGroup],
		Database: st.Outputs[deploy.OutDatabase], OutputLocation: st.Outputs[deploy.OutOutputLocation],
		TopicArn: st.Outputs[deploy.OutTopicArn], FunctionName: st.Outputs[deploy.OutFunctionName], LakeURI: st.Outputs[deploy.OutLakeURI],
	}
	var missing []string
	for k, v := range map[string]string{deploy.OutStateMachineArn: s.StateMachineArn, deploy.OutWorkGroup: s.WorkGroup, deploy.OutDatabase: s.Database} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("stack %s (%s) has no output %s: not a lakeops stack, or not deployed yet (lakeops deploy apply --stack %s)",
			st.Name, st.Status, strings.Join(slices.Sorted(slices.Values(missing)), ", "), st.Name)
	}
	return s, nil
}

// Delete deletes the stack and follows its events until it is gone.
func (c *Client) Delete(ctx context.Context, name string, onEvent func(Event)) error {
	before, err := c.Describe(ctx, name)
	if err != nil {
		return err
	}
	marker, err := c.newestEvent(ctx, before.ID)
	if err != nil {
		return err
	}
	if _, err := c.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(before.ID)}); err != nil {
		return c.fail("delete stack "+name, err)
	}
	w := &watcher{c: c, stack: before.ID, marker: marker, onEvent: onEvent, total: -1}
	// By its id, a deleted stack stays describable (DELETE_COMPLETE).
	final, err := w.until(ctx)
	if err != nil {
		return err
	}
	if final.Status != string(types.StackStatusDeleteComplete) {
		return fmt.Errorf("delete stack %s: %s: %s", name, final.Status, w.firstFailure(final.StatusReason))
	}
	return nil
}
