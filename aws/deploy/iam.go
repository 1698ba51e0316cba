package deploy

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
)

// policyDocument is an IAM policy (its strings may be goformation
// intrinsics, resolved when the template is written).
type policyDocument struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid       string         `json:",omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:",omitempty"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:",omitempty"`
	Condition map[string]any `json:",omitempty"`
}

func allow(sid string, actions []string, resources ...string) statement {
	return statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

func policy(statements ...statement) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: statements}
}

// assumedBy is the trust policy of a role for one service.
func assumedBy(service string) policyDocument {
	return policy(statement{Effect: "Allow", Principal: map[string]any{"Service": []string{service}}, Action: []string{"sts:AssumeRole"}})
}

// NoResourceActions are the only actions a statement of the stack grants on
// "*": AWS accepts no narrower resource for them, and none reads or writes
// data. Log delivery management is what Step Functions needs to send its
// logs to CloudWatch Logs; the ECR token lets a task pull its image (the
// pull itself is scoped to the repository).
var NoResourceActions = []string{
	"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
	"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
	"ecr:GetAuthorizationToken",
}

// arn builds an ARN of this stack's region and account.
func arn(service, resource string) string {
	return cloudformation.Sub("arn:${AWS::Partition}:" + service + ":${AWS::Region}:${AWS::AccountId}:" + resource)
}

// s3ARN is an S3 ARN under the lake's bucket: "" is the bucket itself,
// otherwise a key pattern under the lake's prefix.
func s3ARN(keyPattern string) string {
	if keyPattern == "" {
		return cloudformation.Sub("arn:${AWS::Partition}:s3:::${" + paramBucket + "}")
	}
	return cloudformation.Sub("arn:${AWS::Partition}:s3:::${" + paramBucket + "}/${" + paramPrefix + "}" + keyPattern)
}

// listUnder lets a role list the bucket under the given key patterns of the lake.
func listUnder(sid string, patterns ...string) statement {
	prefixes := make([]string, len(patterns))
	for i, p := range patterns {
		prefixes[i] = cloudformation.Sub("${" + paramPrefix + "}" + p)
	}
	st := allow(sid, []string{"s3:ListBucket"}, s3ARN(""))
	st.Condition = map[string]any{"StringLike": map[string]any{"s3:prefix": prefixes}}
	return st
}

// Glue resources of the stack's database.
func glueResources() []string {
	db := "${" + resDatabase + "}"
	return []string{arn("glue", "catalog"), arn("glue", "database/"+db), arn("glue", "table/"+db+"/*")}
}

// workerLakeStatements are the worker's data permissions, the same on
// Lambda and ECS: the lake's keys (read, write, delete: staging, commits,
// archive), listing under the lake's prefix, and the stack's Glue database
// (the register action).
func workerLakeStatements() []statement {
	return []statement{
		listUnder("ListLake", "*"),
		allow("ReadWriteLake", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}, s3ARN("*")),
		allow("RegisterTables", []string{"glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"}, glueResources()...),
	}
}

// writeLogs lets a role write to one log group.
func writeLogs(logGroup string) statement {
	group := cloudformation.GetAtt(logGroup, "Arn")
	return allow("WriteLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, group)
}

// flowStatements are the state machine's permissions, one group per kind of
// Task it has (see the tests: every Task resource of the definition has its
// statement here, and nothing else is granted).
func flowStatements(opts Options) []statement {
	function := cloudformation.GetAtt(resWorker, "Arn")
	machine := arn("states", "stateMachine:${AWS::StackName}-flow")
	sts := []statement{
		// arn:aws:states:::lambda:invoke
		allow("InvokeWorker", []string{"lambda:InvokeFunction"}, function, cloudformation.Sub("${"+resWorker+".Arn}:*")),
		// ItemReader arn:aws:states:::s3:getObject over the plan's items
		allow("ReadPlanItems", []string{"s3:GetObject"}, s3ARN(stagingPrefix+"*")),
		// a Distributed Map's child executions
		allow("RunMapChildren", []string{"states:StartExecution"}, machine),
		allow("ManageMapChildren", []string{"states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"},
			arn("states", "execution:${AWS::StackName}-flow/*")),
		// arn:aws:states:::athena:startQueryExecution.sync and getQueryResults
		allow("QueryWorkGroup", []string{"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"},
			arn("athena", "workgroup/${"+resWorkGroup+"}")),
		allow("QueryCatalog", []string{"glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions"}, glueResources()...),
		listUnder("ListQueried", silverPrefix+"*", athenaResultPrefix+"*"),
		allow("ReadQueriedTables", []string{"s3:GetObject"}, s3ARN(silverPrefix+"*")),
		allow("WriteQueryResults", []string{"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"}, s3ARN(athenaResultPrefix+"*")),
		allow("LocateResultBucket", []string{"s3:GetBucketLocation"}, s3ARN("")),
		// arn:aws:states:::sns:publish
		allow("Notify", []string{"sns:Publish"}, cloudformation.Ref(resTopic)),
		// the state machine's own logs (AWS takes no narrower resource)
		allow("DeliverLogs", NoResourceActions[:8], "*"),
	}
	if opts.Compute == ComputeFargate {
		cluster := cloudformation.GetAtt(resCluster, "Arn")
		run := allow("RunWorkerTask", []string{"ecs:RunTask"}, arn("ecs", "task-definition/${AWS::StackName}-worker:*"))
		run.Condition = map[string]any{"ArnEquals": map[string]any{"ecs:cluster": cluster}}
		pass := allow("PassWorkerTaskRoles", []string{"iam:PassRole"}, cloudformation.GetAtt(resTaskRole, "Arn"), cloudformation.GetAtt(resTaskExecRole, "Arn"))
		pass.Condition = map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
		sts = append(sts,
			// arn:aws:states:::ecs:runTask.sync
			run,
			allow("WatchWorkerTask", []string{"ecs:StopTask", "ecs:DescribeTasks"}, arn("ecs", "task/${"+resCluster+"}/*")),
			pass,
			allow("WatchTaskEvents", []string{"events:PutTargets", "events:PutRule", "events:DescribeRule"},
				arn("events", "rule/StepFunctionsGetEventsForECSTaskRule")),
		)
	}
	return sts
}

// role is an IAM role for a service with one inline policy.
func role(service, policyName string, doc policyDocument) *iam.Role {
	return &iam.Role{
		AssumeRolePolicyDocument: assumedBy(service),
		Policies:                 []iam.Role_Policy{{PolicyName: policyName, PolicyDocument: doc}},
	}
}
