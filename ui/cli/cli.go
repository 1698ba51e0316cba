// Package cli is the headless command-line adapter of lakeops and the
// composition root of both front ends: it parses the global flags and the
// subcommands the README lists, builds the services once from the global
// options (Root) — for its commands and for the console, whose views it
// wires — and prints results on stdout and errors (one line) on stderr.
// Exit status: 0 success, 1 failure, 2 usage error.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/etl/bench"
)

// Exit statuses.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// Env is the process environment a command runs in.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Stdin          io.Reader // answers to questions (deploy apply, deploy delete); nil: none
}

// Globals are the options that come before the subcommand: a plain
// struct the composition root (Root) builds every service from.
type Globals struct {
	Lake        string
	EndpointURL string
	Profile     string
	Region      string
	AWS         bool
	Stack       string // a lakeops stack (deploy apply): its state machine, workgroup and database
	ReadOnly    bool
	// SQLFileAccess lifts the local SQL engine's sandbox (see duck.Options.UnsafeFileAccess).
	SQLFileAccess bool
	lakeSet       bool  // --lake or LAKEOPS_LAKE was given
	root          *Root // the services, built from these options when first asked
}

// usageError marks an error as a usage error (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, g *Globals, env Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"table":        {summary: "table ls | history URI | read URI [--version N] [--format csv|jsonl] | register [--catalog local|glue] [--database D] | vacuum URI [--retain HOURS] [--dry-run] [--force] | optimize URI [--target-size MB] | clean-log URI [--dry-run] | set-property URI KEY=VALUE... [--unset KEY]", run: runTable},
		"demo":         {summary: "demo [--lake DIR] [--no-console]: create a local demo lake and open the console", run: runDemo},
		"gen":          {summary: "gen --out DIR --orders N [--dirty RATE] [--seed S]: generate seed-shaped raw CSVs", run: runGen},
		"validate":     {summary: "validate [--json] FILE...: dry run, what would be accepted/rejected", run: runValidate},
		"run":          {summary: "run [--json] [--force] [FILE...]: run the pipeline (default: every new raw file)", run: runRun},
		"rejects":      {summary: "rejects [--dataset D] [--file F] [--reason R] [--open] [--format table|csv|json]", run: runRejects},
		"reprocess":    {summary: "reprocess [--dataset D] [--file F]: retry rejected rows against the current tables", run: runReprocess},
		"query":        {summary: "query [--engine local|athena] [--format table|csv|json] SQL: run SQL (tables: <name>, <name>@v<N> for version N)", run: runQuery},
		"flow":         {summary: "flow run [--definition FILE] [--input JSON] [--json] | ls | start | describe | history | stop | redrive: state machines on the local runner", run: runFlow},
		"deploy":       {summary: "deploy template [--compute lambda|fargate] [--arch arm64|amd64] [--create-bucket] | package --out DIR | apply --stack NAME [--yes] | status --stack NAME | delete --stack NAME: the lakehouse on AWS (CloudFormation)", run: runDeploy},
		"bench":        {summary: "bench [--case daily,interleaved,force,redeliver,small-files,read,query] [--items N] [--runs R]: time lakeops against its peer on each shape of load", run: runBench},
		"bench-duckdb": {summary: "(used by bench) the DuckDB side of a bench case", run: runBenchDuckDB},
		"help":         {summary: "show this help", run: nil},
		"console":      {summary: "open the console on --lake (the default command)", run: runConsole},
	}
}

// Main runs lakeops with the given arguments (without the program name) and
// returns the exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if path := env.Getenv(bench.PeakRSSFileEnv); path != "" { // a child of lakeops bench
		defer func() {
			if err := bench.WritePeakRSS(path); err != nil {
				fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
			}
		}()
	}
	g := &Globals{}
	fs := flag.NewFlagSet("lakeops", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.Lake, "lake", defaultLake(env), "lake root: folder, file://… or s3://bucket/prefix (env LAKEOPS_LAKE)")
	fs.StringVar(&g.EndpointURL, "endpoint-url", "", "S3-compatible endpoint URL (path-style addressing)")
	fs.StringVar(&g.Profile, "profile", env.Getenv("AWS_PROFILE"), "AWS shared config profile")
	fs.StringVar(&g.Region, "region", "", "AWS region")
	fs.BoolVar(&g.AWS, "aws", false, "use AWS services (Athena, Step Functions, Glue, SNS) instead of the local stand-ins")
	fs.StringVar(&g.Stack, "stack", env.Getenv("LAKEOPS_STACK"), "a lakeops CloudFormation stack: with --aws, query and flow use its workgroup, database and state machine (env LAKEOPS_STACK)")
	fs.BoolVar(&g.ReadOnly, "read-only", false, "refuse every write, SQL included: only statements that read run")
	fs.BoolVar(&g.SQLFileAccess, strings.TrimPrefix(duck.FileAccessFlag, "--"), env.Getenv("LAKEOPS_UNSAFE_SQL_FILE_ACCESS") == "1",
		"let SQL on the local engine read and write any local file, attach databases, load extensions and change settings (env LAKEOPS_UNSAFE_SQL_FILE_ACCESS=1)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the command to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile (allocations) of the command to this file")
	traceFile := fs.String("trace", "", "write an execution trace of the command to this file (go tool trace)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env.Stdout, fs)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
		return ExitUsage
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "lake" {
			g.lakeSet = true
		}
	})
	if env.Getenv("LAKEOPS_LAKE") != "" {
		g.lakeSet = true
	}
	rest := fs.Args()
	if len(rest) == 0 {
		rest = []string{"console"}
	}
	name := rest[0]
	cmd, ok := commands()[name]
	if name == "help" || name == "-h" {
		printUsage(env.Stdout, fs)
		return ExitOK
	}
	if !ok {
		fmt.Fprintf(env.Stderr, "lakeops: unknown command %q; see 'lakeops help'\n", name)
		return ExitUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
			return ExitFail
		}
		defer stop()
	}
	if *memProfile != "" {
		defer func() {
			if err := writeHeapProfile(*memProfile); err != nil {
				fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
			}
		}()
	}
	if *traceFile != "" {
		stop, err := startTrace(*traceFile)
		if err != nil {
			fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
			return ExitFail
		}
		defer stop()
	}
	g.root = newRoot(g, env)
	err := cmd.run(ctx, g, env, rest[1:])
	if cerr := g.root.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errFilesFailed) {
		return ExitFail
	}
	fmt.Fprintf(env.Stderr, "lakeops %s: %s\n", name, oneLine(explainAWS(err, g).Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFail
}

func defaultLake(env Env) string {
	if v := env.Getenv("LAKEOPS_LAKE"); v != "" {
		return v
	}
	return "lake"
}

// explainAWS turns an AWS SDK failure that no adapter explained into the
// one line of awserr (what failed, what to do); other errors pass.
func explainAWS(err error, g *Globals) error {
	var done *awserr.Error
	if errors.As(err, &done) {
		return err
	}
	return awserr.Explain(err, awserr.Hints{Profile: g.Profile})
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: lakeops [global flags] <command> [args]")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nglobal flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parseInterspersed parses flags that may appear before, between or after
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("usage of %s:\n%s", fs.Name(), flagHelp(fs))
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func flagHelp(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}
