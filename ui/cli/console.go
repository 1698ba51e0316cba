package cli

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"errors"
	"flag"
	"fmt"
	"github.com/lakeops/lakeops/aws/flows/sfn"
	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/athena"
	"github.com/lakeops/lakeops/aws/query/duck"

	"github.com/lakeops/lakeops/etl/demo"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/files"
	flowsview "github.com/lakeops/lakeops/views/flows"
	queryview "github.com/lakeops/lakeops/views/query"
	"github.com/lakeops/lakeops/views/rejects"
	"github.com/lakeops/lakeops/views/runs"
	tablesview "github.com/lakeops/lakeops/views/tables"
)

// jobLimit is how many pipeline jobs the console runs at once; more wait in the queue.
const jobLimit = 2

// consoleViews lists the console's screens in tab order: adding a view is
// one line here.
func consoleViews(flows flowsview.Service) []ui.View {
	return []ui.View{
		files.New(),
		runs.New(),
		rejectsview.New(),
		tablesview.New(),
		queryview.New(),
		flowsview.New(flows),
	}
}

// openConsole runs the console on a lake until the user quits.
func openConsole(ctx context.Context, g *Globals, env Env, lk *lake.Lake) error {
	m := jobs.New(lk, jobLimit)
	engine, engineName, err := consoleEngine(ctx, g, env, lk)
	if err != nil {
		return err
	}
	defer engine.Close()
	events := make(chan tea.Msg, 64)
	var flows flowsview.Service
	if g.AWS {
		cfg, err := awsConfig(ctx, g)
		if err != nil {
			return err
		}
		local := &localFlows{lake: lk}
		flows = &awsFlows{c: sfn.New(cfg, sfn.Options{}), readOnly: lk.CheckWritable,
			defaultInput: func(ctx context.Context) (string, error) { return local.DefaultInput(ctx, "") }}
	} else {
		lf, err := newLocalFlows(lk, events)
		if err != nil {
			return err
		}
		defer lf.Close()
		flows = lf
	}
	region := g.Region
	if region == "" {
		region = env.Getenv("AWS_REGION")
	}
	opts := ui.AppOptions{
		Services:  &ui.Services{Lake: lk, Jobs: m, Query: engine, Profile: g.Profile, Region: region, Engine: engineName},
		Keys:      ui.DefaultKeyMap(),
		Views:     consoleViews(flows),
		LakeLabel: lk.URI(),
		Getenv:    env.Getenv,
		Events:    events,
	}
	if g.ReadOnly {
		opts.LakeLabel += " (read-only)"
	}
	if err := ui.Run(ctx, opts); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func runConsole(ctx context.Context, g *Globals, env Env, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q; see 'lakeops help'", args[0])
	}
	lk, err := openLake(ctx, g, false)
	if err != nil {
		return fmt.Errorf("%w (make a demo lake with 'lakeops demo', or point --lake at one)", err)
	}
	return openConsole(ctx, g, env, lk)
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
	g.Lake = *dir
	lk, err := openLake(ctx, g, true)
	if err != nil {
		return err
	}
	return openConsole(ctx, g, env, lk)
}

// consoleEngine opens the SQL engine of the console: DuckDB over the lake,
// or Athena with --aws (database and workgroup from LAKEOPS_ATHENA_DATABASE,
// LAKEOPS_ATHENA_WORKGROUP and LAKEOPS_ATHENA_OUTPUT).
func consoleEngine(ctx context.Context, g *Globals, env Env, lk *lake.Lake) (query.Engine, string, error) {
	if !g.AWS {
		eng, err := duck.Open(ctx, lk, duck.Options{ReadOnly: g.ReadOnly, UnsafeFileAccess: g.SQLFileAccess})
		if err != nil {
			return nil, "", fmt.Errorf("open the local SQL engine: %w", err)
		}
		return eng, "local (DuckDB)", nil
	}
	cfg, err := awsConfig(ctx, g)
	if err != nil {
		return nil, "", err
	}
	return athena.New(cfg, athena.Options{Database: env.Getenv("LAKEOPS_ATHENA_DATABASE"),
		Workgroup: env.Getenv("LAKEOPS_ATHENA_WORKGROUP"), OutputLocation: env.Getenv("LAKEOPS_ATHENA_OUTPUT"), ReadOnly: g.ReadOnly}), "athena", nil
}

// awsConfig loads the AWS configuration with the global --profile and --region.
func awsConfig(ctx context.Context, g *Globals) (aws.Config, error) {
	var load []func(*config.LoadOptions) error
	if g.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(g.Profile))
	}
	if g.Region != "" {
		load = append(load, config.WithRegion(g.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
