package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/awslog"
	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/catalog/glue"
	catlocal "github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/deploy/stack"
	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/aws/flows/sfn"
	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/athena"
	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// jobLimit is how many pipeline jobs run at once; more wait in the queue.
const jobLimit = 2

// EngineOptions choose the SQL engine.
type EngineOptions struct {
	// Athena selects Athena; otherwise DuckDB over the lake.
	Athena bool
	// Local are the DuckDB engine's options (cache folder and limit, fetch progress).
	Local duck.Options
	// AthenaOptions are Athena's; an empty database, workgroup or result
	// location takes the settings' (Globals).
	AthenaOptions athena.Options
}

// Root is the composition root of the front ends. From the global options
// (a plain struct resolved from flags, environment and config file) it builds — once
// each, when first asked — the lake, the jobs manager, the operations
// layer, the SQL engine, the catalog, the AWS configuration and the local
// flows backend; Close closes every one it built, newest first. The CLI's
// commands and the console take their parts from here, and nothing else
// opens them.
type Root struct {
	g   *Globals
	env Env

	lake    *lake.Lake
	jobs    *jobs.Manager
	ops     *ops.Ops
	engine  query.Engine
	awsCfg  *aws.Config
	stack   *stack.Settings // --stack's, read once (rootstack.go)
	catalog catalog.Catalog
	flows   *flowsBackend
	// Notify receives the local flows' SNS publishes (default: a line on stderr).
	Notify  func(local.Notification)
	closers []func() error
	// engineName is the console's :engine choice ("local", "athena"; "" follows --aws).
	engineName string
}

// flowsBackend is the local runner and its task resources.
type flowsBackend struct {
	svc *local.Service
	res *local.LakeResources
}

func newRoot(g *Globals, env Env) *Root { return &Root{g: g, env: env} }

// Close closes every part built, newest first, and reports the first error.
func (r *Root) Close() error {
	var first error
	for _, c := range slices.Backward(r.closers) {
		if err := c(); err != nil && first == nil {
			first = err
		}
	}
	r.closers = nil
	return first
}

func (r *Root) onClose(c func() error) { r.closers = append(r.closers, c) }

// Lake opens the lake named by --lake (create makes a missing folder; it
// counts only on the first call).
func (r *Root) Lake(ctx context.Context, create bool) (*lake.Lake, error) {
	if r.lake != nil {
		return r.lake, nil
	}
	opts := r.g.awsOptions()
	opts.Create = create
	st, err := stores.Open(ctx, r.g.Lake, opts)
	if err != nil {
		if missingFolderLake(r.g.Lake) {
			return nil, fmt.Errorf("%w: make a demo lake with 'lakeops demo', start one with 'lakeops gen --out %s/bronze_layer', "+
				"or point --lake (or --use, see 'lakeops config show') at a lake", err, r.g.Lake)
		}
		return nil, err
	}
	if c, ok := st.(io.Closer); ok {
		r.onClose(c.Close)
	}
	r.lake = lake.New(st)
	r.lake.ReadOnly = r.g.ReadOnly
	return r.lake, nil
}

// Jobs is the background jobs manager of the lake.
func (r *Root) Jobs(ctx context.Context) (*jobs.Manager, error) {
	if r.jobs != nil {
		return r.jobs, nil
	}
	lk, err := r.Lake(ctx, false)
	if err != nil {
		return nil, err
	}
	r.jobs = jobs.New(lk, jobLimit)
	r.onClose(func() error { r.jobs.Close(); return nil })
	return r.jobs, nil
}

// Ops is the operations layer over the lake, with the jobs manager and
// the SQL engine when one was opened before (the console opens it first).
func (r *Root) Ops(ctx context.Context) (*ops.Ops, error) {
	if r.ops != nil {
		return r.ops, nil
	}
	jm, err := r.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	r.ops = ops.New(r.lake, ops.Options{Jobs: jm, Engine: r.engine})
	return r.ops, nil
}

// Engine opens the SQL engine: DuckDB over the lake, or Athena. The
// global --read-only (only statements that read run) and the local
// engine's sandbox switch apply to both front ends here.
func (r *Root) Engine(ctx context.Context, opts EngineOptions) (query.Engine, error) {
	if r.engine != nil {
		return r.engine, nil
	}
	opts.Local.ReadOnly, opts.Local.UnsafeFileAccess = r.g.ReadOnly, r.g.SQLFileAccess
	a := &opts.AthenaOptions
	a.ReadOnly, a.Hints = r.g.ReadOnly, r.g.awsHints()
	a.Database = cmp.Or(a.Database, r.g.AthenaDatabase)
	a.Workgroup = cmp.Or(a.Workgroup, r.g.AthenaWorkgroup)
	a.OutputLocation = cmp.Or(a.OutputLocation, r.g.AthenaOutputLocation)
	if err := r.withStack(ctx, &opts); err != nil {
		return nil, err
	}
	if opts.Athena {
		cfg, err := r.AWSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("athena engine: %w", err)
		}
		r.engine = athena.New(cfg, opts.AthenaOptions)
	} else {
		lk, err := r.Lake(ctx, false)
		if err != nil {
			return nil, err
		}
		eng, err := duck.Open(ctx, lk, opts.Local)
		if err != nil {
			return nil, fmt.Errorf("open the local SQL engine: %w", err)
		}
		r.engine = eng
	}
	r.onClose(r.engine.Close)
	return r.engine, nil
}

// AWSConfig loads the AWS configuration with the settings' profile and
// region: the one place it is loaded. The SDK logs through slog: its
// requests with --debug, nothing otherwise (not even its warnings).
func (r *Root) AWSConfig(ctx context.Context) (aws.Config, error) {
	if r.awsCfg != nil {
		return *r.awsCfg, nil
	}
	load := []func(*config.LoadOptions) error{config.WithLogger(awslog.Logger{L: r.g.log})}
	if r.g.Debug {
		load = append(load, config.WithClientLogMode(awslog.DebugMode))
	}
	if r.g.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(r.g.Profile))
	}
	if r.g.Region != "" {
		load = append(load, config.WithRegion(r.g.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", awserr.Explain(err, r.g.awsHints()))
	}
	r.awsCfg = &cfg
	return cfg, nil
}

// Catalog opens a catalog: "local" (in the lake) or "glue" (a database).
func (r *Root) Catalog(ctx context.Context, kind, database string) (catalog.Catalog, error) {
	if r.catalog != nil {
		return r.catalog, nil
	}
	switch kind {
	case "local":
		lk, err := r.Lake(ctx, false)
		if err != nil {
			return nil, err
		}
		r.catalog = catlocal.New(lk.Store)
	case "glue":
		if database == "" {
			return nil, usagef("--catalog glue needs the Glue database: --database, LAKEOPS_ATHENA_DATABASE or athena_database in the configuration's lake")
		}
		cfg, err := r.AWSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("glue: %w", err)
		}
		r.catalog = glue.New(cfg, glue.Options{Database: database, Hints: r.g.awsHints()})
	default:
		return nil, usagef("--catalog must be local or glue, not %q", kind)
	}
	return r.catalog, nil
}

// StepFunctions is the Step Functions client (--aws flows).
func (r *Root) StepFunctions(ctx context.Context) (*sfn.Client, error) {
	cfg, err := r.AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	return sfn.New(cfg, sfn.Options{Hints: r.g.awsHints()}), nil
}

// LocalFlows is the local state-machine runner over the lake with the
// shipped machines registered. Its task resources do their work through
// the jobs manager (under the job limit, shown in Runs): the lab's
// glue:startJobRun as one pipeline run, the project's worker actions one
// job each.
func (r *Root) LocalFlows(ctx context.Context, clock asl.Clock) (*local.Service, error) {
	if r.flows != nil {
		return r.flows.svc, nil
	}
	if clock == nil {
		clock = asl.RealClock{}
	}
	lk, err := r.Lake(ctx, false)
	if err != nil {
		return nil, err
	}
	jm, err := r.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	res := local.NewLakeResources(lk, clock)
	res.Notify = func(n local.Notification) {
		if r.Notify != nil {
			r.Notify(n)
			return
		}
		fmt.Fprintf(r.env.Stderr, "notification: %s: %s\n", textfmt.Sanitize(n.Subject), textfmt.Sanitize(n.Message))
	}
	res.RunPipeline = func(ctx context.Context, opts pipeline.Options) (*pipeline.Summary, error) {
		return runAsJob(ctx, jm, opts)
	}
	res.Worker = workerAsJobs(jm, res.Worker)
	svc := local.New(lk, res, clock)
	for name, def := range definitions.All() {
		if err := svc.Register(name, def); err != nil {
			_ = res.Close()
			return nil, err
		}
	}
	r.flows = &flowsBackend{svc: svc, res: res}
	// The resources hold a DuckDB engine once a flow ran a query: closed
	// after the runner's executions stopped.
	r.onClose(res.Close)
	r.onClose(func() error { svc.Close(); return nil })
	return svc, nil
}

// runAsJob runs a flow's pipeline run as a background job and waits for it.
func runAsJob(ctx context.Context, jm *jobs.Manager, opts pipeline.Options) (*pipeline.Summary, error) {
	title := "flow: run every new file"
	if len(opts.Files) > 0 {
		title = fmt.Sprintf("flow: run %d files", len(opts.Files))
	}
	info, err := jm.Run(ctx, jobs.Spec{Title: title, Files: opts.Files, Force: opts.Force, Recheck: opts.Recheck, RunID: opts.RunID,
		Limits: opts.Limits})
	if err != nil {
		return info.Summary, err
	}
	if info.Summary == nil && info.Err != "" {
		return nil, errors.New(info.Err)
	}
	return info.Summary, nil
}
