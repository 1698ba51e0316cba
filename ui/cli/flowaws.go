package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/lakeops/lakeops/aws/flows/sfn"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// The flow commands on Step Functions (--aws).

// stateMachine is the settings' state machine: --state-machine (or its
// environment variable or configuration key), else the state machine of
// the settings' stack (from its outputs), else "".
func (g *Globals) stateMachine(ctx context.Context) (string, error) {
	if g.StateMachine != "" || g.Stack == "" {
		return g.StateMachine, nil
	}
	st, err := g.root.Stack(ctx)
	if err != nil {
		return "", err
	}
	return st.StateMachineArn, nil
}

// machineARN is the state machine a command names, else the settings'.
func machineARN(ctx context.Context, g *Globals, pos []string) (string, error) {
	if len(pos) == 1 {
		return pos[0], nil
	}
	arn, err := g.stateMachine(ctx)
	if err != nil || arn != "" {
		return arn, err
	}
	return "", usagef("--aws needs a state machine ARN: an argument, --state-machine (LAKEOPS_STATE_MACHINE, state_machine in the configuration's lake) or --stack")
}

func awsFlowStart(ctx context.Context, g *Globals, env Env, sub string, pos []string, input, name, format string) error {
	arn, err := machineARN(ctx, g, pos)
	if err != nil {
		return err
	}
	if err := checkWritable(g, "start an execution"); err != nil {
		return err
	}
	c, err := g.root.StepFunctions(ctx)
	if err != nil {
		return err
	}
	execARN, started, err := c.Start(ctx, arn, name, input)
	if err != nil {
		return err
	}
	asJSON := format == formatJSON
	if sub == "start" {
		if asJSON {
			return writeJSON(env.Stdout, executionOut{ARN: execARN, Machine: arn, Name: name, Status: "RUNNING", StartDate: utc(started)})
		}
		fmt.Fprintln(env.Stdout, execARN)
		return nil
	}
	fmt.Fprintln(env.Stderr, execARN) // run: the ARN while it runs, the result on stdout
	for {
		e, err := c.Describe(ctx, execARN)
		if err != nil {
			return err
		}
		if e.Status != "RUNNING" && e.Status != "PENDING_REDRIVE" {
			out := awsExecution(e)
			if asJSON {
				err = writeJSON(env.Stdout, out)
			} else {
				err = printExecution(env, out)
			}
			if err != nil {
				return err
			}
			if e.Status != "SUCCEEDED" {
				return errFilesFailed // exit 1, the output says why
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

func awsFlowList(ctx context.Context, g *Globals, env Env, pos []string, format string) error {
	c, err := g.root.StepFunctions(ctx)
	if err != nil {
		return err
	}
	if len(pos) == 0 { // the settings' state machine's executions, else the machines
		arn, err := g.stateMachine(ctx)
		if err != nil {
			return err
		}
		if arn != "" {
			pos = []string{arn}
		}
	}
	if len(pos) == 0 {
		ms, err := c.ListStateMachines(ctx)
		if err != nil {
			return err
		}
		list := make([]machineOut, len(ms))
		for i, m := range ms {
			list[i] = machineOut{Name: m.Name, ARN: m.ARN, Type: m.Type, Created: utc(m.Created)}
		}
		return printList(env.Stdout, format, list, func() error {
			tw := newTable(env.Stdout, "NAME", "TYPE", "CREATED", "ARN")
			for _, m := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", textfmt.Sanitize(m.Name), m.Type, m.Created.Format(time.RFC3339), textfmt.Sanitize(m.ARN))
			}
			return tw.Flush()
		})
	}
	es, err := c.ListExecutions(ctx, pos[0], "")
	if err != nil {
		return err
	}
	list := make([]executionOut, len(es))
	for i, e := range es {
		list[i] = awsExecution(e)
	}
	return printList(env.Stdout, format, list, func() error {
		tw := newTable(env.Stdout, "NAME", "STATUS", "START", "STOP", "ARN")
		for _, e := range list {
			stop := ""
			if !e.StopDate.IsZero() {
				stop = e.StopDate.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", textfmt.Sanitize(e.Name), e.Status, e.StartDate.Format(time.RFC3339), stop, textfmt.Sanitize(e.ARN))
		}
		return tw.Flush()
	})
}

func awsFlowDescribe(ctx context.Context, g *Globals, env Env, arn, format string) error {
	c, err := g.root.StepFunctions(ctx)
	if err != nil {
		return err
	}
	e, err := c.Describe(ctx, arn)
	if err != nil {
		return err
	}
	runs, err := c.MapRuns(ctx, arn) // a distributed Map's progress
	if err != nil {
		return err
	}
	out := awsExecution(e)
	for _, r := range runs {
		out.MapRuns = append(out.MapRuns, awsMapRunOut(r))
	}
	if format == formatJSON {
		return writeJSON(env.Stdout, out)
	}
	return printExecution(env, out)
}

func awsFlowHistory(ctx context.Context, g *Globals, env Env, arn, format string) error {
	c, err := g.root.StepFunctions(ctx)
	if err != nil {
		return err
	}
	if format == formatJSON {
		events := []eventOut{}
		if err := c.History(ctx, arn, func(e sfn.Event) error { events = append(events, awsEvent(e)); return nil }); err != nil {
			return err
		}
		return writeJSON(env.Stdout, events)
	}
	return c.History(ctx, arn, func(e sfn.Event) error {
		if format == formatJSONL {
			return printList(env.Stdout, formatJSONL, []eventOut{awsEvent(e)}, nil)
		}
		fmt.Fprintf(env.Stdout, "%4d %s %-28s %s %s\n", e.ID, e.Timestamp.UTC().Format("15:04:05.000"), e.Type, textfmt.Sanitize(e.StateName), textfmt.Sanitize(e.Error))
		return nil
	})
}

// awsFlowControl stops or redrives an execution on Step Functions.
func awsFlowControl(ctx context.Context, g *Globals, env Env, action, arn, format string) error {
	if err := checkWritable(g, action+" an execution"); err != nil {
		return err
	}
	c, err := g.root.StepFunctions(ctx)
	if err != nil {
		return err
	}
	var at time.Time
	status := "ABORTED"
	if action == "stop" {
		at, err = c.Stop(ctx, arn, "lakeops.Stopped", "stopped with lakeops flow stop")
	} else {
		status = "RUNNING"
		at, err = c.Redrive(ctx, arn)
	}
	if err != nil {
		return err
	}
	if format == formatJSON {
		out := controlOut{ExecutionARN: arn, Status: status, StopDate: utc(at)}
		if action == "redrive" {
			out.StopDate, out.RedriveDate = time.Time{}, utc(at)
		}
		return writeJSON(env.Stdout, out)
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n", action, textfmt.Sanitize(arn))
	return nil
}

// checkWritable refuses a write under --read-only, with the lake's own error.
func checkWritable(g *Globals, action string) error {
	if g.ReadOnly {
		return fmt.Errorf("%s: %w", action, lake.ErrReadOnly)
	}
	return nil
}
