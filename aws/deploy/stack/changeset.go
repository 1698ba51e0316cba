package stack

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Change is one resource change of a change set.
type Change struct {
	Action      string // Add, Modify, Remove, Import, Dynamic
	LogicalID   string
	Type        string
	Replacement string // True, False, Conditional (Modify only)
}

// Plan is a change set ready to execute.
type Plan struct {
	Stack       string
	StackID     string
	ChangeSetID string
	Create      bool // the change set creates the stack
	Changes     []Change
	// Empty: the template and parameters change nothing; the change set
	// was removed and there is nothing to execute.
	Empty bool
}

// Template is what a change set deploys.
type Template struct {
	URL        string // the template in S3 (CloudFormation takes a body up to 51,200 bytes, so the stack's goes by URL)
	Parameters map[string]string
}

// Plan creates a change set for the stack (a CREATE change set when the
// stack does not exist or was never created, else an UPDATE), waits until
// CloudFormation has computed it and returns its changes.
func (c *Client) Plan(ctx context.Context, name string, tmpl Template) (Plan, error) {
	create := false
	st, err := c.Describe(ctx, name)
	switch {
	case err == nil:
		create = st.Status == string(types.StackStatusReviewInProgress)
		if !st.Settled() && !create {
			return Plan{}, fmt.Errorf("stack %s is %s: wait until it settles (lakeops deploy status --stack %s)", name, st.Status, name)
		}
		if st.Status == string(types.StackStatusRollbackComplete) || st.Status == string(types.StackStatusRollbackFailed) {
			return Plan{}, fmt.Errorf("stack %s is %s (its creation failed): delete it first (lakeops deploy delete --stack %s)", name, st.Status, name)
		}
	case isNoStack(err):
		create = true
	default:
		return Plan{}, err
	}
	kind := types.ChangeSetTypeUpdate
	if create {
		kind = types.ChangeSetTypeCreate
	}
	var params []types.Parameter
	keys := make([]string, 0, len(tmpl.Parameters))
	for k := range tmpl.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		params = append(params, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(tmpl.Parameters[k])})
	}
	out, err := c.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(name),
		ChangeSetName: aws.String("lakeops-" + time.Now().UTC().Format("20060102-150405")),
		ChangeSetType: kind,
		TemplateURL:   aws.String(tmpl.URL),
		Parameters:    params,
		Capabilities:  []types.Capability{types.CapabilityCapabilityIam},
		Description:   aws.String("lakeops deploy apply"),
	})
	if err != nil {
		return Plan{}, c.fail("create change set for stack "+name, err)
	}
	p := Plan{Stack: name, StackID: aws.ToString(out.StackId), ChangeSetID: aws.ToString(out.Id), Create: create}
	for {
		var next *string
		var status types.ChangeSetStatus
		var reason string
		var changes []Change
		for {
			d, err := c.cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID), NextToken: next})
			if err != nil {
				return Plan{}, c.fail("describe change set of stack "+name, err)
			}
			status, reason = d.Status, aws.ToString(d.StatusReason)
			for _, ch := range d.Changes {
				if rc := ch.ResourceChange; rc != nil {
					changes = append(changes, Change{Action: string(rc.Action), LogicalID: aws.ToString(rc.LogicalResourceId),
						Type: aws.ToString(rc.ResourceType), Replacement: string(rc.Replacement)})
				}
			}
			if next = d.NextToken; next == nil {
				break
			}
		}
		switch status {
		case types.ChangeSetStatusCreateComplete:
			p.Changes = changes
			return p, nil
		case types.ChangeSetStatusFailed:
			if strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed") {
				p.Empty = true
				return p, c.Discard(ctx, p)
			}
			return Plan{}, fmt.Errorf("change set of stack %s failed: %s", name, reason)
		}
		if err := sleep(ctx, c.opts.PollInterval); err != nil {
			return Plan{}, err
		}
	}
}

// Discard deletes a change set that will not be executed.
func (c *Client) Discard(ctx context.Context, p Plan) error {
	if _, err := c.cf.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID)}); err != nil {
		return c.fail("delete change set of stack "+p.Stack, err)
	}
	return nil
}

// Event is one stack event, with the operation's progress.
type Event struct {
	Time      time.Time
	LogicalID string
	Type      string
	Status    string
	Reason    string
	// Done resources of Total (Total 0 when not known).
	Done, Total int
}

// Execute runs a plan's change set and follows the stack's events until it
// settles; it returns the stack as it ended. An update that fails and rolls
// back is an error naming the first failure.
func (c *Client) Execute(ctx context.Context, p Plan, onEvent func(Event)) (Stack, error) {
	marker, err := c.newestEvent(ctx, p.StackID)
	if err != nil {
		return Stack{}, err
	}
	if _, err := c.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID)}); err != nil {
		return Stack{}, c.fail("execute change set of stack "+p.Stack, err)
	}
	w := &watcher{c: c, stack: p.StackID, marker: marker, onEvent: onEvent, total: len(p.Changes)}
	final, err := w.until(ctx)
	if err != nil {
		return final, err
	}
	switch final.Status {
	case string(types.StackStatusCreateComplete), string(types.StackStatusUpdateComplete):
		return final, nil
	case string(types.StackStatusUpdateRollbackComplete), string(types.StackStatusRollbackComplete):
		return final, fmt.Errorf("stack %s failed and was rolled back (%s): %s", p.Stack, final.Status, w.firstFailure(final.StatusReason))
	}
	return final, fmt.Errorf("stack %s ended %s: %s", p.Stack, final.Status, w.firstFailure(final.StatusReason))
}

// newestEvent is the id of the stack's latest event ("" for none): the
// events after it belong to the operation about to start.
func (c *Client) newestEvent(ctx context.Context, stackID string) (string, error) {
	out, err := c.cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)})
	if err != nil {
		if isNoStack(c.fail("", err)) {
			return "", nil
		}
		return "", c.fail("describe stack events", err)
	}
	if len(out.StackEvents) == 0 {
		return "", nil
	}
	return aws.ToString(out.StackEvents[0].EventId), nil
}

// watcher follows a stack's events until the stack settles.
type watcher struct {
	c       *Client
	stack   string
	marker  string // the newest event already seen
	onEvent func(Event)
	total   int // resources the operation touches; -1: count as they come
	done    map[string]bool
	seen    map[string]bool
	failed  []Event
}

func (w *watcher) until(ctx context.Context) (Stack, error) {
	w.done, w.seen = map[string]bool{}, map[string]bool{}
	for {
		if err := w.poll(ctx); err != nil {
			return Stack{}, err
		}
		st, err := w.c.Describe(ctx, w.stack)
		if err != nil {
			return Stack{}, err
		}
		if st.Settled() {
			// The events that settled it may land after the status.
			if err := w.poll(ctx); err != nil {
				return st, err
			}
			return st, nil
		}
		if err := sleep(ctx, w.c.opts.PollInterval); err != nil {
			return st, err
		}
	}
}

// poll reads the events newer than the marker (newest first, by pages) and
// reports them oldest first.
func (w *watcher) poll(ctx context.Context) error {
	var fresh []types.StackEvent
	var next *string
	reached := false
	for !reached {
		out, err := w.c.cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(w.stack), NextToken: next})
		if err != nil {
			return w.c.fail("describe stack events", err)
		}
		for _, e := range out.StackEvents {
			if aws.ToString(e.EventId) == w.marker {
				reached = true
				break
			}
			fresh = append(fresh, e)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if len(fresh) > 0 {
		w.marker = aws.ToString(fresh[0].EventId)
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		ev := Event{Time: aws.ToTime(e.Timestamp), LogicalID: aws.ToString(e.LogicalResourceId), Type: aws.ToString(e.ResourceType),
			Status: string(e.ResourceStatus), Reason: aws.ToString(e.ResourceStatusReason)}
		if ev.Type != "AWS::CloudFormation::Stack" {
			w.seen[ev.LogicalID] = true
			if strings.HasSuffix(ev.Status, "_COMPLETE") || strings.HasSuffix(ev.Status, "_SKIPPED") {
				w.done[ev.LogicalID] = true
			}
		}
		if strings.HasSuffix(ev.Status, "_FAILED") {
			w.failed = append(w.failed, ev)
		}
		ev.Done, ev.Total = len(w.done), w.total
		if w.total < 0 {
			ev.Total = len(w.seen)
		}
		if w.onEvent != nil {
			w.onEvent(ev)
		}
	}
	return nil
}

// firstFailure names the first resource that failed, the root cause of a
// rollback (later ones are often "cancelled").
func (w *watcher) firstFailure(stackReason string) string {
	for _, e := range w.failed {
		if e.Type != "AWS::CloudFormation::Stack" && !strings.Contains(e.Reason, "cancelled") {
			return e.LogicalID + " (" + e.Type + ") " + e.Status + ": " + e.Reason
		}
	}
	if stackReason != "" {
		return stackReason
	}
	return "no reason given"
}

func isNoStack(err error) bool { return errors.Is(err, ErrNoStack) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
