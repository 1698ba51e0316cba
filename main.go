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
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
