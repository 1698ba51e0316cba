package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/awslabs/goformation/v7"

	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/ui/uitest"
)

func TestDeployTemplate(t *testing.T) {
	out, stderr, code := run(t, "deploy", "template")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tmpl, err := goformation.ParseJSON([]byte(out))
	if err != nil {
		t.Fatalf("deploy template output: %v", err)
	}
	if _, err := tmpl.GetStepFunctionsStateMachineWithName("Flow"); err != nil {
		t.Error(err)
	}
	if len(tmpl.GetAllECSTaskDefinitionResources()) != 0 {
		t.Error("lambda compute has an ECS task definition")
	}
	out, _, code = run(t, "deploy", "template", "--compute", "fargate", "--arch", "amd64", "--create-bucket")
	tmpl, err = goformation.ParseJSON([]byte(out))
	if code != ExitOK || err != nil || len(tmpl.GetAllECSTaskDefinitionResources()) != 1 || len(tmpl.GetAllS3BucketResources()) != 1 {
		t.Errorf("fargate template: exit %d, %v", code, err)
	}
	if _, stderr, code := run(t, "deploy", "template", "--compute", "ec2"); code != ExitUsage || !strings.Contains(stderr, "compute") {
		t.Errorf("--compute ec2: exit %d %s", code, stderr)
	}
	out, _, code = run(t, "deploy", "template", "--schedule", "rate(5 minutes)")
	tmpl, err = goformation.ParseJSON([]byte(out))
	if code != ExitOK || err != nil {
		t.Fatalf("scheduled template: exit %d, %v", code, err)
	}
	rules := tmpl.GetAllEventsRuleResources()
	if len(rules) != 1 {
		t.Fatalf("%d rules", len(rules))
	}
	for _, r := range rules {
		if r.ScheduleExpression == nil || *r.ScheduleExpression != "rate(5 minutes)" || r.EventPattern != nil {
			t.Errorf("scheduled rule %+v", r)
		}
	}
	if _, stderr, code := run(t, "deploy", "template", "--schedule", "every 5 minutes"); code != ExitUsage ||
		!strings.Contains(stderr, `--schedule must be rate(N minutes|hours|days) or cron(six fields), not "every 5 minutes"`) {
		t.Errorf("--schedule 'every 5 minutes': exit %d %s", code, stderr)
	}
}

// Usage and --read-only are checked before anything reaches AWS.
func TestDeployRefusals(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"deploy"}, ExitUsage, "needs a command: apply, delete, package, status, template"},
		{[]string{"deploy", "package"}, ExitUsage, "--out"},
		{[]string{"deploy", "status"}, ExitUsage, "--stack"},
		{[]string{"--lake", "some/folder", "deploy", "apply", "--stack", "x"}, ExitUsage, "s3://"},
		{[]string{"--lake", "s3://b/lake", "deploy", "apply", "--stack", "x", "--compute", "fargate"}, ExitUsage, "--subnets"},
		{[]string{"--lake", "s3://b/lake", "deploy", "apply", "--stack", "x", "--create-bucket"}, ExitUsage, "--artifact-bucket"},
		{[]string{"--read-only", "--lake", "s3://b/lake", "deploy", "apply", "--stack", "x"}, ExitFail, "read-only"},
		{[]string{"--read-only", "deploy", "delete", "--stack", "x", "--yes"}, ExitFail, "read-only"},
		{[]string{"deploy", "delete", "--stack", "x"}, ExitFail, "--yes"},
		{[]string{"deploy", "frobnicate", "--stack", "x"}, ExitUsage, "frobnicate"},
	} {
		t.Setenv("AWS_REGION", "eu-west-1")
		t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing may be asked of AWS
		_, stderr, code := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d with %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// --aws --stack NAME: flow and query take the state machine, the workgroup
// and the database from the stack's outputs (DescribeStacks through the
// recorded CloudFormation answers).
func TestStackSettingsReachFlowAndQuery(t *testing.T) {
	fakes := fakeStackAWS(t)
	bodies := fakes.bodies
	out, stderr, code := run(t, "--aws", "--stack", "lakeops", "flow", "ls")
	if code != ExitOK || !strings.Contains(out, "first") {
		t.Fatalf("flow ls: exit %d %q %q", code, out, stderr)
	}
	if got := bodies("AWSStepFunctions.ListExecutions")["stateMachineArn"]; got != "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops-flow" {
		t.Errorf("ListExecutions of %v", got)
	}
	_, _, code = run(t, "--aws", "--stack", "lakeops", "query", "SELECT count(*) FROM orders")
	start := bodies("AmazonAthena.StartQueryExecution")
	if code != ExitFail || start["WorkGroup"] != "lakeops" {
		t.Errorf("query: exit %d, StartQueryExecution %v", code, start)
	}
	if ctx, _ := start["QueryExecutionContext"].(map[string]any); ctx["Database"] != "lakeops" {
		t.Errorf("query database: %v", start["QueryExecutionContext"])
	}
	_, stderr, code = run(t, "--aws", "--stack", "website", "flow", "ls")
	if code != ExitFail || !strings.Contains(stderr, "not a lakeops stack") {
		t.Errorf("another stack: exit %d %s", code, stderr)
	}
	if got := strings.Join(fakes.stacks(), " "); got != "lakeops lakeops website" {
		t.Errorf("stacks described: %v", got)
	}
}

// stackAWS plays CloudFormation (the recorded DescribeStacks answers of
// aws/deploy/stack: "lakeops" is a lakeops stack, "website" is not), and
// Step Functions and Athena (JSON protocols) enough for the commands and
// the console, through the SDK's endpoint variables.
type stackAWS struct {
	mu     sync.Mutex
	asked  []string
	bodyOf map[string]map[string]any
}

func (f *stackAWS) stacks() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

func (f *stackAWS) bodies(target string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodyOf[target]
}

func fakeStackAWS(t *testing.T) *stackAWS {
	t.Helper()
	f := &stackAWS{bodyOf: map[string]map[string]any{}}
	// CloudFormation speaks the AWS Query protocol: a form in, XML out.
	cfn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(raw))
		if form.Get("Action") != "DescribeStacks" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("CloudFormation %s (%s)", form.Get("Action"), r.Header.Get("Content-Type"))
		}
		f.mu.Lock()
		f.asked = append(f.asked, form.Get("StackName"))
		f.mu.Unlock()
		file := map[string]string{"lakeops": "describe-stacks-create-complete.xml", "website": "describe-stacks-not-lakeops.xml"}[form.Get("StackName")]
		b, err := os.ReadFile("../../aws/deploy/stack/testdata/" + file)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write(b)
	}))
	t.Cleanup(cfn.Close)
	machine := "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops-flow"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		f.bodyOf[target] = body
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch target {
		case "AWSStepFunctions.ListStateMachines":
			io.WriteString(w, `{"stateMachines":[{"stateMachineArn":"arn:aws:states:eu-west-1:111122223333:stateMachine:website-jobs","name":"website-jobs","type":"STANDARD","creationDate":1.7e9}]}`)
		case "AWSStepFunctions.ListExecutions":
			io.WriteString(w, `{"executions":[{"executionArn":"arn:aws:states:eu-west-1:111122223333:execution:lakeops-flow:first","stateMachineArn":"`+machine+`","name":"first","status":"SUCCEEDED","startDate":1.7e9,"stopDate":1.7000001e9}]}`)
		case "AWSStepFunctions.DescribeStateMachine":
			def, _ := json.Marshal(string(definitions.LakeopsFlow()))
			io.WriteString(w, `{"stateMachineArn":"`+machine+`","name":"lakeops-flow","type":"STANDARD","definition":`+string(def)+`,"roleArn":"arn:aws:iam::111122223333:role/r","creationDate":1.7e9}`)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"InvalidRequestException","Message":"recorded refusal"}`)
		}
	}))
	t.Cleanup(other.Close)
	t.Setenv("AWS_ENDPOINT_URL", other.URL)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", cfn.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDLAKEOPSTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	return f
}

// The console with --aws --stack lakeops: the status bar names the stack,
// the Flows view opens the stack's state machine (listed first though the
// account's list leaves it out), and the Query view's Athena engine uses
// the stack's database and workgroup.
func TestConsoleKnowsTheStack(t *testing.T) {
	fakes := fakeStackAWS(t)
	r := testRoot(t, genLake(t, 20))
	r.g.AWS, r.g.Stack = true, "lakeops"
	c := startConsole(t, r, consoleParts{}, 120, 32)
	waitFrame(t, c, "the stack in the status bar", shows([]string{"stack lakeops"}))
	c.Send(uitest.Key("6"))
	waitFrame(t, c, "the stack's state machine open", shows([]string{"lakeops-flow", "first", "SUCCEEDED"}))
	if got := fakes.bodies("AWSStepFunctions.ListExecutions")["stateMachineArn"]; got != "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops-flow" {
		t.Errorf("executions of %v", got)
	}
	eng, err := r.Engine(context.Background(), EngineOptions{Athena: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.(interface {
		Tables(context.Context) ([]query.TableInfo, error)
	}).Tables(context.Background()); err == nil {
		t.Error("the refusing fake listed tables")
	}
	list := fakes.bodies("AmazonAthena.ListTableMetadata")
	if list["DatabaseName"] != "lakeops" || list["WorkGroup"] != "lakeops" {
		t.Errorf("ListTableMetadata %v", list)
	}
	quit(t, c)
}
