package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func flowCommand(g *Globals, env Env) *cobra.Command {
	return group(&cobra.Command{
		Use:   "flow",
		Short: "state machines: on the local runner, or Step Functions with --aws",
		Long: `Runs and inspects state machines. Locally, the runner executes Amazon States Language (the
project's lakeops-flow by default; the lab's JSON runs unchanged) in this process, and keeps
executions in the lake under _lakeops/flows/. Wait states and retry delays use the real clock;
--wait-scale 0.01 makes a 35 s Wait take 0.35 s and --no-wait skips them (task timeouts stay in
real time). With --aws the same commands talk to Step Functions, on the state machine given or
the settings' state_machine.`,
		Example: `  lakeops flow run --no-wait
  lakeops flow run --definition testdata/statemachine/step_function_code.json --json
  lakeops --aws flow ls
  lakeops --use prod flow start --input '{"files": []}'`,
	}, flowRunCommand(g, env, "run"), flowRunCommand(g, env, "start"), flowLsCommand(g, env), flowDescribeCommand(g, env),
		flowHistoryCommand(g, env), flowStopCommand(g, env), flowRedriveCommand(g, env))
}

// clockFlags are the wait options of the commands that run executions.
type clockFlags struct {
	scale  *float64
	noWait *bool
}

func addClockFlags(fs *pflag.FlagSet) clockFlags {
	return clockFlags{
		scale:  fs.Float64("wait-scale", 1, "multiply Wait states and retry delays by this factor (e.g. 0.01)"),
		noWait: fs.Bool("no-wait", false, "skip Wait states and retry delays"),
	}
}

func (c clockFlags) clock() (asl.Clock, error) {
	if *c.scale <= 0 {
		return nil, usagef("--wait-scale must be positive")
	}
	return asl.RealClock{Scale: *c.scale, NoWait: *c.noWait}, nil
}

// flows opens the local flows on the clock the flags ask for.
func (c clockFlags) flows(ctx context.Context, g *Globals) (*local.Service, error) {
	clock, err := c.clock()
	if err != nil {
		return nil, err
	}
	return openFlows(ctx, g, clock)
}

// openFlows is the root's local flows service, with the shipped machines
// registered; its pipeline runs go through the jobs manager.
func openFlows(ctx context.Context, g *Globals, clock asl.Clock) (*local.Service, error) {
	return g.root.LocalFlows(ctx, clock)
}

var machineNameRE = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// machineFor names the machine of a definition file: the seed's JSON is
// "lab-seed", the project's is "lakeops-flow", others are named after the file.
func machineFor(path string, def []byte) string {
	same := func(a, b []byte) bool {
		var x, y bytes.Buffer
		return json.Compact(&x, a) == nil && json.Compact(&y, b) == nil && bytes.Equal(x.Bytes(), y.Bytes())
	}
	switch {
	case same(def, definitions.LabSeed()):
		return definitions.LabSeedName
	case same(def, definitions.LakeopsFlow()):
		return definitions.LakeopsFlowName
	}
	base := filepath.Base(path)
	for _, ext := range []string{".json", ".asl"} {
		base = strings.TrimSuffix(base, ext)
	}
	name := strings.Trim(machineNameRE.ReplaceAllString(base, "-"), "-")
	if name == "" {
		name = "machine"
	}
	return name[:min(len(name), 80)]
}

func flowRunCommand(g *Globals, env Env, sub string) *cobra.Command {
	var defPath, input, name string
	cmd := &cobra.Command{Args: maxArgs(1, "one state machine")}
	if sub == "run" {
		cmd.Use = "run [MACHINE_ARN]"
		cmd.Short = "run a state machine to the end and print its events"
		cmd.Long = `Runs a state machine on the local runner to the end (default: the project's lakeops-flow,
which loads every new raw file of the lake with a Distributed Map), printing its events as they
happen; --json prints one object {execution_arn, status, output, error, cause, events} instead.
--input overrides the flow's settings, e.g. {"batch_files": 3, "max_concurrency": 8}. Exit
status 1 unless it succeeded. With --aws it starts the machine on Step Functions (MACHINE_ARN or
the settings' state_machine) and waits for the end.`
		cmd.Example = `  lakeops flow run --no-wait
  lakeops flow run --definition testdata/statemachine/step_function_code.json --json | jq .status
  lakeops --aws flow run arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops`
	} else {
		cmd.Use = "start [MACHINE]"
		cmd.Short = "start an execution, print its ARN, and run it in the foreground"
		cmd.Long = `Starts an execution and prints its ARN. Locally the CLI process is the runner: it runs the
execution to the end in the foreground ('lakeops flow stop ARN' from another shell stops it).
With --aws it starts the execution on Step Functions and returns.`
		cmd.Example = `  lakeops flow start lab-seed --definition testdata/statemachine/step_function_code.json
  lakeops --aws flow start --input '{"files": ["bronze_layer/orders/orders_2025_04_16.csv"]}'`
	}
	f := cmd.Flags()
	f.StringVar(&defPath, "definition", "", "state machine JSON file (default: the project's lakeops-flow; local runner only)")
	f.StringVar(&input, "input", "{}", "execution input JSON")
	f.StringVar(&name, "name", "", "execution name (--aws; default: generated by AWS)")
	cf := addClockFlags(f)
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, pos []string, format string) error {
		if !json.Valid([]byte(input)) {
			return usagef("--input is not valid JSON: %s", input)
		}
		ctx := cmd.Context()
		if g.AWS {
			return awsFlowStart(ctx, g, env, sub, pos, input, name, format)
		}
		asJSON := format == formatJSON
		machine := definitions.LakeopsFlowName
		var def []byte
		switch {
		case len(pos) == 1 && sub == "run":
			return usagef("runs --definition FILE or the project's flow, not %q (on Step Functions: --aws)", pos[0])
		case len(pos) == 1:
			machine = pos[0]
		}
		if defPath != "" {
			var err error
			if def, err = os.ReadFile(defPath); err != nil {
				return fmt.Errorf("--definition: %w", err)
			}
			if len(pos) == 0 {
				machine = machineFor(defPath, def)
			}
			if _, err := asl.Parse(def); err != nil {
				return fmt.Errorf("%s: invalid state machine: %w", defPath, err)
			}
		}
		svc, err := cf.flows(ctx, g)
		if err != nil {
			return err
		}
		live := !asJSON && sub == "run"
		var arn string
		var mu sync.Mutex
		var ready bool
		var pending []asl.Event
		if live {
			// Events are printed as they happen; those recorded before Start
			// returns the ARN wait in pending.
			svc.OnEvent = func(a string, e asl.Event) {
				mu.Lock()
				defer mu.Unlock()
				if !ready {
					pending = append(pending, e)
					return
				}
				if a == arn {
					printEvent(env.Stdout, e)
				}
			}
		}
		arn, err = svc.Start(ctx, machine, def, json.RawMessage(input))
		if err != nil {
			return err
		}
		if sub == "start" {
			w := env.Stdout
			if asJSON {
				w = env.Stderr // stdout holds one JSON document
			}
			fmt.Fprintln(w, arn)
		}
		mu.Lock()
		ready = true
		for _, e := range pending {
			printEvent(env.Stdout, e)
		}
		pending = nil
		mu.Unlock()
		return finishFlow(ctx, svc, env, arn, asJSON, sub == "run")
	})
	return cmd
}

// finishFlow waits for an execution (stopping it if ctx ends) and reports it.
func finishFlow(ctx context.Context, svc *local.Service, env Env, arn string, asJSON, printResult bool) error {
	e, err := svc.Wait(ctx, arn)
	if err != nil && ctx.Err() != nil {
		e, err = svc.Stop(context.WithoutCancel(ctx), arn)
	}
	if err != nil {
		return err
	}
	if asJSON {
		if err := writeJSON(env.Stdout, localResult(e)); err != nil {
			return err
		}
	} else if printResult {
		fmt.Fprintf(env.Stdout, "%s %s\n", e.Status, e.ARN)
		if e.Status == asl.StatusSucceeded {
			fmt.Fprintf(env.Stdout, "output: %s\n", textfmt.Sanitize(string(e.Output)))
		} else {
			fmt.Fprintf(env.Stdout, "error: %s: %s\n", textfmt.Sanitize(e.Error), textfmt.Sanitize(e.Cause))
		}
	} else {
		fmt.Fprintf(env.Stderr, "%s %s\n", e.Status, e.ARN)
	}
	if e.Status != asl.StatusSucceeded {
		// errFilesFailed makes Main exit 1 without another message.
		return fmt.Errorf("execution %s: %w", e.Status, errFilesFailed)
	}
	return nil
}

// printEvent writes one event line: id, time, type, state, and error.
func printEvent(w io.Writer, e asl.Event) {
	line := fmt.Sprintf("%4d  %s  %-24s %s", e.ID, e.Timestamp.UTC().Format("15:04:05.000"), e.Type, textfmt.Sanitize(e.StateName))
	if e.Index != nil {
		line += fmt.Sprintf(" [%d]", *e.Index)
	}
	if e.Error != "" {
		line += "  " + textfmt.Sanitize(e.Error)
		if e.Cause != "" {
			line += ": " + textfmt.Sanitize(e.Cause)
		}
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

func flowRedriveCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "redrive EXECUTION_ARN",
		Short: "restart a failed execution from the state that failed",
		Long: `Restarts a FAILED execution from the state that failed, keeping what succeeded before it.
Locally it runs in the foreground to the end; with --aws Step Functions redrives it.`,
		Example: `  lakeops flow redrive arn:lakeops:states:local:000000000000:execution:lakeops-flow:20260401T100000Z-1a2b
  lakeops --aws flow redrive arn:aws:states:eu-west-1:111122223333:execution:lakeops:x`,
		Args: exactArgs(1, "one execution ARN"),
	}
	cf := addClockFlags(cmd.Flags())
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		ctx := cmd.Context()
		if g.AWS {
			return awsFlowControl(ctx, g, env, "redrive", args[0], format)
		}
		svc, err := cf.flows(ctx, g)
		if err != nil {
			return err
		}
		e, err := svc.Describe(ctx, args[0])
		if err != nil {
			return err
		}
		if err := svc.Redrive(ctx, e.ARN); err != nil {
			return err
		}
		return finishFlow(ctx, svc, env, e.ARN, format == formatJSON, true)
	})
	return cmd
}

func flowLsCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ls [MACHINE]",
		Short: "the state machines, or one machine's executions",
		Example: `  lakeops flow ls
  lakeops flow ls lakeops-flow --format json | jq -r '.[] | select(.status == "FAILED") | .execution_arn'
  lakeops --aws flow ls arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops`,
		Args: maxArgs(1, "one MACHINE"),
	}
	out := addFormat(cmd, true, formatTable, formatJSON, formatJSONL, formatCSV)
	out.runE(func(cmd *cobra.Command, pos []string, format string) error {
		ctx := cmd.Context()
		if g.AWS {
			return awsFlowList(ctx, g, env, pos, format)
		}
		svc, err := openFlows(ctx, g, nil)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			ms, err := svc.Machines(ctx)
			if err != nil {
				return err
			}
			list := make([]machineOut, len(ms))
			for i, m := range ms {
				list[i] = machineOut{Name: m.Name, ARN: m.ARN, Registered: m.Registered, DefinitionHash: m.DefinitionHash}
			}
			return printList(env.Stdout, format, list, func() error {
				tw := newTable(env.Stdout, "MACHINE", "REGISTERED", "ARN")
				for _, m := range ms {
					fmt.Fprintf(tw, "%s\t%v\t%s\n", m.Name, m.Registered, m.ARN)
				}
				return tw.Flush()
			})
		}
		sums, err := svc.Executions(ctx, pos[0])
		if err != nil {
			return err
		}
		list := make([]executionOut, len(sums))
		for i, e := range sums {
			list[i] = executionOut{ARN: e.ARN, Name: e.Name, Machine: e.Machine, Status: e.Status, StartDate: utc(e.StartDate),
				StopDate: utc(e.StopDate), RedriveCount: e.RedriveCount}
		}
		return printList(env.Stdout, format, list, func() error {
			tw := newTable(env.Stdout, "EXECUTION", "STATUS", "STARTED", "DURATION", "REDRIVES")
			for _, e := range list {
				dur := "-"
				if !e.StopDate.IsZero() {
					dur = textfmt.Duration(e.StopDate.Sub(e.StartDate))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", e.ARN, e.Status, e.StartDate.Format(time.RFC3339), dur, e.RedriveCount)
			}
			return tw.Flush()
		})
	})
	return cmd
}

func flowDescribeCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "describe EXECUTION_ARN",
		Short: "an execution's status, input, output, error and Map Runs",
		Long: `Shows an execution: status, dates, input, output, error and cause, and each Distributed Map's
Map Run (items and child executions succeeded, failed, running, pending; the first failure).`,
		Example: "  lakeops flow describe ARN\n  lakeops --aws flow describe ARN --json | jq .map_runs",
		Args:    exactArgs(1, "one execution ARN"),
	}
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		ctx := cmd.Context()
		if g.AWS {
			return awsFlowDescribe(ctx, g, env, args[0], format)
		}
		e, err := describeLocal(ctx, g, args[0])
		if err != nil {
			return err
		}
		if format == formatJSON {
			return writeJSON(env.Stdout, localExecution(e))
		}
		return printExecution(env, localExecution(e))
	})
	return cmd
}

// describeLocal reads one execution of the local runner.
func describeLocal(ctx context.Context, g *Globals, arn string) (*local.Execution, error) {
	svc, err := openFlows(ctx, g, nil)
	if err != nil {
		return nil, err
	}
	return svc.Describe(ctx, arn)
}

func flowHistoryCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "history EXECUTION_ARN",
		Short:   "an execution's events",
		Example: "  lakeops flow history ARN\n  lakeops flow history ARN --format jsonl | jq -c 'select(.error != null)'",
		Args:    exactArgs(1, "one execution ARN"),
	}
	out := addFormat(cmd, true, formatTable, formatJSON, formatJSONL)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		ctx := cmd.Context()
		if g.AWS {
			return awsFlowHistory(ctx, g, env, args[0], format)
		}
		e, err := describeLocal(ctx, g, args[0])
		if err != nil {
			return err
		}
		return printList(env.Stdout, format, localEvents(e.Events), func() error {
			for _, ev := range e.Events {
				printEvent(env.Stdout, ev)
			}
			return nil
		})
	})
	return cmd
}

func flowStopCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "stop EXECUTION_ARN",
		Short:   "stop a running execution (ABORTED)",
		Example: "  lakeops flow stop ARN\n  lakeops --aws flow stop ARN --json",
		Args:    exactArgs(1, "one execution ARN"),
	}
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		ctx := cmd.Context()
		if g.AWS {
			return awsFlowControl(ctx, g, env, "stop", args[0], format)
		}
		svc, err := openFlows(ctx, g, nil)
		if err != nil {
			return err
		}
		e, err := svc.Stop(ctx, args[0])
		if err != nil {
			return err
		}
		if format == formatJSON {
			return writeJSON(env.Stdout, controlOut{ExecutionARN: e.ARN, Status: e.Status, StopDate: utc(e.StopDate)})
		}
		fmt.Fprintf(env.Stdout, "%s %s\n", e.Status, e.ARN)
		return nil
	})
	return cmd
}
