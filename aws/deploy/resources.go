package deploy

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/athena"
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/awslabs/goformation/v7/cloudformation/glue"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/awslabs/goformation/v7/cloudformation/s3"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/stepfunctions"

	"github.com/lakeops/lakeops/aws/flows/definitions"
)

// addStorage adds the lake bucket when the stack creates it: private,
// encrypted, its events sent to EventBridge, Athena's results expiring, and
// kept when the stack is deleted (it holds the lake).
func addStorage(t *cloudformation.Template, opts Options) {
	if !opts.CreateBucket {
		return
	}
	t.Resources[resBucket] = withIntRefs{
		Resource: &s3.Bucket{
			BucketName: cloudformation.RefPtr(paramBucket),
			NotificationConfiguration: &s3.Bucket_NotificationConfiguration{
				EventBridgeConfiguration: &s3.Bucket_EventBridgeConfiguration{EventBridgeEnabled: true},
			},
			PublicAccessBlockConfiguration: &s3.Bucket_PublicAccessBlockConfiguration{
				BlockPublicAcls: cloudformation.Bool(true), BlockPublicPolicy: cloudformation.Bool(true),
				IgnorePublicAcls: cloudformation.Bool(true), RestrictPublicBuckets: cloudformation.Bool(true),
			},
			OwnershipControls: &s3.Bucket_OwnershipControls{Rules: []s3.Bucket_OwnershipControlsRule{{ObjectOwnership: cloudformation.String("BucketOwnerEnforced")}}},
			BucketEncryption: &s3.Bucket_BucketEncryption{ServerSideEncryptionConfiguration: []s3.Bucket_ServerSideEncryptionRule{{
				ServerSideEncryptionByDefault: &s3.Bucket_ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"},
			}}},
			LifecycleConfiguration: &s3.Bucket_LifecycleConfiguration{Rules: []s3.Bucket_Rule{
				{Id: cloudformation.String("athena-results"), Status: "Enabled", Prefix: cloudformation.SubPtr("${" + paramPrefix + "}" + athenaResultPrefix), ExpirationInDays: cloudformation.Int(DefaultResultRetention)},
				{Id: cloudformation.String("incomplete-uploads"), Status: "Enabled", AbortIncompleteMultipartUpload: &s3.Bucket_AbortIncompleteMultipartUpload{DaysAfterInitiation: 7}},
			}},
			AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy("Retain"),
			AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy("Retain"),
		},
		refs: map[string]string{"LifecycleConfiguration.Rules.0.ExpirationInDays": ParamResultRetention},
	}
}

// addCatalogAndQuery adds the Glue database, the Athena workgroup and the
// topic.
func addCatalogAndQuery(t *cloudformation.Template) {
	t.Resources[resDatabase] = &glue.Database{
		CatalogId: cloudformation.Ref("AWS::AccountId"),
		DatabaseInput: &glue.Database_DatabaseInput{
			Name:        cloudformation.RefPtr(ParamDatabase),
			Description: cloudformation.String("lakeops: the lake's Delta tables (registered by the flow)"),
		},
	}
	t.Resources[resWorkGroup] = withIntRefs{
		Resource: &athena.WorkGroup{
			Name:                  stackName(""),
			Description:           cloudformation.String("lakeops: the flow's checks and the console's queries"),
			RecursiveDeleteOption: cloudformation.Bool(true),
			WorkGroupConfiguration: &athena.WorkGroup_WorkGroupConfiguration{
				BytesScannedCutoffPerQuery:      cloudformation.Int(DefaultBytesScannedCutoff),
				EnforceWorkGroupConfiguration:   cloudformation.Bool(true),
				PublishCloudWatchMetricsEnabled: cloudformation.Bool(true),
				EngineVersion:                   &athena.WorkGroup_EngineVersion{SelectedEngineVersion: cloudformation.String("Athena engine version 3")},
				ResultConfiguration:             &athena.WorkGroup_ResultConfiguration{OutputLocation: cloudformation.String(athenaOutputLocation())},
			},
		},
		refs: map[string]string{"WorkGroupConfiguration.BytesScannedCutoffPerQuery": ParamBytesScannedCutoff},
	}
	t.Resources[resTopic] = &sns.Topic{TopicName: cloudformation.String(stackName("")), DisplayName: cloudformation.String("lakeops")}
}

// logGroup is a log group with the stack's retention.
func logGroup(name string) cloudformation.Resource {
	return withIntRefs{
		Resource: &logs.LogGroup{LogGroupName: cloudformation.String(name), RetentionInDays: cloudformation.Int(DefaultLogRetentionDays)},
		refs:     map[string]string{"RetentionInDays": ParamLogRetention},
	}
}

// lambdaArch is Lambda's name of an architecture.
func lambdaArch(arch string) string {
	if arch == ArchAMD64 {
		return "x86_64"
	}
	return "arm64"
}

// addWorker adds the worker's function, its role and its logs.
func addWorker(t *cloudformation.Template, opts Options) {
	t.Resources[resWorkerLogs] = logGroup(cloudformation.Sub("/aws/lambda/${AWS::StackName}-worker"))
	t.Resources[resWorkerRole] = role("lambda.amazonaws.com", "worker", policy(append(workerLakeStatements(), writeLogs(resWorkerLogs))...))
	t.Resources[resWorker] = withIntRefs{
		Resource: &lambda.Function{
			FunctionName:  cloudformation.String(stackName("-worker")),
			Description:   cloudformation.String("lakeops worker: plan, process, commit, register, archive (the lakeops binary as bootstrap)"),
			Runtime:       cloudformation.String("provided.al2023"),
			Handler:       cloudformation.String("bootstrap"),
			Architectures: []string{lambdaArch(opts.Arch)},
			Role:          cloudformation.GetAtt(resWorkerRole, "Arn"),
			Code: &lambda.Function_Code{
				S3Bucket: cloudformation.RefPtr(ParamArtifactBucket),
				S3Key:    cloudformation.RefPtr(ParamWorkerCodeKey),
			},
			MemorySize:       cloudformation.Int(DefaultWorkerMemoryMB),
			Timeout:          cloudformation.Int(DefaultWorkerTimeout),
			EphemeralStorage: &lambda.Function_EphemeralStorage{Size: DefaultWorkerStorageMB},
			Environment: &lambda.Function_Environment{Variables: map[string]string{
				"LAKEOPS_LAKE":          lakeURI(),
				"LAKEOPS_GLUE_DATABASE": cloudformation.Ref(resDatabase),
			}},
			LoggingConfig:              &lambda.Function_LoggingConfig{LogGroup: cloudformation.RefPtr(resWorkerLogs), LogFormat: cloudformation.String("Text")},
			AWSCloudFormationDependsOn: []string{resWorkerLogs},
		},
		refs: map[string]string{"MemorySize": ParamWorkerMemory, "Timeout": ParamWorkerTimeout, "EphemeralStorage.Size": ParamWorkerStorage},
	}
}

// ecsArch is ECS's name of an architecture.
func ecsArch(arch string) string {
	if arch == ArchAMD64 {
		return "X86_64"
	}
	return "ARM64"
}

// addFargate adds the worker's ECS cluster and task definition (the image
// from the worker's ECR repository; its command is `lakeops worker`, the
// action in $LAKEOPS_ACTION as the state machine sets it).
func addFargate(t *cloudformation.Template, opts Options) {
	repo := "${" + ParamImageRepository + "}"
	t.Resources[resCluster] = &ecs.Cluster{ClusterName: cloudformation.String(stackName(""))}
	t.Resources[resTaskLogs] = logGroup(cloudformation.Sub("/ecs/${AWS::StackName}-worker"))
	t.Resources[resTaskRole] = role("ecs-tasks.amazonaws.com", "worker", policy(workerLakeStatements()...))
	t.Resources[resTaskExecRole] = role("ecs-tasks.amazonaws.com", "pull-and-log", policy(
		allow("PullWorkerImage", []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"}, arn("ecr", "repository/"+repo)),
		allow("RegistryToken", NoResourceActions[8:], "*"),
		writeLogs(resTaskLogs),
	))
	t.Resources[resTaskDefinition] = withIntRefs{
		Resource: &ecs.TaskDefinition{
			Family:                  cloudformation.String(stackName("-worker")),
			RequiresCompatibilities: []string{"FARGATE"},
			NetworkMode:             cloudformation.String("awsvpc"),
			Cpu:                     cloudformation.RefPtr(ParamTaskCPU),
			Memory:                  cloudformation.RefPtr(ParamTaskMemory),
			EphemeralStorage:        &ecs.TaskDefinition_EphemeralStorage{SizeInGiB: cloudformation.Int(DefaultTaskStorageGiB)},
			RuntimePlatform:         &ecs.TaskDefinition_RuntimePlatform{CpuArchitecture: cloudformation.String(ecsArch(opts.Arch)), OperatingSystemFamily: cloudformation.String("LINUX")},
			TaskRoleArn:             cloudformation.GetAttPtr(resTaskRole, "Arn"),
			ExecutionRoleArn:        cloudformation.GetAttPtr(resTaskExecRole, "Arn"),
			ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{{
				Name:      workerContainer,
				Image:     cloudformation.Sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/" + repo + ":${" + ParamImageTag + "}"),
				Essential: cloudformation.Bool(true),
				Command:   []string{"worker"},
				Environment: []ecs.TaskDefinition_KeyValuePair{
					{Name: cloudformation.String("LAKEOPS_LAKE"), Value: cloudformation.String(lakeURI())},
					{Name: cloudformation.String("LAKEOPS_GLUE_DATABASE"), Value: cloudformation.RefPtr(resDatabase)},
				},
				LogConfiguration: &ecs.TaskDefinition_LogConfiguration{LogDriver: "awslogs", Options: map[string]string{
					"awslogs-group":         cloudformation.Ref(resTaskLogs),
					"awslogs-region":        cloudformation.Ref("AWS::Region"),
					"awslogs-stream-prefix": "worker",
				}},
			}},
		},
		refs: map[string]string{"EphemeralStorage.SizeInGiB": ParamTaskStorage},
	}
}

// addFlow adds the project's state machine, its role and its logs. The
// definition is the one aws/flows/definitions ships, its placeholders filled
// by DefinitionSubstitutions.
func addFlow(t *cloudformation.Template, opts Options) error {
	subs := map[string]interface{}{
		"LakeUri":              lakeURI(),
		"WorkerFunctionArn":    cloudformation.GetAtt(resWorker, "Arn"),
		"WorkerRunner":         "lambda",
		"EcsClusterArn":        "none",
		"EcsTaskDefinitionArn": "none",
		"EcsContainerName":     "none",
		"EcsSubnets":           "none",
		"TopicArn":             cloudformation.Ref(resTopic),
		"Catalog":              "glue",
		"GlueDatabase":         cloudformation.Ref(resDatabase),
		"AthenaWorkGroup":      cloudformation.Ref(resWorkGroup),
	}
	if opts.Compute == ComputeFargate {
		subs["WorkerRunner"] = "ecs"
		subs["EcsClusterArn"] = cloudformation.GetAtt(resCluster, "Arn")
		subs["EcsTaskDefinitionArn"] = cloudformation.Ref(resTaskDefinition)
		subs["EcsContainerName"] = workerContainer
		subs["EcsSubnets"] = cloudformation.Join(",", cloudformation.Ref(ParamSubnets))
	}
	for name := range definitions.Placeholders() {
		if _, ok := subs[name]; !ok {
			return fmt.Errorf("deploy: the state machine's placeholder %s has no value in the template", name)
		}
	}
	t.Resources[resFlowLogs] = logGroup(cloudformation.Sub("/aws/vendedlogs/states/${AWS::StackName}-flow"))
	t.Resources[resFlowRole] = role("states.amazonaws.com", "flow", policy(flowStatements(opts)...))
	t.Resources[resFlow] = &stepfunctions.StateMachine{
		StateMachineName:        cloudformation.String(stackName("-flow")),
		StateMachineType:        cloudformation.String("STANDARD"),
		RoleArn:                 cloudformation.GetAtt(resFlowRole, "Arn"),
		DefinitionString:        cloudformation.String(string(definitions.LakeopsFlowTemplate())),
		DefinitionSubstitutions: subs,
		LoggingConfiguration: &stepfunctions.StateMachine_LoggingConfiguration{
			Level:                cloudformation.String("ERROR"),
			IncludeExecutionData: cloudformation.Bool(false),
			Destinations: []stepfunctions.StateMachine_LogDestination{{
				CloudWatchLogsLogGroup: &stepfunctions.StateMachine_CloudWatchLogsLogGroup{LogGroupArn: cloudformation.GetAttPtr(resFlowLogs, "Arn")},
			}},
		},
	}
	return nil
}
