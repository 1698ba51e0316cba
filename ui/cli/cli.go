// Package cli is the headless command-line adapter of lakeops and the
// composition root of both front ends: a cobra command tree (tree.go) whose
// settings come from flags, the environment and the configuration file
// (settings.go), services built once from them (Root, root.go) — for its
// commands and for the console, whose views it wires — results on stdout in
// one output contract (format.go), and errors as one line on stderr.
// Exit status: 0 success, 1 failure, 2 usage or configuration error.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/etl/bench"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
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
	Stdin          io.Reader // answers to questions, a worker's action; nil: none
}

// Globals are the settings every command shares, resolved from flags, the
// environment and the configuration file (settings.go): a plain struct the
// composition root (Root) builds every service from.
type Globals struct {
	Lake        string
	EndpointURL string
	Profile     string
	Region      string
	AWS         bool
	ReadOnly    bool
	// SQLFileAccess lifts the local SQL engine's sandbox (see duck.Options.UnsafeFileAccess).
	SQLFileAccess bool
	// Athena's database (also the Glue database tables register in),
	// workgroup and result location.
	AthenaDatabase, AthenaWorkgroup, AthenaOutputLocation string
	// StateMachine is the Step Functions machine flow commands use with --aws.
	StateMachine string
	// Stack is a lakeops CloudFormation stack.
	Stack string
	Debug bool

	// Keys and Theme are the console's, with the configuration's changes.
	Keys  ui.KeyMap
	Theme ui.ThemeSpec

	settings *resolved    // every setting with where it came from (config show)
	log      *slog.Logger // --debug: the AWS SDK's requests; nil: nothing
	lakeSet  bool         // the lake was given (flag, environment or file), not the default
	root     *Root        // the services, built from these options when first asked
}

// usageError marks an error as a usage error (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// errFilesFailed marks a failure the command has reported on stdout (a run
// in which a file failed, an execution that did not succeed): exit status
// 1, no extra message.
var errFilesFailed = errors.New("one or more files failed")

// exitCode ends the process with a status a command chose and printed
// nothing more about (the worker's).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Main runs lakeops with the given arguments (without the program name) and
// returns the exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if path := env.Getenv(bench.PeakRSSFileEnv); path != "" { // a child of lakeops bench
		defer func() {
			if err := bench.WritePeakRSS(path); err != nil {
				fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
			}
		}()
	}
	a := newApp(env)
	defer a.cleanup()
	root := a.tree()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if a.g.root != nil {
		if cerr := a.g.root.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err == nil {
		return ExitOK
	}
	var code exitCode
	switch {
	case errors.As(err, &code):
		return int(code)
	case errors.Is(err, errFilesFailed):
		return ExitFail
	}
	name := "lakeops"
	if cmd != nil && cmd != root {
		name = cmd.CommandPath()
	}
	fmt.Fprintf(env.Stderr, "%s: %s\n", name, errorText(explainAWS(err, a.g).Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFail
}

// explainAWS turns an AWS SDK failure that no adapter explained into the
// one line of awserr (what failed, what to do); other errors pass.
func explainAWS(err error, g *Globals) error {
	var done *awserr.Error
	if errors.As(err, &done) {
		return err
	}
	return awserr.Explain(err, g.awsHints())
}

// awsHints are what an explained AWS failure may name: the profile in use.
func (g *Globals) awsHints() awserr.Hints { return awserr.Hints{Profile: g.Profile} }

// oneLine keeps an error message on one line.
// errorText is an error for stderr: on one line, except an error that
// points at its place with a caret under a quoted line (a SQL error), whose
// lines are kept, indented alike so that the caret still points.
func errorText(s string) string {
	lines := strings.Split(s, "\n")
	caret := slices.ContainsFunc(lines, func(l string) bool {
		t := strings.TrimSpace(l)
		return t != "" && strings.Trim(t, "^") == ""
	})
	if !caret {
		return oneLine(s)
	}
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		l = textfmt.Sanitize(strings.TrimRight(l, " "))
		if len(out) > 0 {
			l = "  " + l
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
