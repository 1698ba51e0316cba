package deploy

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/sns"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
)

// Every choice of the template, as the tests build it.
func allOptions() map[string]Options {
	return map[string]Options{
		"lambda arm64, existing bucket": {},
		"lambda amd64, created bucket":  {Arch: ArchAMD64, CreateBucket: true},
		"fargate arm64, existing":       {Compute: ComputeFargate},
		"fargate amd64, created":        {Compute: ComputeFargate, Arch: ArchAMD64, CreateBucket: true},
		"lambda arm64, on a schedule":   {Schedule: "rate(5 minutes)"},
	}
}

func templateJSON(t *testing.T, opts Options) []byte {
	t.Helper()
	b, err := JSON(opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expectedTypes lists the resource types of a template, by logical id.
func expectedTypes(opts Options) map[string]string {
	want := map[string]string{
		resWorkerRole: "AWS::IAM::Role", resWorkerLogs: "AWS::Logs::LogGroup", resWorker: "AWS::Lambda::Function",
		resFlowRole: "AWS::IAM::Role", resFlowLogs: "AWS::Logs::LogGroup", resFlow: "AWS::StepFunctions::StateMachine",
		resTriggerRole: "AWS::IAM::Role", resTrigger: "AWS::Events::Rule",
		resDatabase: "AWS::Glue::Database", resWorkGroup: "AWS::Athena::WorkGroup", resTopic: "AWS::SNS::Topic",
	}
	if opts.CreateBucket {
		want[resBucket] = "AWS::S3::Bucket"
	}
	if opts.Compute == ComputeFargate {
		want[resCluster] = "AWS::ECS::Cluster"
		want[resTaskRole] = "AWS::IAM::Role"
		want[resTaskExecRole] = "AWS::IAM::Role"
		want[resTaskLogs] = "AWS::Logs::LogGroup"
		want[resTaskDefinition] = "AWS::ECS::TaskDefinition"
	}
	return want
}

// The template parses back with goformation into its typed resources, of
// exactly the expected types, with the values the options chose.
func TestTemplateParsesWithGoformation(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			parsed, err := goformation.ParseJSON(templateJSON(t, opts))
			if err != nil {
				t.Fatalf("goformation: %v", err)
			}
			got := map[string]string{}
			for id, r := range parsed.Resources {
				if _, custom := r.(*cloudformation.CustomResource); custom {
					t.Errorf("%s parsed as a custom resource", id)
				}
				got[id] = r.AWSCloudFormationType()
			}
			if want := expectedTypes(opts); !mapsEqual(got, want) {
				t.Errorf("resource types:\n got %v\nwant %v", got, want)
			}
			fn, err := parsed.GetLambdaFunctionWithName(resWorker)
			if err != nil {
				t.Fatal(err)
			}
			wantArch := map[string]string{"": "arm64", ArchAMD64: "x86_64"}[opts.Arch]
			if *fn.Runtime != "provided.al2023" || *fn.Handler != "bootstrap" || !slices.Equal(fn.Architectures, []string{wantArch}) {
				t.Errorf("function: runtime %s handler %s architectures %v", *fn.Runtime, *fn.Handler, fn.Architectures)
			}
			// goformation resolves a Ref of a parameter to its default.
			if *fn.MemorySize != DefaultWorkerMemoryMB || *fn.Timeout != DefaultWorkerTimeout || fn.EphemeralStorage.Size != DefaultWorkerStorageMB {
				t.Errorf("function sizes: %d MB, %d s, %d MB", *fn.MemorySize, *fn.Timeout, fn.EphemeralStorage.Size)
			}
			sm, err := parsed.GetStepFunctionsStateMachineWithName(resFlow)
			if err != nil {
				t.Fatal(err)
			}
			if *sm.DefinitionString != string(definitions.LakeopsFlowTemplate()) {
				t.Error("the state machine's definition is not the shipped lakeops-flow.asl.json")
			}
			if opts.Compute == ComputeFargate {
				td, err := parsed.GetECSTaskDefinitionWithName(resTaskDefinition)
				if err != nil {
					t.Fatal(err)
				}
				wantCPU := map[string]string{"": "ARM64", ArchAMD64: "X86_64"}[opts.Arch]
				if *td.RuntimePlatform.CpuArchitecture != wantCPU || !slices.Equal(td.ContainerDefinitions[0].Command, []string{"worker"}) {
					t.Errorf("task definition: %s, command %v", *td.RuntimePlatform.CpuArchitecture, td.ContainerDefinitions[0].Command)
				}
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Integer sizes and retention are stack parameters even though goformation's
// typed integers cannot hold a Ref.
func TestIntegerPropertiesAreParameters(t *testing.T) {
	var tmpl map[string]any
	if err := json.Unmarshal(templateJSON(t, Options{Compute: ComputeFargate, CreateBucket: true}), &tmpl); err != nil {
		t.Fatal(err)
	}
	res := section(tmpl, "Resources")
	prop := func(id string, path ...string) any {
		var cur any = res[id].(map[string]any)["Properties"]
		for _, p := range path {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[p]
			case []any:
				var i int
				fmt.Sscan(p, &i)
				cur = c[i]
			}
		}
		return cur
	}
	for _, c := range []struct {
		id    string
		path  []string
		param string
	}{
		{resWorker, []string{"MemorySize"}, ParamWorkerMemory},
		{resWorker, []string{"Timeout"}, ParamWorkerTimeout},
		{resWorker, []string{"EphemeralStorage", "Size"}, ParamWorkerStorage},
		{resWorkerLogs, []string{"RetentionInDays"}, ParamLogRetention},
		{resFlowLogs, []string{"RetentionInDays"}, ParamLogRetention},
		{resTaskLogs, []string{"RetentionInDays"}, ParamLogRetention},
		{resWorkGroup, []string{"WorkGroupConfiguration", "BytesScannedCutoffPerQuery"}, ParamBytesScannedCutoff},
		{resBucket, []string{"LifecycleConfiguration", "Rules", "0", "ExpirationInDays"}, ParamResultRetention},
		{resTaskDefinition, []string{"EphemeralStorage", "SizeInGiB"}, ParamTaskStorage},
	} {
		got := prop(c.id, c.path...)
		if ref, _ := got.(map[string]any)["Ref"].(string); ref != c.param {
			t.Errorf("%s.%s = %v, want a Ref of %s", c.id, strings.Join(c.path, "."), got, c.param)
		}
		if _, ok := section(tmpl, "Parameters")[c.param]; !ok {
			t.Errorf("parameter %s is missing", c.param)
		}
	}
	// A path that is not an integer property is refused.
	bad := withIntRefs{Resource: &sns.Topic{TopicName: cloudformation.String("x")}, refs: map[string]string{"TopicName": ParamLogRetention}}
	if _, err := json.Marshal(bad); err == nil || !strings.Contains(err.Error(), "TopicName") {
		t.Errorf("a string property patched as an integer: %v", err)
	}
	bad.refs = map[string]string{"RetentionInDayz": ParamLogRetention}
	if _, err := json.Marshal(bad); err == nil {
		t.Error("a missing property was patched")
	}
}

// The state machine's definition, after CloudFormation's substitution of
// the stack's DefinitionSubstitutions, passes the project's States Language
// parser and names this stack's resources.
func TestStateMachineDefinitionAfterSubstitution(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			stack := resolveTemplate(t, templateJSON(t, opts), testParameters())
			def, subs := substitutedDefinition(t, stack)
			m, err := asl.Parse(def)
			if err != nil {
				t.Fatalf("substituted definition: %v", err)
			}
			if m.StartAt != "Configure" {
				t.Errorf("StartAt %s", m.StartAt)
			}
			want := map[string]string{
				"WorkerFunctionArn": "arn:aws:lambda:" + testRegion + ":" + testAccount + ":function:" + testStack + "-worker",
				"TopicArn":          "arn:aws:sns:" + testRegion + ":" + testAccount + ":" + testStack,
				"LakeUri":           "s3://" + testBucket + "/" + testPrefix,
				"GlueDatabase":      "lakeops", "AthenaWorkGroup": testStack, "Catalog": "glue",
				"WorkerRunner": "lambda",
			}
			if opts.Compute == ComputeFargate {
				want["WorkerRunner"] = "ecs"
				want["EcsClusterArn"] = "arn:aws:ecs:" + testRegion + ":" + testAccount + ":cluster/" + testStack
				want["EcsTaskDefinitionArn"] = "arn:aws:ecs:" + testRegion + ":" + testAccount + ":task-definition/" + testStack + "-worker:1"
				want["EcsContainerName"] = "worker"
				want["EcsSubnets"] = "subnet-0a,subnet-0b"
			}
			for k, v := range want {
				if subs[k] != v {
					t.Errorf("substitution %s = %q, want %q", k, subs[k], v)
				}
			}
		})
	}
}

// substitutedDefinition applies the resolved DefinitionSubstitutions to the
// definition, as Step Functions does.
func substitutedDefinition(t *testing.T, stack map[string]any) ([]byte, map[string]string) {
	t.Helper()
	props := section(stack, "Resources")[resFlow].(map[string]any)["Properties"].(map[string]any)
	subs := map[string]string{}
	for k, v := range props["DefinitionSubstitutions"].(map[string]any) {
		subs[k] = text(v)
	}
	def, err := definitions.Substitute([]byte(props["DefinitionString"].(string)), subs)
	if err != nil {
		t.Fatal(err)
	}
	return def, subs
}

// grant is one IAM statement, resolved.
type grant struct {
	role, sid string
	actions   []string
	resources []string
	condition map[string]any
}

func roleGrants(t *testing.T, stack map[string]any) []grant {
	t.Helper()
	var out []grant
	for id, r := range section(stack, "Resources") {
		res := r.(map[string]any)
		if res["Type"] != "AWS::IAM::Role" {
			continue
		}
		props := res["Properties"].(map[string]any)
		if props["ManagedPolicyArns"] != nil {
			t.Errorf("role %s has managed policies", id)
		}
		for _, p := range props["Policies"].([]any) {
			doc := p.(map[string]any)["PolicyDocument"].(map[string]any)
			for _, s := range doc["Statement"].([]any) {
				st := s.(map[string]any)
				if st["Effect"] != "Allow" {
					t.Errorf("role %s: statement %v is not an Allow", id, st)
				}
				g := grant{role: id, sid: fmt.Sprint(st["Sid"])}
				for _, a := range st["Action"].([]any) {
					g.actions = append(g.actions, a.(string))
				}
				for _, a := range st["Resource"].([]any) {
					g.resources = append(g.resources, a.(string))
				}
				g.condition, _ = st["Condition"].(map[string]any)
				out = append(out, g)
			}
		}
	}
	return out
}

// allows reports whether a role's grants allow action on resource (IAM's
// * and ? in resource patterns).
func allows(grants []grant, role, action, resource string) (grant, bool) {
	for _, g := range grants {
		if g.role != role || !slices.Contains(g.actions, action) {
			continue
		}
		for _, pat := range g.resources {
			if ok, _ := path.Match(strings.ReplaceAll(pat, "/", "\x00"), strings.ReplaceAll(resource, "/", "\x00")); ok {
				return g, true
			}
		}
	}
	return grant{}, false
}

// need is one permission a Task of the definition needs.
type need struct{ action, resource, task string }

// taskNeeds walks the definition for every Task resource, ItemReader and
// distributed Map and lists what each needs of IAM, on this stack's
// resources. The ECS tasks count when the deployment's runner is ecs (with
// the lambda runner, the definition's Choice states never reach them).
func taskNeeds(t *testing.T, m *asl.Machine, subs map[string]string) []need {
	arn := func(service, res string) string {
		return "arn:aws:" + service + ":" + testRegion + ":" + testAccount + ":" + res
	}
	machine := arn("states", "stateMachine:"+testStack+"-flow")
	lake := "arn:aws:s3:::" + testBucket + "/" + testPrefix
	workgroup := arn("athena", "workgroup/"+subs["AthenaWorkGroup"])
	var needs []need
	var walk func(sc *asl.Scope)
	walk = func(sc *asl.Scope) {
		for _, name := range sc.Order {
			st := sc.States[name]
			add := func(action, resource string) { needs = append(needs, need{action, resource, name}) }
			switch st.Type {
			case asl.TypeTask:
				switch st.Resource {
				case "arn:aws:states:::lambda:invoke":
					add("lambda:InvokeFunction", subs["WorkerFunctionArn"])
				case "arn:aws:states:::ecs:runTask.sync":
					if subs["WorkerRunner"] != "ecs" {
						continue
					}
					add("ecs:RunTask", subs["EcsTaskDefinitionArn"])
					add("ecs:StopTask", arn("ecs", "task/"+testStack+"/0123456789abcdef"))
					add("ecs:DescribeTasks", arn("ecs", "task/"+testStack+"/0123456789abcdef"))
					for _, a := range []string{"events:PutTargets", "events:PutRule", "events:DescribeRule"} {
						add(a, arn("events", "rule/StepFunctionsGetEventsForECSTaskRule"))
					}
					for _, r := range []string{resTaskRole, resTaskExecRole} {
						add("iam:PassRole", "arn:aws:iam::"+testAccount+":role/"+testStack+"-"+r+"-1A2B3C4D5E6F")
					}
				case "arn:aws:states:::athena:startQueryExecution.sync":
					add("athena:StartQueryExecution", workgroup)
					add("athena:GetQueryExecution", workgroup)
					add("athena:StopQueryExecution", workgroup)
					add("glue:GetDatabase", arn("glue", "database/"+subs["GlueDatabase"]))
					add("glue:GetTable", arn("glue", "table/"+subs["GlueDatabase"]+"/orders"))
					add("s3:GetObject", lake+"silver_layer/orders/_delta_log/00000000000000000000.json")
					add("s3:ListBucket", "arn:aws:s3:::"+testBucket)
					add("s3:PutObject", lake+athenaResultPrefix+"0f1e2d3c.csv")
					add("s3:AbortMultipartUpload", lake+athenaResultPrefix+"0f1e2d3c.csv")
					add("s3:GetBucketLocation", "arn:aws:s3:::"+testBucket)
				case "arn:aws:states:::athena:getQueryResults":
					add("athena:GetQueryResults", workgroup)
					add("s3:GetObject", lake+athenaResultPrefix+"0f1e2d3c.csv")
				case "arn:aws:states:::sns:publish":
					add("sns:Publish", subs["TopicArn"])
				default:
					t.Errorf("task %s: resource %s has no known permission", name, st.Resource)
				}
			case asl.TypeParallel:
				for _, b := range st.Branches {
					walk(b)
				}
			case asl.TypeMap:
				if d := st.Distributed; d != nil {
					add("states:StartExecution", machine)
					add("states:DescribeExecution", arn("states", "execution:"+testStack+"-flow/Products:0123"))
					add("states:StopExecution", arn("states", "execution:"+testStack+"-flow/Products:0123"))
					if d.Reader != nil {
						if d.Reader.Resource != "arn:aws:states:::s3:getObject" {
							t.Errorf("map %s reads items with %s", name, d.Reader.Resource)
						}
						add("s3:GetObject", lake+stagingPrefix+"exec-1/items/products.json")
					}
				}
				walk(st.Processor)
			}
		}
	}
	walk(&m.Scope)
	return needs
}

// Every Task resource of the definition has its permission in the state
// machine's role, on a resource of this stack, and the role grants no
// action that no Task needs (but the log delivery Step Functions needs).
func TestEveryTaskHasItsPermissionAndNoMore(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			stack := resolveTemplate(t, templateJSON(t, opts), testParameters())
			def, subs := substitutedDefinition(t, stack)
			m, err := asl.Parse(def)
			if err != nil {
				t.Fatal(err)
			}
			grants := roleGrants(t, stack)
			needs := taskNeeds(t, m, subs)
			needed := map[string]bool{}
			for _, n := range needs {
				needed[n.action] = true
				g, ok := allows(grants, resFlowRole, n.action, n.resource)
				if !ok {
					t.Errorf("task %s needs %s on %s: not granted", n.task, n.action, n.resource)
					continue
				}
				if n.action == "ecs:RunTask" {
					cluster := g.condition["ArnEquals"].(map[string]any)["ecs:cluster"]
					if cluster != subs["EcsClusterArn"] {
						t.Errorf("ecs:RunTask is not limited to the stack's cluster: %v", g.condition)
					}
				}
			}
			for _, g := range grants {
				if g.role != resFlowRole {
					continue
				}
				for _, a := range g.actions {
					if !needed[a] && !slices.Contains(NoResourceActions, a) && a != "states:RedriveExecution" && a != "glue:GetTables" &&
						a != "glue:GetPartition" && a != "glue:GetPartitions" {
						t.Errorf("the flow's role grants %s (%s), which no task needs", a, g.sid)
					}
				}
			}
			if opts.Compute == ComputeLambda {
				for _, g := range grants {
					for _, a := range g.actions {
						if strings.HasPrefix(a, "ecs:") || a == "iam:PassRole" {
							t.Errorf("lambda compute grants %s", a)
						}
					}
				}
			}
		})
	}
}

// dataServices are the services whose actions read or write data or run
// work: none may be granted on "*".
var dataServices = []string{"s3", "glue", "athena", "sns", "lambda", "states", "ecs", "sqs", "dynamodb", "kms", "iam", "events", "ecr"}

// No statement grants a data action on "*" or on a resource outside this
// stack (its bucket under the lake's prefix, its function, state machine,
// workgroup, database, topic, log groups, roles, cluster, task definition
// and image repository), and no action has a wildcard.
func TestPoliciesAreScopedToTheStack(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			stack := resolveTemplate(t, templateJSON(t, opts), testParameters())
			grants := roleGrants(t, stack)
			if len(grants) == 0 {
				t.Fatal("no IAM statements")
			}
			arn := func(service, res string) string {
				return "arn:aws:" + service + ":" + testRegion + ":" + testAccount + ":" + res
			}
			own := []string{
				"arn:aws:s3:::" + testBucket,
				"arn:aws:s3:::" + testBucket + "/" + testPrefix + "*",
				"arn:aws:s3:::" + testBucket + "/" + testPrefix + stagingPrefix + "*",
				"arn:aws:s3:::" + testBucket + "/" + testPrefix + silverPrefix + "*",
				"arn:aws:s3:::" + testBucket + "/" + testPrefix + athenaResultPrefix + "*",
				arn("lambda", "function:"+testStack+"-worker"), arn("lambda", "function:"+testStack+"-worker:*"),
				arn("states", "stateMachine:"+testStack+"-flow"), arn("states", "execution:"+testStack+"-flow/*"),
				arn("athena", "workgroup/"+testStack),
				arn("glue", "catalog"), arn("glue", "database/lakeops"), arn("glue", "table/lakeops/*"),
				arn("sns", testStack),
				arn("logs", "log-group:/aws/lambda/"+testStack+"-worker:*"),
				arn("logs", "log-group:/ecs/"+testStack+"-worker:*"),
				arn("ecs", "task-definition/"+testStack+"-worker:*"), arn("ecs", "task/"+testStack+"/*"),
				arn("events", "rule/StepFunctionsGetEventsForECSTaskRule"),
				arn("ecr", "repository/lakeops-worker"),
				"arn:aws:iam::" + testAccount + ":role/" + testStack + "-" + resTaskRole + "-1A2B3C4D5E6F",
				"arn:aws:iam::" + testAccount + ":role/" + testStack + "-" + resTaskExecRole + "-1A2B3C4D5E6F",
			}
			for _, a := range NoResourceActions {
				svc, _, _ := strings.Cut(a, ":")
				if svc != "logs" && a != "ecr:GetAuthorizationToken" {
					t.Errorf("%s may not be granted on *", a)
				}
			}
			for _, g := range grants {
				for _, a := range g.actions {
					if strings.ContainsAny(a, "*?") {
						t.Errorf("%s/%s: wildcard action %s", g.role, g.sid, a)
					}
				}
				for _, r := range g.resources {
					if r == "*" {
						for _, a := range g.actions {
							svc, _, _ := strings.Cut(a, ":")
							if !slices.Contains(NoResourceActions, a) || (slices.Contains(dataServices, svc) && a != "ecr:GetAuthorizationToken") {
								t.Errorf("%s/%s grants %s on *", g.role, g.sid, a)
							}
						}
						continue
					}
					if !slices.Contains(own, r) {
						t.Errorf("%s/%s names %s, not a resource of this stack", g.role, g.sid, r)
					}
				}
			}
		})
	}
}

// The EventBridge rule matches S3's "Object Created" events of the lake's
// bucket under its raw prefix and starts this stack's state machine with
// the stack's batch and concurrency settings, through a role that may do
// only that.
func TestRawFilesStartTheStateMachine(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			stack := resolveTemplate(t, templateJSON(t, opts), testParameters())
			res := section(stack, "Resources")
			rule := res[resTrigger].(map[string]any)["Properties"].(map[string]any)
			pattern, _ := json.Marshal(rule["EventPattern"])
			want := `{"detail":{"bucket":{"name":["lake-bucket"]},"object":{"key":[{"prefix":"lake/bronze_layer/"}]}},"detail-type":["Object Created"],"source":["aws.s3"]}`
			if opts.Schedule != "" { // the schedule's rule is checked by TestScheduleStartsTheStateMachine
				want = "null"
			}
			if string(pattern) != want {
				t.Errorf("event pattern %s\nwant %s", pattern, want)
			}
			targets := rule["Targets"].([]any)
			if len(targets) != 1 {
				t.Fatalf("%d targets", len(targets))
			}
			target := targets[0].(map[string]any)
			machine := "arn:aws:states:" + testRegion + ":" + testAccount + ":stateMachine:" + testStack + "-flow"
			if target["Arn"] != machine {
				t.Errorf("target %v, want the state machine %s", target["Arn"], machine)
			}
			var input map[string]any
			if err := json.Unmarshal([]byte(target["Input"].(string)), &input); err != nil {
				t.Fatalf("target input %q: %v", target["Input"], err)
			}
			if input["max_concurrency"] != float64(DefaultMaxConcurrency) || input["batch_rows"] != float64(DefaultBatchRows) || input["batch_files"] != float64(0) {
				t.Errorf("execution input %v", input)
			}
			roleID := resTriggerRole
			grants := roleGrants(t, stack)
			if !strings.Contains(fmt.Sprint(target["RoleArn"]), roleID) {
				t.Errorf("target role %v", target["RoleArn"])
			}
			if _, ok := allows(grants, roleID, "states:StartExecution", machine); !ok {
				t.Error("the rule's role may not start the state machine")
			}
			for _, g := range grants {
				if g.role == roleID && (len(g.actions) != 1 || len(g.resources) != 1) {
					t.Errorf("the rule's role grants more: %v on %v", g.actions, g.resources)
				}
			}
			if opts.CreateBucket {
				bucket := res[resBucket].(map[string]any)
				nc := bucket["Properties"].(map[string]any)["NotificationConfiguration"].(map[string]any)
				if nc["EventBridgeConfiguration"].(map[string]any)["EventBridgeEnabled"] != true {
					t.Error("the created bucket does not send its events to EventBridge")
				}
				if bucket["DeletionPolicy"] != "Retain" {
					t.Error("the created bucket is deleted with the stack")
				}
			}
		})
	}
}

// The outputs name what the console and the CLI read back.
func TestOutputs(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			stack := resolveTemplate(t, templateJSON(t, opts), testParameters())
			outs := section(stack, "Outputs")
			arn := func(service, res string) string {
				return "arn:aws:" + service + ":" + testRegion + ":" + testAccount + ":" + res
			}
			want := map[string]string{
				OutStateMachineArn: arn("states", "stateMachine:"+testStack+"-flow"),
				OutWorkGroup:       testStack, OutDatabase: "lakeops", OutTopicArn: arn("sns", testStack),
				OutFunctionName: testStack + "-worker", OutFunctionArn: arn("lambda", "function:"+testStack+"-worker"),
				OutBucket: testBucket, OutLakeURI: "s3://" + testBucket + "/" + testPrefix,
				OutOutputLocation: "s3://" + testBucket + "/" + testPrefix + athenaResultPrefix,
			}
			if opts.Compute == ComputeFargate {
				want[OutEcsCluster] = arn("ecs", "cluster/"+testStack)
				want[OutEcsTaskDefinition] = arn("ecs", "task-definition/"+testStack+"-worker:1")
			}
			var names []string
			for k := range outs {
				names = append(names, k)
			}
			sort.Strings(names)
			if len(outs) != len(want) {
				t.Errorf("outputs %v", names)
			}
			for k, v := range want {
				o, _ := outs[k].(map[string]any)
				if o["Value"] != v {
					t.Errorf("output %s = %v, want %s", k, o["Value"], v)
				}
			}
		})
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, o := range []Options{{Compute: "ec2"}, {Arch: "386"}, {Schedule: "every 5 minutes"}, {Schedule: "rate(1 minutes)"},
		{Schedule: "rate(5 minute)"}, {Schedule: "rate(0 hours)"}, {Schedule: "rate(5 weeks)"}, {Schedule: "cron(0 * * * *)"}} {
		if _, err := JSON(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	for _, sched := range []string{"rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "cron(0 * * * ? *)"} {
		if _, err := JSON(Options{Schedule: sched}); err != nil {
			t.Errorf("schedule %q refused: %v", sched, err)
		}
	}
}

// With a schedule the rule starts the flow on it, with the same input and
// role, and no event pattern: a burst of files is one execution.
func TestScheduleStartsTheStateMachine(t *testing.T) {
	stack := resolveTemplate(t, templateJSON(t, Options{Schedule: "rate(5 minutes)"}), testParameters())
	res := section(stack, "Resources")
	rule := res[resTrigger].(map[string]any)["Properties"].(map[string]any)
	if rule["ScheduleExpression"] != "rate(5 minutes)" || rule["EventPattern"] != nil {
		t.Fatalf("rule %v", rule)
	}
	target := rule["Targets"].([]any)[0].(map[string]any)
	machine := "arn:aws:states:" + testRegion + ":" + testAccount + ":stateMachine:" + testStack + "-flow"
	if target["Arn"] != machine || !strings.Contains(fmt.Sprint(target["RoleArn"]), resTriggerRole) {
		t.Fatalf("target %v", target)
	}
	var input map[string]any
	if err := json.Unmarshal([]byte(target["Input"].(string)), &input); err != nil || input["max_concurrency"] != float64(DefaultMaxConcurrency) {
		t.Fatalf("input %v: %v", target["Input"], err)
	}
	if d, _ := stack["Description"].(string); d != "lakeops lakehouse: the worker (Lambda, arm64), the project's state machine started by the schedule rate(5 minutes), Glue, Athena, SNS" {
		t.Errorf("description %q", d)
	}
	plain := resolveTemplate(t, templateJSON(t, Options{Compute: ComputeFargate}), testParameters())
	if d, _ := plain["Description"].(string); d != "lakeops lakehouse: the worker (Lambda, arm64, and ECS Fargate), the project's state machine started by new raw files, Glue, Athena, SNS" {
		t.Errorf("description %q", d)
	}
}
