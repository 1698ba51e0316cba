package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/internal/textfmt"
)

const flowUsage = `usage: lakeops flow <command>
  run [--definition FILE] [--input JSON] [--json] [--wait-scale F | --no-wait]
        run a state machine to the end on the local runner and print its events
        (default: the project's lakeops-flow; FILE may be the seed's JSON)
  start [--definition FILE] [--input JSON] [--wait-scale F | --no-wait] [MACHINE]
        start an execution, print its ARN, and run it in the foreground to the
        end (the CLI process is the runner); "flow stop ARN" from another shell stops it
  ls [--json] [MACHINE]      machines, or a machine's executions
  describe [--json] ARN      an execution's status, input, output and error
  history [--json] ARN       an execution's events
  stop ARN                   stop a running execution (ABORTED)
  redrive [--wait-scale F | --no-wait] ARN
        restart a FAILED execution from the state that failed, in the foreground
Executions are kept in the lake under _lakeops/flows/. Wait states and retry
delays use the real clock; --wait-scale 0.01 makes a 35 s Wait take 0.35 s and
--no-wait skips them (task timeouts stay in real time).`

// runFlow is `lakeops flow …` on the local flows service.
func runFlow(ctx context.Context, g *Globals, env Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, flowUsage)
		if len(args) == 0 {
			return usagef("flow needs a command: run, start, ls, describe, history, stop or redrive")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	if g.AWS {
		return runFlowAWS(ctx, g, env, sub, rest)
	}
	switch sub {
	case "run", "start":
		return flowRun(ctx, g, env, sub, rest)
	case "redrive":
		return flowRedrive(ctx, g, env, rest)
	case "ls":
		return flowList(ctx, g, env, rest)
	case "describe", "history":
		return flowShow(ctx, g, env, sub, rest)
	case "stop":
		return flowStop(ctx, g, env, rest)
	}
	return usagef("flow: unknown command %q (run, start, ls, describe, history, stop, redrive)", sub)
}

// clockFlags are the wait options of the commands that run executions.
type clockFlags struct {
	scale  *float64
	noWait *bool
}

func addClockFlags(fs *flag.FlagSet) clockFlags {
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

// flowResult is the `flow run --json` contract.
type flowResult struct {
	ExecutionARN string          `json:"execution_arn"`
	Status       string          `json:"status"`
	Output       json.RawMessage `json:"output"`
	Error        string          `json:"error,omitempty"`
	Cause        string          `json:"cause,omitempty"`
	Events       []asl.Event     `json:"events"`
}

func flowRun(ctx context.Context, g *Globals, env Env, sub string, args []string) error {
	fs := flag.NewFlagSet("flow "+sub, flag.ContinueOnError)
	defPath := fs.String("definition", "", "state machine JSON file (default: the project's lakeops-flow)")
	input := fs.String("input", "{}", "execution input JSON")
	asJSON := fs.Bool("json", false, "print one JSON object: status, output, error, cause, events")
	cf := addClockFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	machine := definitions.LakeopsFlowName
	var def []byte
	switch {
	case len(pos) > 1, len(pos) == 1 && sub == "run":
		return usagef("flow %s: unexpected arguments %q", sub, pos)
	case len(pos) == 1:
		machine = pos[0]
	}
	if *defPath != "" {
		if def, err = os.ReadFile(*defPath); err != nil {
			return fmt.Errorf("flow %s: %w", sub, err)
		}
		if len(pos) == 0 {
			machine = machineFor(*defPath, def)
		}
		if _, err := asl.Parse(def); err != nil {
			return fmt.Errorf("flow %s: %s: invalid state machine: %w", sub, *defPath, err)
		}
	}
	if !json.Valid([]byte(*input)) {
		return usagef("--input is not valid JSON")
	}
	svc, err := cf.flows(ctx, g)
	if err != nil {
		return err
	}
	live := !*asJSON && sub == "run"
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
	arn, err = svc.Start(ctx, machine, def, json.RawMessage(*input))
	if err != nil {
		return err
	}
	if sub == "start" {
		fmt.Fprintln(env.Stdout, arn)
	}
	mu.Lock()
	ready = true
	for _, e := range pending {
		printEvent(env.Stdout, e)
	}
	pending = nil
	mu.Unlock()
	return finishFlow(ctx, svc, env, arn, *asJSON, sub == "run")
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
		res := flowResult{ExecutionARN: e.ARN, Status: e.Status, Output: e.Output, Events: e.Events}
		if e.Status != asl.StatusSucceeded {
			res.Error, res.Cause = e.Error, e.Cause
		}
		if res.Output == nil {
			res.Output = json.RawMessage("null")
		}
		if err := writeJSON(env.Stdout, res); err != nil {
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
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

func flowRedrive(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("flow redrive", flag.ContinueOnError)
	cf := addClockFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("flow redrive needs one execution ARN")
	}
	svc, err := cf.flows(ctx, g)
	if err != nil {
		return err
	}
	e, err := svc.Describe(ctx, pos[0])
	if err != nil {
		return err
	}
	if err := svc.Redrive(ctx, e.ARN); err != nil {
		return err
	}
	return finishFlow(ctx, svc, env, e.ARN, false, true)
}

func flowList(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("flow ls", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("flow ls takes at most one MACHINE")
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
		if *asJSON {
			return writeJSON(env.Stdout, ms)
		}
		tw := newTable(env.Stdout, "MACHINE", "REGISTERED", "ARN")
		for _, m := range ms {
			fmt.Fprintf(tw, "%s\t%v\t%s\n", m.Name, m.Registered, m.ARN)
		}
		return tw.Flush()
	}
	list, err := svc.Executions(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []local.Summary{}
		}
		return writeJSON(env.Stdout, list)
	}
	tw := newTable(env.Stdout, "EXECUTION", "STATUS", "STARTED", "DURATION", "REDRIVES")
	for _, e := range list {
		dur := "-"
		if !e.StopDate.IsZero() {
			dur = textfmt.Duration(e.StopDate.Sub(e.StartDate))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", e.ARN, e.Status, e.StartDate.Format(time.RFC3339), dur, e.RedriveCount)
	}
	return tw.Flush()
}

func flowShow(ctx context.Context, g *Globals, env Env, sub string, args []string) error {
	fs := flag.NewFlagSet("flow "+sub, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("flow %s needs one execution ARN", sub)
	}
	svc, err := openFlows(ctx, g, nil)
	if err != nil {
		return err
	}
	e, err := svc.Describe(ctx, pos[0])
	if err != nil {
		return err
	}
	if sub == "history" {
		if *asJSON {
			return writeJSON(env.Stdout, e.Events)
		}
		for _, ev := range e.Events {
			printEvent(env.Stdout, ev)
		}
		return nil
	}
	e.Events, e.Definition = nil, nil
	if *asJSON {
		return writeJSON(env.Stdout, e)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "execution\t%s\nstatus\t%s\nstarted\t%s\n", e.ARN, e.Status, e.StartDate.Format(time.RFC3339))
	if !e.StopDate.IsZero() {
		fmt.Fprintf(tw, "stopped\t%s\n", e.StopDate.Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "redrives\t%d\ninput\t%s\n", e.RedriveCount, textfmt.Sanitize(string(e.Input)))
	if e.Output != nil {
		fmt.Fprintf(tw, "output\t%s\n", textfmt.Sanitize(string(e.Output)))
	}
	if e.Error != "" {
		fmt.Fprintf(tw, "error\t%s\ncause\t%s\nfailed state\t%s\n", textfmt.Sanitize(e.Error), textfmt.Sanitize(e.Cause), textfmt.Sanitize(e.FailedState))
	}
	printMapRuns(tw, e.MapRuns)
	return tw.Flush()
}

func flowStop(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("flow stop", flag.ContinueOnError)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("flow stop needs one execution ARN")
	}
	svc, err := openFlows(ctx, g, nil)
	if err != nil {
		return err
	}
	e, err := svc.Stop(ctx, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", e.Status, e.ARN)
	return nil
}
