// Command lakeops is a terminal operator console for an e-commerce lakehouse
// on AWS (S3, Delta Lake, Glue, Athena, Step Functions), with an embedded
// default that runs on a local folder. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lakeops/lakeops/ui/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
