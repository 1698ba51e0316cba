package deploy

import (
	"github.com/awslabs/goformation/v7/cloudformation"
)

// Stack parameters.
const (
	ParamBucket             = paramBucket
	ParamPrefix             = paramPrefix
	ParamArtifactBucket     = "ArtifactBucket"
	ParamWorkerCodeKey      = "WorkerCodeKey"
	ParamDatabase           = "GlueDatabaseName"
	ParamWorkerMemory       = "WorkerMemoryMB"
	ParamWorkerTimeout      = "WorkerTimeoutSeconds"
	ParamWorkerStorage      = "WorkerEphemeralStorageMB"
	ParamMaxConcurrency     = "MaxConcurrency"
	ParamBatchRows          = "BatchRows"
	ParamBatchFiles         = "BatchFiles"
	ParamLogRetention       = "LogRetentionDays"
	ParamBytesScannedCutoff = "QueryBytesScannedCutoff"
	ParamResultRetention    = "QueryResultRetentionDays"
	ParamTaskCPU            = "TaskCpu"
	ParamTaskMemory         = "TaskMemory"
	ParamTaskStorage        = "TaskEphemeralStorageGiB"
	ParamSubnets            = "EcsSubnets"
	ParamImageRepository    = "WorkerImageRepository"
	ParamImageTag           = "WorkerImageTag"

	paramBucket = "LakeBucketName"
	paramPrefix = "LakePrefix"
)

// Defaults of the numeric parameters.
const (
	DefaultWorkerMemoryMB     = 3008
	DefaultWorkerTimeout      = 900
	DefaultWorkerStorageMB    = 1024
	DefaultMaxConcurrency     = 40
	DefaultBatchRows          = 1000000
	DefaultLogRetentionDays   = 30
	DefaultBytesScannedCutoff = 10 << 30 // 10 GiB a query
	DefaultResultRetention    = 30
	DefaultTaskStorageGiB     = 21
)

// logRetentionDays are the values CloudWatch Logs accepts.
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func addParameters(t *cloudformation.Template, opts Options) {
	// required is a string parameter without a default; str has one.
	required := func(name, desc, pattern string) {
		t.Parameters[name] = cloudformation.Parameter{Type: "String", Description: cloudformation.String(desc),
			AllowedPattern: cloudformation.String(pattern), ConstraintDescription: cloudformation.String("must match " + pattern)}
	}
	str := func(name, desc, def, pattern string) {
		required(name, desc, pattern)
		p := t.Parameters[name]
		p.Default = def
		t.Parameters[name] = p
	}
	num := func(name, desc string, def, lo, hi int) {
		l, h := float64(lo), float64(hi)
		t.Parameters[name] = cloudformation.Parameter{Type: "Number", Description: cloudformation.String(desc), Default: def, MinValue: &l, MaxValue: &h}
	}
	bucketDesc := "the lake's bucket (it exists and sends its events to EventBridge)"
	if opts.CreateBucket {
		bucketDesc = "the lake's bucket, created by the stack (kept when the stack is deleted)"
	}
	required(paramBucket, bucketDesc, `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	str(paramPrefix, "the lake's key prefix in the bucket: empty, or ending with / (e.g. lake/)", "", `^$|^[^/].*/$`)
	required(ParamArtifactBucket, "the bucket holding the worker's code (lakeops deploy apply uploads it)", `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	required(ParamWorkerCodeKey, "the key of the worker's Lambda zip in the artifact bucket", `^.+\.zip$`)
	str(ParamDatabase, "the Glue database of the lake's tables (Athena's too)", "lakeops", `^[a-z0-9_]{1,255}$`)
	num(ParamWorkerMemory, "the worker function's memory in MB (CPU grows with it: 1 vCPU at 1769)", DefaultWorkerMemoryMB, 128, 10240)
	num(ParamWorkerTimeout, "the worker function's timeout in seconds", DefaultWorkerTimeout, 30, 900)
	num(ParamWorkerStorage, "the worker function's /tmp in MB", DefaultWorkerStorageMB, 512, 10240)
	num(ParamMaxConcurrency, "batches staged at once by each dataset's Distributed Map (the flow's max_concurrency)", DefaultMaxConcurrency, 1, 10000)
	num(ParamBatchRows, "rows a batch of raw files should hold (the flow's batch_rows)", DefaultBatchRows, 1, 1000000000)
	num(ParamBatchFiles, "raw files in a batch; 0: as many as fit BatchRows (the flow's batch_files)", 0, 0, 10000)
	t.Parameters[ParamLogRetention] = cloudformation.Parameter{
		Type: "Number", Description: cloudformation.String("days the function's, the flow's and the task's logs are kept"),
		Default: DefaultLogRetentionDays, AllowedValues: anySlice(logRetentionDays),
	}
	num(ParamBytesScannedCutoff, "the most bytes an Athena query of the workgroup may scan (at least 10 MB)", DefaultBytesScannedCutoff, 10000000, 1<<50)
	if opts.CreateBucket {
		num(ParamResultRetention, "days Athena's query results are kept in the bucket", DefaultResultRetention, 1, 3650)
	}
	if opts.Compute == ComputeFargate {
		t.Parameters[ParamTaskCPU] = cloudformation.Parameter{Type: "String", Description: cloudformation.String("the worker task's CPU units"),
			Default: "2048", AllowedValues: []interface{}{"1024", "2048", "4096", "8192", "16384"}}
		str(ParamTaskMemory, "the worker task's memory in MiB (valid for its CPU)", "8192", `^[0-9]+$`)
		num(ParamTaskStorage, "the worker task's ephemeral storage in GiB", DefaultTaskStorageGiB, 21, 200)
		t.Parameters[ParamSubnets] = cloudformation.Parameter{Type: "List<AWS::EC2::Subnet::Id>",
			Description: cloudformation.String("subnets of the worker's tasks (private, with a route to S3 and ECR: a NAT gateway or VPC endpoints)")}
		str(ParamImageRepository, "the ECR repository holding the worker's image (push lakeops deploy package's image tarball there)", "lakeops-worker", `^[a-z0-9][a-z0-9._/-]*$`)
		required(ParamImageTag, "the tag of the worker's image in that repository", `^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	}
}

func anySlice(v []int) []interface{} {
	out := make([]interface{}, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}
