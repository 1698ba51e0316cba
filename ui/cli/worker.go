package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/aws/workerhost"
)

// workerCommand is the pipeline's worker as an ECS task's command (hidden:
// the project's state machine runs it, people do not).
func workerCommand(env Env) *cobra.Command {
	return noSettings(&cobra.Command{
		Use:   "worker [ACTION_JSON]",
		Short: "(used by the state machine on ECS) run one action of the pipeline's worker",
		Long: `Runs one worker action — plan, process a batch, commit a dataset, register, archive — given as
JSON in the argument, $LAKEOPS_ACTION or stdin, and prints its result as JSON. A failure prints
{"error", "cause"} on stderr and exits 1 (2 for invalid input).`,
		Example:            `  lakeops worker '{"action": "plan", "lake": "s3://bucket/lake"}'`,
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && (args[0] == "--help" || args[0] == "-h") {
				return cmd.Help()
			}
			stdin := env.Stdin
			if stdin == nil {
				stdin = strings.NewReader("")
			}
			if code := workerhost.RunTask(cmd.Context(), workerhost.NewHost(env.Getenv), args, stdin, env.Stdout, env.Stderr, env.Getenv); code != 0 {
				return exitCode(code)
			}
			return nil
		},
	})
}
