package cli

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/etl/demo"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/files"
	"github.com/lakeops/lakeops/views/flows"
	queryview "github.com/lakeops/lakeops/views/query"
	"github.com/lakeops/lakeops/views/rejects"
	"github.com/lakeops/lakeops/views/runs"
	"github.com/lakeops/lakeops/views/tables"
)

// consoleWaitScale shortens Wait states in the console (the lab's machine
// waits 35 s for its crawler; the local crawler is ready at once).
const consoleWaitScale = 0.1

// consoleParts are what the console's views are built from.
type consoleParts struct {
	ops    *ops.Ops
	engine queryview.Engine // nil: no SQL engine
	flows  flows.Service    // nil: no flows service
	// query and flow options (a history file, an export folder, polling).
	queryOpts []queryview.Option
	flowOpts  []flows.Option
}

// consoleViews lists the console's screens in tab order: adding a view is
// one line here.
func consoleViews(p consoleParts) []ui.View {
	return []ui.View{
		files.New(p.ops),
		runs.New(p.ops),
		rejects.New(p.ops),
		tables.New(p.ops),
		queryview.New(p.engine, p.queryOpts...),
		flows.New(p.flows, p.flowOpts...),
	}
}

// consoleOptions builds the console from the root: the SQL engine, the
// operations layer, the flows service and the views, with the relay's
// feed of job snapshots and the channel of flow events.
func (r *Root) consoleOptions(ctx context.Context, parts consoleParts) (ui.AppOptions, error) {
	engName := "local (DuckDB)"
	useAthena := r.g.AWS && r.engineName != "local" || r.engineName == "athena" // :engine overrides --aws
	eopts := EngineOptions{Athena: useAthena}                                   // Athena's database, workgroup and results: the settings'
	if useAthena {
		engName = "athena"
	}
	eng, err := r.Engine(ctx, eopts)
	if err != nil {
		return ui.AppOptions{}, err
	}
	o, err := r.Ops(ctx)
	if err != nil {
		return ui.AppOptions{}, err
	}
	jm, err := r.Jobs(ctx)
	if err != nil {
		return ui.AppOptions{}, err
	}
	events := make(chan tea.Msg, 256)
	send := func(msg tea.Msg) {
		select { // never block a running execution on the screen
		case events <- msg:
		default:
		}
	}
	if parts.flows == nil {
		svc, opts, err := r.consoleFlows(ctx, o, send)
		if err != nil {
			return ui.AppOptions{}, err
		}
		parts.flows, parts.flowOpts = svc, append(opts, parts.flowOpts...)
	}
	parts.ops, parts.engine = o, eng
	var status []string
	if pr := joinNonEmpty("/", r.g.Profile, r.g.Region); pr != "" {
		status = append(status, pr)
	}
	if r.g.AWS && r.g.Stack != "" {
		status = append(status, "stack "+r.g.Stack)
	}
	opts := ui.AppOptions{
		Jobs:      jm,
		Status:    append(status, engName),
		Keys:      r.g.Keys,
		Views:     consoleViews(parts),
		LakeLabel: r.lake.URI(),
		Getenv:    r.env.Getenv,
		Feeds:     []ui.Feed{{Changed: jm.Changed(), Message: func() tea.Msg { return jm.Snapshot() }}},
		Events:    events,
		Commands:  r.consoleCommands(o),
	}
	if r.g.ReadOnly {
		opts.LakeLabel += " (read-only)"
	}
	r.g.Theme.Apply(&opts)
	return opts, nil
}

// consoleFlows is the Flows view's service: the local runner, whose SNS
// publishes become notifications and whose events reach the view as they
// are recorded; or Step Functions with --aws (polled: it cannot push).
func (r *Root) consoleFlows(ctx context.Context, o *ops.Ops, send func(tea.Msg)) (flows.Service, []flows.Option, error) {
	if r.g.AWS {
		c, err := r.StepFunctions(ctx)
		if err != nil {
			return nil, nil, err
		}
		svc := &awsFlows{c: c, readOnly: r.lake.CheckWritable, ops: o}
		opts := []flows.Option{flows.Poll(flowPoll)}
		machine, err := r.g.stateMachine(ctx)
		if err != nil {
			return nil, nil, err
		}
		if machine != "" {
			svc.stackMachine = flows.Machine{ID: machine, Name: machine[strings.LastIndex(machine, ":")+1:]}
			opts = append(opts, flows.Open(machine))
		}
		return svc, opts, nil
	}
	r.Notify = func(n local.Notification) {
		text := n.Message
		if n.Subject != "" {
			text = n.Subject + ": " + text
		}
		send(ui.Notify{Text: "SNS · " + text, Error: n.Error != ""})
	}
	svc, err := r.LocalFlows(ctx, asl.RealClock{Scale: consoleWaitScale})
	if err != nil {
		return nil, nil, err
	}
	svc.OnEvent = func(arn string, e asl.Event) {
		ev := flowEvent(e)
		send(flows.Changed{ExecID: arn, Event: &ev})
	}
	svc.OnMapRun = func(arn string, mr asl.MapRun) {
		v := localMapRun(mr)
		send(flows.Changed{ExecID: arn, MapRun: &v})
	}
	return &localFlows{lake: r.lake, svc: svc, ops: o}, nil, nil
}

// openConsole runs the console on the root's lake until the user quits
// (a :lake, :profile, :region or :engine switch opens it again on a root
// with the setting changed: runConsoleLoop).
func (r *Root) openConsole(ctx context.Context) error { return r.runConsoleLoop(ctx) }

func consoleCommand(g *Globals, _ Env) *cobra.Command {
	return &cobra.Command{
		Use:   "console",
		Short: "open the console on the lake (the default command)",
		Long: `Opens the terminal console on the lake: Files, Runs, Rejects, Tables, Query and Flows. Keys and
the theme can be changed in the configuration file ([console] theme, colors and keys).`,
		Example: "  lakeops console\n  lakeops --use prod --read-only",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), g)
		},
	}
}

// runConsole opens the console on the settings' lake.
func runConsole(ctx context.Context, g *Globals) error {
	if _, err := g.root.Lake(ctx, false); err != nil {
		return err
	}
	return g.root.openConsole(ctx)
}

func demoCommand(g *Globals, env Env) *cobra.Command {
	var noConsole bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "create a local demo lake and open the console on it",
		Long: `Makes a demo lake — the original lab's 15 days of products, orders and order items plus 5
generated days with some dirt of every kind — in the folder of --lake (when given) or
./lakeops-demo, unless it holds raw files already, and opens the console on it.`,
		Example: "  lakeops demo\n  lakeops demo --lake /tmp/lake --no-console && lakeops --lake /tmp/lake run",
		Args:    noArgs,
	}
	cmd.Flags().BoolVar(&noConsole, "no-console", false, "only create the lake")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		dir := g.Lake
		if !g.lakeSet {
			dir = "lakeops-demo"
		}
		if remoteLake(dir) {
			return usagef("a demo lake is a folder on disk, not %s: give --lake DIR", dir)
		}
		res, err := demo.Create(ctx, dir)
		if err != nil {
			return err
		}
		if res.Created {
			fmt.Fprintf(env.Stderr, "demo lake created in %s: %d raw files (the lab's 15 days plus 5 generated days with some dirt)\n", res.Dir, res.RawFiles)
		} else {
			fmt.Fprintf(env.Stderr, "using the demo lake in %s\n", res.Dir)
		}
		if noConsole {
			return nil
		}
		g.Lake = dir // the root has opened nothing yet: it opens the demo lake
		if _, err := g.root.Lake(ctx, true); err != nil {
			return err
		}
		return g.root.openConsole(ctx)
	}
	return cmd
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}
