package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lakeops/lakeops/aws/deploy"
	"github.com/lakeops/lakeops/aws/deploy/artifact"
	"github.com/lakeops/lakeops/aws/deploy/stack"
	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// The deploy command: the CLI glue of aws/deploy (the template),
// aws/deploy/artifact (the package) and aws/deploy/stack (CloudFormation).

func runDeploy(ctx context.Context, g *Globals, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("deploy needs a subcommand: template, package, apply, status or delete")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("deploy "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	opts := deploy.Options{}
	fs.StringVar(&opts.Compute, "compute", deploy.ComputeLambda, "where batches and commits run: lambda or fargate")
	fs.StringVar(&opts.Arch, "arch", deploy.ArchARM64, "the worker's architecture: arm64 or amd64")
	fs.BoolVar(&opts.CreateBucket, "create-bucket", false, "the stack creates the lake's bucket (else it exists and sends events to EventBridge)")
	out := fs.String("out", "", "package: the folder to write the artifacts to")
	source := fs.String("source", "", "package: the lakeops source folder (default: found from the working directory)")
	stackName := fs.String("stack", g.Stack, "apply, status, delete: the stack's name")
	artifacts := fs.String("artifacts", "", "apply: the folder deploy package wrote (default: build it now)")
	artifactBucket := fs.String("artifact-bucket", "", "apply: an existing bucket for the artifacts (default: the lake's)")
	subnets := fs.String("subnets", "", "apply --compute fargate: the tasks' subnets, comma-separated")
	imageRepo := fs.String("image-repository", "", "apply --compute fargate: the ECR repository of the worker's image (default lakeops-worker)")
	imageTag := fs.String("image-tag", "", "apply --compute fargate: the image's tag (default sha-<digest of the image tarball>)")
	yes := fs.Bool("yes", false, "apply, delete: do not ask before changing the stack")
	var overrides paramFlag
	fs.Var(&overrides, "parameter", "apply: a stack parameter, NAME=VALUE (repeatable), e.g. WorkerMemoryMB=1769")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	switch sub {
	case "template":
		b, err := deploy.JSON(opts)
		if err != nil {
			return usagef("%v", err)
		}
		_, err = env.Stdout.Write(append(b, '\n'))
		return err
	case "package":
		if *out == "" {
			return usagef("deploy package needs --out DIR")
		}
		m, err := artifact.Build(ctx, artifact.Options{Source: *source, Out: *out, Log: env.Stderr})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ARTIFACT\tKIND\tARCH\tSIZE\tSHA256")
		for _, a := range m.Artifacts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", filepath.Join(*out, a.Name), a.Kind, a.Arch, textfmt.Bytes(a.Size), a.SHA256)
		}
		fmt.Fprintf(tw, "CA certificates: %s\n", m.CASource)
		return tw.Flush()
	}
	if *stackName == "" {
		return usagef("deploy %s needs --stack NAME", sub)
	}
	cfg, err := g.root.AWSConfig(ctx)
	if err != nil {
		return err
	}
	client := stack.New(cfg, stack.Options{Profile: g.Profile})
	switch sub {
	case "status":
		st, err := client.Describe(ctx, *stackName)
		if err != nil {
			return err
		}
		printStack(env.Stdout, st)
		return nil
	case "delete":
		if err := checkWritable(g, "deploy delete"); err != nil {
			return err
		}
		if !*yes {
			ok, err := confirm(env, fmt.Sprintf("Delete stack %s and every resource it created (a bucket it created is kept)? [y/N] ", *stackName))
			if err != nil || !ok {
				return errOr(err, stack.ErrDeclined)
			}
		}
		if err := client.Delete(ctx, *stackName, printStackEvent(env.Stderr)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "stack %s deleted\n", *stackName)
		return nil
	case "apply":
		if err := checkWritable(g, "deploy apply"); err != nil {
			return err
		}
		bucket, prefix, ok := s3Lake(g.Lake)
		if !ok {
			return usagef("deploy apply deploys the lake named by --lake s3://BUCKET/PREFIX, not %q", g.Lake)
		}
		params := map[string]string{deploy.ParamBucket: bucket, deploy.ParamPrefix: prefix}
		if opts.Compute == deploy.ComputeFargate {
			if *subnets == "" {
				return usagef("deploy apply --compute fargate needs --subnets subnet-…,subnet-…")
			}
			params[deploy.ParamSubnets] = *subnets
			if *imageRepo != "" {
				params[deploy.ParamImageRepository] = *imageRepo
			}
			if *imageTag != "" {
				params[deploy.ParamImageTag] = *imageTag
			}
		}
		for k, v := range overrides {
			params[k] = v
		}
		upBucket, upPrefix := bucket, prefix
		if *artifactBucket != "" {
			upBucket, upPrefix = *artifactBucket, ""
		} else if opts.CreateBucket {
			return usagef("with --create-bucket the lake's bucket does not exist yet: pass --artifact-bucket, an existing bucket for the worker's code")
		}
		uploads, err := stores.Open(ctx, "s3://"+upBucket+"/"+upPrefix, stores.AWSOptions{Profile: g.Profile, Region: cfg.Region, EndpointURL: g.EndpointURL})
		if err != nil {
			return err
		}
		dir := *artifacts
		if dir == "" {
			tmp, err := os.MkdirTemp("", "lakeops-deploy-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if _, err := artifact.Build(ctx, artifact.Options{Source: *source, Out: tmp, Arches: []string{opts.Arch}, Log: env.Stderr}); err != nil {
				return err
			}
			dir = tmp
		}
		st, plan, err := client.Apply(ctx, stack.Apply{
			Stack: *stackName, Template: opts, Parameters: params, Artifacts: dir,
			Uploads: uploads, UploadBucket: upBucket, UploadPrefix: upPrefix, Region: cfg.Region,
			Confirm: func(p stack.Plan) (bool, error) {
				printPlan(env.Stdout, p)
				if *yes {
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
			fmt.Fprintf(env.Stdout, "stack %s is up to date: no changes\n", *stackName)
		}
		printStack(env.Stdout, st)
		if opts.Compute == deploy.ComputeFargate {
			fmt.Fprintf(env.Stdout, "push the worker's image (%s) to its ECR repository with the tag %s before the first ECS task runs (see README, Deploy to AWS)\n",
				artifact.ImageName(opts.Arch), st.Parameters[deploy.ParamImageTag])
		}
		return nil
	}
	return usagef("unknown deploy subcommand %q (template, package, apply, status, delete)", sub)
}

// firstOf is the first non-empty value.
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
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
