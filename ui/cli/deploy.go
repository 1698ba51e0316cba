package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lakeops/lakeops/aws/deploy"
	"github.com/lakeops/lakeops/aws/deploy/artifact"
	"github.com/lakeops/lakeops/aws/deploy/stack"
	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// The deploy commands: the CLI glue of aws/deploy (the template),
// aws/deploy/artifact (the package) and aws/deploy/stack (CloudFormation).

func deployCommand(g *Globals, env Env) *cobra.Command {
	return group(&cobra.Command{
		Use:   "deploy",
		Short: "the lakehouse on AWS: a CloudFormation stack for the lake",
		Long: `Deploys the lakehouse for the lake named by --lake s3://BUCKET/PREFIX as a CloudFormation
stack (--stack NAME, or stack in the configuration's lake): the worker on Lambda or ECS Fargate,
the project's state machine, the Glue database, the Athena workgroup, the SNS topic. apply shows
the change set and asks before executing it (--yes does not ask); --read-only refuses apply and
delete. With --aws and --stack, query and flow take the stack's workgroup, database and state
machine.`,
		Example: `  lakeops deploy template --compute fargate > lakeops.template.json
  lakeops --lake s3://acme-lake/lakehouse deploy apply --stack lakeops-prod
  lakeops deploy status --stack lakeops-prod`,
	}, deployTemplateCommand(env), deployPackageCommand(env), deployApplyCommand(g, env), deployStatusCommand(g, env),
		deployDeleteCommand(g, env))
}

// templateFlags are the template's options (template, apply).
func templateFlags(fs *pflag.FlagSet, opts *deploy.Options) {
	fs.StringVar(&opts.Compute, "compute", deploy.ComputeLambda, "where batches and commits run: lambda or fargate")
	fs.StringVar(&opts.Arch, "arch", deploy.ArchARM64, "the worker's architecture: arm64 or amd64")
	fs.BoolVar(&opts.CreateBucket, "create-bucket", false, "the stack creates the lake's bucket (else it exists and sends events to EventBridge)")
	fs.StringVar(&opts.Schedule, "schedule", "", "start the flow on an EventBridge schedule, e.g. 'rate(5 minutes)', instead of on each raw file that lands")
}

// checkTemplateFlags refuses a --compute, --arch or --schedule the template has no form for.
func checkTemplateFlags(opts deploy.Options) error {
	if err := oneOf("compute", opts.Compute, deploy.ComputeLambda, deploy.ComputeFargate); err != nil {
		return err
	}
	if err := oneOf("arch", opts.Arch, deploy.ArchARM64, deploy.ArchAMD64); err != nil {
		return err
	}
	if opts.Schedule != "" && !deploy.ValidSchedule(opts.Schedule) {
		return usagef("--schedule must be rate(N minutes|hours|days) or cron(six fields), not %q", opts.Schedule)
	}
	return nil
}

func deployTemplateCommand(env Env) *cobra.Command {
	var opts deploy.Options
	cmd := &cobra.Command{
		Use:     "template",
		Short:   "print the CloudFormation template (JSON)",
		Example: "  lakeops deploy template\n  lakeops deploy template --compute fargate --arch amd64 --create-bucket > lakeops.template.json",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkTemplateFlags(opts); err != nil {
				return err
			}
			b, err := deploy.JSON(opts)
			if err != nil {
				return usagef("%v", err)
			}
			_, err = env.Stdout.Write(append(b, '\n'))
			return err
		},
	}
	templateFlags(cmd.Flags(), &opts)
	return cmd
}

func deployPackageCommand(env Env) *cobra.Command {
	var out, source string
	cmd := &cobra.Command{
		Use:   "package --out DIR",
		Short: "build the worker's Lambda zip and OCI image for both architectures",
		Long: `Builds the worker with the Go toolchain (CGO_ENABLED=0, linux arm64 and amd64) into a Lambda zip
and an OCI image tarball per architecture, and writes their list with digests to DIR/` + artifact.ManifestFile + `.`,
		Example: "  lakeops deploy package --out dist/worker",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("needs --out DIR")
			}
			m, err := artifact.Build(cmd.Context(), artifact.Options{Source: source, Out: out, Log: env.Stderr})
			if err != nil {
				return err
			}
			tw := newTable(env.Stdout, "ARTIFACT", "KIND", "ARCH", "SIZE", "SHA256")
			for _, a := range m.Artifacts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", filepath.Join(out, a.Name), a.Kind, a.Arch, textfmt.Bytes(a.Size), a.SHA256)
			}
			fmt.Fprintf(tw, "CA certificates: %s\n", m.CASource)
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the folder to write the artifacts to")
	cmd.Flags().StringVar(&source, "source", "", "the lakeops source folder (default: found from the working directory)")
	return cmd
}

// stackClient is the CloudFormation client of a command that needs the
// settings' stack.
func stackClient(cmd *cobra.Command, g *Globals) (*stack.Client, error) {
	if g.Stack == "" {
		return nil, usagef("needs --stack NAME (or LAKEOPS_STACK, or stack in the configuration's lake)")
	}
	cfg, err := g.root.AWSConfig(cmd.Context())
	if err != nil {
		return nil, err
	}
	return stack.New(cfg, stack.Options{Profile: g.Profile}), nil
}

// stackOut is what deploy status prints with --format json.
type stackOut struct {
	Name         string            `json:"name"`
	ID           string            `json:"id"`
	Status       string            `json:"status"`
	StatusReason string            `json:"status_reason"`
	Created      time.Time         `json:"created"`
	Updated      time.Time         `json:"updated,omitzero"`
	Outputs      map[string]string `json:"outputs"`    // CloudFormation's names
	Parameters   map[string]string `json:"parameters"` // CloudFormation's names
}

func deployStatusCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "the stack's status and outputs",
		Example: "  lakeops deploy status --stack lakeops-prod\n  lakeops --use prod deploy status --format json | jq .outputs",
		Args:    noArgs,
	}
	out := addFormat(cmd, false, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, _ []string, format string) error {
		client, err := stackClient(cmd, g)
		if err != nil {
			return err
		}
		st, err := client.Describe(cmd.Context(), g.Stack)
		if err != nil {
			return err
		}
		if format == formatJSON {
			return writeJSON(env.Stdout, stackOut{Name: st.Name, ID: st.ID, Status: st.Status, StatusReason: st.StatusReason,
				Created: utc(st.Created), Updated: utc(st.Updated), Outputs: emptyMap(st.Outputs), Parameters: emptyMap(st.Parameters)})
		}
		printStack(env.Stdout, st)
		return nil
	})
	return cmd
}

func deployDeleteCommand(g *Globals, env Env) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "delete the stack and every resource it created (a bucket it created is kept)",
		Example: "  lakeops deploy delete --stack lakeops-test\n  lakeops deploy delete --stack lakeops-test --yes",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkWritable(g, "delete the stack"); err != nil {
				return err
			}
			client, err := stackClient(cmd, g)
			if err != nil {
				return err
			}
			if !yes {
				ok, err := confirm(env, fmt.Sprintf("Delete stack %s and every resource it created (a bucket it created is kept)? [y/N] ", g.Stack))
				if err != nil || !ok {
					return errOr(err, stack.ErrDeclined)
				}
			}
			if err := client.Delete(cmd.Context(), g.Stack, printStackEvent(env.Stderr)); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "stack %s deleted\n", g.Stack)
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask before deleting the stack")
	return cmd
}

func deployApplyCommand(g *Globals, env Env) *cobra.Command {
	var opts deploy.Options
	var source, artifacts, artifactBucket, subnets, imageRepo, imageTag string
	var yes bool
	var overrides paramFlag
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "create or update the stack for the lake (shows the change set, asks first)",
		Long: `Builds (or takes, --artifacts) the worker, uploads it next to the lake (or to --artifact-bucket),
makes a change set to create or update the stack for --lake s3://BUCKET/PREFIX, shows it, asks,
executes it and follows the stack's events until it settles; a rollback is reported by its
first failure.`,
		Example: `  lakeops --lake s3://acme-lake/lakehouse deploy apply --stack lakeops-prod
  lakeops --use prod deploy apply --compute fargate --subnets subnet-1,subnet-2 --yes`,
		Args: noArgs,
	}
	f := cmd.Flags()
	templateFlags(f, &opts)
	f.StringVar(&source, "source", "", "the lakeops source folder (default: found from the working directory)")
	f.StringVar(&artifacts, "artifacts", "", "the folder deploy package wrote (default: build it now)")
	f.StringVar(&artifactBucket, "artifact-bucket", "", "an existing bucket for the artifacts (default: the lake's)")
	f.StringVar(&subnets, "subnets", "", "--compute fargate: the tasks' subnets, comma-separated")
	f.StringVar(&imageRepo, "image-repository", "", "--compute fargate: the ECR repository of the worker's image (default lakeops-worker)")
	f.StringVar(&imageTag, "image-tag", "", "--compute fargate: the image's tag (default sha-<digest of the image tarball>)")
	f.BoolVar(&yes, "yes", false, "do not ask before changing the stack")
	f.Var(&overrides, "parameter", "a stack parameter, NAME=VALUE (repeatable), e.g. WorkerMemoryMB=1769")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if err := checkTemplateFlags(opts); err != nil {
			return err
		}
		if err := checkWritable(g, "deploy the stack"); err != nil {
			return err
		}
		bucket, prefix, ok := s3Lake(g.Lake)
		if !ok {
			return usagef("deploys the lake named by --lake s3://BUCKET/PREFIX, not %q", g.Lake)
		}
		params := map[string]string{deploy.ParamBucket: bucket, deploy.ParamPrefix: prefix}
		if opts.Compute == deploy.ComputeFargate {
			if subnets == "" {
				return usagef("--compute fargate needs --subnets subnet-…,subnet-…")
			}
			params[deploy.ParamSubnets] = subnets
			if imageRepo != "" {
				params[deploy.ParamImageRepository] = imageRepo
			}
			if imageTag != "" {
				params[deploy.ParamImageTag] = imageTag
			}
		}
		for k, v := range overrides {
			params[k] = v
		}
		upBucket, upPrefix := bucket, prefix
		if artifactBucket != "" {
			upBucket, upPrefix = artifactBucket, ""
		} else if opts.CreateBucket {
			return usagef("with --create-bucket the lake's bucket does not exist yet: pass --artifact-bucket, an existing bucket for the worker's code")
		}
		client, err := stackClient(cmd, g)
		if err != nil {
			return err
		}
		cfg, err := g.root.AWSConfig(ctx)
		if err != nil {
			return err
		}
		uploads, err := stores.Open(ctx, "s3://"+upBucket+"/"+upPrefix, stores.AWSOptions{Config: g.root.AWSConfig, Profile: g.Profile, Region: cfg.Region, EndpointURL: g.EndpointURL})
		if err != nil {
			return err
		}
		dir := artifacts
		if dir == "" {
			tmp, err := os.MkdirTemp("", "lakeops-deploy-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if _, err := artifact.Build(ctx, artifact.Options{Source: source, Out: tmp, Arches: []string{opts.Arch}, Log: env.Stderr}); err != nil {
				return err
			}
			dir = tmp
		}
		st, plan, err := client.Apply(ctx, stack.Apply{
			Stack: g.Stack, Template: opts, Parameters: params, Artifacts: dir,
			Uploads: uploads, UploadBucket: upBucket, UploadPrefix: upPrefix, Region: cfg.Region,
			Confirm: func(p stack.Plan) (bool, error) {
				printPlan(env.Stdout, p)
				if yes {
					return true, nil
				}
				return confirm(env, "Apply these changes? [y/N] ")
			},
			OnEvent: printStackEvent(env.Stderr), Log: env.Stderr,
		})
		if err != nil {
			return err
		}
		if plan.Empty {
			fmt.Fprintf(env.Stdout, "stack %s is up to date: no changes\n", g.Stack)
		}
		printStack(env.Stdout, st)
		if opts.Compute == deploy.ComputeFargate {
			fmt.Fprintf(env.Stdout, "push the worker's image (%s) to its ECR repository with the tag %s before the first ECS task runs (see README, Deploy to AWS)\n",
				artifact.ImageName(opts.Arch), st.Parameters[deploy.ParamImageTag])
		}
		return nil
	}
	return cmd
}

// s3Lake splits s3://bucket/prefix into the bucket and a prefix that is
// empty or ends with "/".
func s3Lake(uri string) (bucket, prefix string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, bucket != ""
}

func printPlan(w io.Writer, p stack.Plan) {
	verb := "update"
	if p.Create {
		verb = "create"
	}
	fmt.Fprintf(w, "Change set to %s stack %s: %d change(s)\n", verb, p.Stack, len(p.Changes))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tRESOURCE\tTYPE\tREPLACEMENT")
	for _, c := range p.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Action, textfmt.Sanitize(c.LogicalID), textfmt.Sanitize(c.Type), c.Replacement)
	}
	_ = tw.Flush()
}

// printStackEvent writes each stack event as one line with the progress.
func printStackEvent(w io.Writer) func(stack.Event) {
	return func(e stack.Event) {
		progress := fmt.Sprintf("%d", e.Done)
		if e.Total > 0 {
			progress = fmt.Sprintf("%d/%d", e.Done, e.Total)
		}
		line := fmt.Sprintf("[%s] %s %-45s %-32s %s", progress, e.Time.Local().Format(time.TimeOnly), textfmt.Sanitize(e.Status), textfmt.Sanitize(e.LogicalID), textfmt.Sanitize(e.Type))
		if e.Reason != "" {
			line += ": " + oneLine(textfmt.Sanitize(e.Reason))
		}
		fmt.Fprintln(w, line)
	}
}

func printStack(w io.Writer, st stack.Stack) {
	fmt.Fprintf(w, "stack %s: %s", textfmt.Sanitize(st.Name), st.Status)
	if st.StatusReason != "" {
		fmt.Fprintf(w, " (%s)", oneLine(textfmt.Sanitize(st.StatusReason)))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range []string{deploy.OutStateMachineArn, deploy.OutWorkGroup, deploy.OutDatabase, deploy.OutTopicArn,
		deploy.OutFunctionName, deploy.OutFunctionArn, deploy.OutBucket, deploy.OutLakeURI, deploy.OutOutputLocation,
		deploy.OutEcsCluster, deploy.OutEcsTaskDefinition} {
		if v, ok := st.Outputs[k]; ok {
			fmt.Fprintf(tw, "  %s\t%s\n", k, textfmt.Sanitize(v))
		}
	}
	_ = tw.Flush()
}

// confirm asks a yes/no question on stdin; no input is "no".
func confirm(env Env, question string) (bool, error) {
	if env.Stdin == nil {
		return false, errors.New("no input to confirm on: pass --yes to go ahead without asking")
	}
	fmt.Fprint(env.Stdout, question)
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(env.Stdout)
		return false, nil
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

func errOr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// paramFlag collects NAME=VALUE flags.
type paramFlag map[string]string

func (p *paramFlag) String() string { return fmt.Sprint(map[string]string(*p)) }

// Type names the flag's value in help.
func (p *paramFlag) Type() string { return "NAME=VALUE" }

func (p *paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, not %q", v)
	}
	if *p == nil {
		*p = paramFlag{}
	}
	(*p)[k] = val
	return nil
}
