// Package deploy generates the CloudFormation template of a lakeops
// lakehouse on AWS, with typed resources from goformation: the worker as a
// Lambda function (provided.al2023, arm64 or x86_64; an ECS Fargate cluster
// and task definition too with ComputeFargate), the project's state machine
// (aws/flows/definitions, its placeholders filled by DefinitionSubstitutions),
// an EventBridge rule that starts it when raw files land, the Glue database,
// the Athena workgroup, the SNS topic, log groups with retention, and IAM
// roles scoped to the lake's bucket and prefixes and to the stack's own
// resources.
//
// Names, sizes, concurrency and retention are stack parameters with
// defaults; the compute, the architecture and whether the stack creates the
// lake bucket are choices of the template (Options). The outputs name what
// the console and the CLI need (Outputs).
package deploy

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// Compute choices: where the worker's batches and commits run.
const (
	ComputeLambda  = "lambda"
	ComputeFargate = "fargate"
)

// Architectures of the worker.
const (
	ArchARM64 = "arm64"
	ArchAMD64 = "amd64"
)

// Options are the template's choices.
type Options struct {
	// Compute is ComputeLambda (default) or ComputeFargate: with fargate the
	// stack adds an ECS cluster and task definition and the state machine
	// runs batches and commits there (plan, register and archive stay on
	// Lambda).
	Compute string
	// Arch is ArchARM64 (default) or ArchAMD64, for the function and the task.
	Arch string
	// CreateBucket makes the stack create the lake bucket (named by the
	// LakeBucketName parameter, kept when the stack is deleted) with
	// EventBridge notifications on. Without it the bucket exists and must
	// send its events to EventBridge (see README, "Deploy to AWS").
	CreateBucket bool
	// Schedule, when set, starts the flow on a schedule ("rate(5 minutes)",
	// "cron(0 * * * ? *)") instead of on each raw file that lands: a burst
	// of files is then one execution that plans them all, not one
	// execution per file (an execution with nothing new ends in NothingToDo).
	Schedule string
}

// normalized fills defaults and checks the choices.
func (o Options) normalized() (Options, error) {
	if o.Compute == "" {
		o.Compute = ComputeLambda
	}
	if o.Arch == "" {
		o.Arch = ArchARM64
	}
	if o.Compute != ComputeLambda && o.Compute != ComputeFargate {
		return o, fmt.Errorf("deploy: compute %q: want %s or %s", o.Compute, ComputeLambda, ComputeFargate)
	}
	if o.Arch != ArchARM64 && o.Arch != ArchAMD64 {
		return o, fmt.Errorf("deploy: architecture %q: want %s or %s", o.Arch, ArchARM64, ArchAMD64)
	}
	if o.Schedule != "" && !ValidSchedule(o.Schedule) {
		return o, fmt.Errorf("deploy: schedule %q: want rate(N minutes|hours|days) or cron(6 fields), as EventBridge takes them", o.Schedule)
	}
	return o, nil
}

// Logical ids of the stack's resources.
const (
	resBucket          = "LakeBucket"
	resWorkerRole      = "WorkerRole"
	resWorkerLogs      = "WorkerLogGroup"
	resWorker          = "WorkerFunction"
	resFlowRole        = "FlowRole"
	resFlowLogs        = "FlowLogGroup"
	resFlow            = "Flow"
	resTriggerRole     = "TriggerRole"
	resTrigger         = "RawFileTrigger"
	resDatabase        = "GlueDatabase"
	resWorkGroup       = "AthenaWorkGroup"
	resTopic           = "Topic"
	resCluster         = "WorkerCluster"
	resTaskRole        = "WorkerTaskRole"
	resTaskExecRole    = "WorkerTaskExecutionRole"
	resTaskLogs        = "WorkerTaskLogGroup"
	resTaskDefinition  = "WorkerTaskDefinition"
	workerContainer    = "worker"
	stagingPrefix      = "_lakeops/staging/"
	athenaResultPrefix = "_lakeops/athena-results/"
	rawPrefix          = "bronze_layer/"
	silverPrefix       = "silver_layer/"
)

// Outputs of the stack, by name: what Settings reads back.
const (
	OutStateMachineArn   = "StateMachineArn"
	OutWorkGroup         = "AthenaWorkGroup"
	OutDatabase          = "GlueDatabase"
	OutTopicArn          = "TopicArn"
	OutFunctionName      = "WorkerFunctionName"
	OutFunctionArn       = "WorkerFunctionArn"
	OutBucket            = "LakeBucket"
	OutLakeURI           = "LakeUri"
	OutOutputLocation    = "AthenaOutputLocation"
	OutEcsCluster        = "EcsClusterArn"
	OutEcsTaskDefinition = "EcsTaskDefinitionArn"
)

// Template builds the stack's template.
func Template(opts Options) (*cloudformation.Template, error) {
	opts, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	t := cloudformation.NewTemplate()
	t.Description = fmt.Sprintf("lakeops lakehouse: the worker (Lambda, %s%s), the project's state machine started by %s, Glue, Athena, SNS", opts.Arch,
		map[bool]string{true: ", and ECS Fargate", false: ""}[opts.Compute == ComputeFargate], triggerText(opts))
	addParameters(t, opts)
	addStorage(t, opts)
	addCatalogAndQuery(t)
	addWorker(t, opts)
	if opts.Compute == ComputeFargate {
		addFargate(t, opts)
	}
	if err := addFlow(t, opts); err != nil {
		return nil, err
	}
	addTrigger(t, opts)
	addOutputs(t, opts)
	return t, nil
}

// JSON returns the template as CloudFormation JSON.
func JSON(opts Options) ([]byte, error) {
	t, err := Template(opts)
	if err != nil {
		return nil, err
	}
	b, err := t.JSON()
	if err != nil {
		return nil, fmt.Errorf("deploy: template JSON: %w", err)
	}
	return b, nil
}

func addOutputs(t *cloudformation.Template, opts Options) {
	out := func(name, desc string, value string) {
		t.Outputs[name] = cloudformation.Output{Value: value, Description: cloudformation.String(desc)}
	}
	out(OutStateMachineArn, "the project's state machine", cloudformation.Ref(resFlow))
	out(OutWorkGroup, "the Athena workgroup", cloudformation.Ref(resWorkGroup))
	out(OutDatabase, "the Glue database", cloudformation.Ref(resDatabase))
	out(OutTopicArn, "the SNS topic of the flow's messages", cloudformation.Ref(resTopic))
	out(OutFunctionName, "the worker's Lambda function", cloudformation.Ref(resWorker))
	out(OutFunctionArn, "the worker's Lambda function ARN", cloudformation.GetAtt(resWorker, "Arn"))
	out(OutBucket, "the lake's bucket", cloudformation.Ref(paramBucket))
	out(OutLakeURI, "the lake", lakeURI())
	out(OutOutputLocation, "where Athena writes query results", athenaOutputLocation())
	if opts.Compute == ComputeFargate {
		out(OutEcsCluster, "the worker's ECS cluster", cloudformation.GetAtt(resCluster, "Arn"))
		out(OutEcsTaskDefinition, "the worker's ECS task definition", cloudformation.Ref(resTaskDefinition))
	}
}

// lakeURI is s3://bucket/prefix of the lake.
func lakeURI() string {
	return cloudformation.Sub("s3://${" + paramBucket + "}/${" + paramPrefix + "}")
}

func athenaOutputLocation() string {
	return cloudformation.Sub("s3://${" + paramBucket + "}/${" + paramPrefix + "}" + athenaResultPrefix)
}

// stackName prefixes a resource name with the stack's.
func stackName(suffix string) string { return cloudformation.Sub("${AWS::StackName}" + suffix) }
