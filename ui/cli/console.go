package cli

import (
	"context"
	"flag"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/aws/flows/sfn"
	"github.com/lakeops/lakeops/aws/query/athena"
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
	eopts := EngineOptions{Athena: useAthena, AthenaOptions: athena.Options{Database: r.env.Getenv("LAKEOPS_ATHENA_DATABASE"),
		Workgroup: r.env.Getenv("LAKEOPS_ATHENA_WORKGROUP"), OutputLocation: r.env.Getenv("LAKEOPS_ATHENA_OUTPUT")}}
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
	region := r.g.Region
	if region == "" {
		region = r.env.Getenv("AWS_REGION")
	}
	var status []string
	if pr := joinNonEmpty("/", r.g.Profile, region); pr != "" {
		status = append(status, pr)
	}
	opts := ui.AppOptions{
		Jobs:      jm,
		Status:    append(status, engName),
		Keys:      ui.DefaultKeyMap(),
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
	return opts, nil
}

// consoleFlows is the Flows view's service: the local runner, whose SNS
// publishes become notifications and whose events reach the view as they
// are recorded; or Step Functions with --aws (polled: it cannot push).
func (r *Root) consoleFlows(ctx context.Context, o *ops.Ops, send func(tea.Msg)) (flows.Service, []flows.Option, error) {
	if r.g.AWS {
		cfg, err := r.AWSConfig(ctx)
		if err != nil {
			return nil, nil, err
		}
		return &awsFlows{c: sfn.New(cfg, sfn.Options{}), readOnly: r.lake.CheckWritable, ops: o},
			[]flows.Option{flows.Poll(flowPoll)}, nil
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

func runConsole(ctx context.Context, g *Globals, env Env, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q; see 'lakeops help'", args[0])
	}
	if _, err := g.root.Lake(ctx, false); err != nil {
		return fmt.Errorf("%w (make a demo lake with 'lakeops demo', or point --lake at one)", err)
	}
	return g.root.openConsole(ctx)
}

func runDemo(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dir := fs.String("lake", "", "folder for the demo lake (default: --lake, or ./lakeops-demo)")
	noConsole := fs.Bool("no-console", false, "only create the lake")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("demo takes no arguments")
	}
	if *dir == "" {
		*dir = g.Lake
		if !g.lakeSet {
			*dir = "lakeops-demo"
		}
	}
	res, err := demo.Create(ctx, *dir)
	if err != nil {
		return err
	}
	if res.Created {
		fmt.Fprintf(env.Stderr, "demo lake created in %s: %d raw files (the lab's 15 days plus 5 generated days with some dirt)\n", res.Dir, res.RawFiles)
	} else {
		fmt.Fprintf(env.Stderr, "using the demo lake in %s\n", res.Dir)
	}
	if *noConsole {
		return nil
	}
	g.Lake = *dir // the root has opened nothing yet: it opens the demo lake
	if _, err := g.root.Lake(ctx, true); err != nil {
		return err
	}
	return g.root.openConsole(ctx)
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
