// Command lakeops is a terminal operator console for an e-commerce lakehouse
// on AWS (S3, Delta Lake, Glue, Athena, Step Functions), with an embedded
// default that runs on a local folder. See README.md.
//
// The same binary is the pipeline's worker: run by AWS Lambda (detected
// from the Lambda environment) it serves the worker's actions, and
// `lakeops worker [ACTION_JSON]` runs one action (an ECS task's command).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lakeops/lakeops/aws/workerhost"
	"github.com/lakeops/lakeops/ui/cli"
)

func main() {
	if workerhost.InLambda(os.Getenv) {
		workerhost.ServeLambda(workerhost.NewHost(os.Getenv))
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var code int
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		code = workerhost.RunTask(ctx, workerhost.NewHost(os.Getenv), os.Args[2:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	} else {
		code = cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Stdin: os.Stdin})
	}
	stop()
	os.Exit(code)
}
