package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/deploy"
	"github.com/lakeops/lakeops/aws/deploy/artifact"
	"github.com/lakeops/lakeops/aws/internal/queryfake"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
)

// Protocol tests: the CloudFormation calls against responses recorded in
// the service's documented wire format (the AWS Query protocol: form-encoded
// requests, XML answers), the uploads against a real S3 server.

const cfnVersion = "2010-05-15"

const stackID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/lakeops/3b1e6f20-9a4c-11f0-8d2e-0a1b2c3d4e5f"

func client(f *queryfake.Service) *Client {
	return New(f.Config(), Options{PollInterval: time.Millisecond})
}

// fakeArtifacts writes a deploy package folder with small stand-ins for
// the zips and images (their builds are artifact's tests).
func fakeArtifacts(t *testing.T) (string, artifact.Manifest) {
	t.Helper()
	dir := t.TempDir()
	m := artifact.Manifest{Module: artifact.ModulePath}
	for _, arch := range []string{"arm64", "amd64"} {
		for kind, name := range map[string]string{artifact.KindLambdaZip: artifact.ZipName(arch), artifact.KindImage: artifact.ImageName(arch)} {
			data := []byte(kind + " for " + arch)
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			m.Artifacts = append(m.Artifacts, artifact.Artifact{Name: name, Kind: kind, Arch: arch, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))})
		}
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, artifact.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, m
}

type recorder struct {
	events   []Event
	shown    []Plan
	approve  bool
	messages bytes.Buffer
}

func (r *recorder) apply(a Apply) Apply {
	a.Confirm = func(p Plan) (bool, error) { r.shown = append(r.shown, p); return r.approve, nil }
	a.OnEvent = func(e Event) { r.events = append(r.events, e) }
	a.Log = &r.messages
	return a
}

// A first apply: no stack yet, so a CREATE change set (its changes over
// two pages), shown and approved, executed, its events followed to
// CREATE_COMPLETE; the zip and the template are in S3 where the change
// set's parameters and TemplateURL say.
func TestApplyCreatesTheStack(t *testing.T) {
	srv := gwtest.Start(t)
	store := srv.NewStore(t, "lake/")
	dir, m := fakeArtifacts(t)
	f := queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-missing.xml", Status: 400},
		queryfake.Reply{Op: "CreateChangeSet", File: "create-change-set.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-pending.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-create-page1.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-create-page2.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-review.xml"},
		queryfake.Reply{Op: "ExecuteChangeSet", File: "execute-change-set.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-create-1.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-in-progress.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-create-2.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-create-2.xml"},
	)
	rec := &recorder{approve: true}
	st, plan, err := client(f).Apply(context.Background(), rec.apply(Apply{
		Stack: "lakeops", Parameters: map[string]string{deploy.ParamBucket: "lake-bucket", deploy.ParamPrefix: "lake/"},
		Artifacts: dir, Uploads: store, UploadBucket: srv.Bucket, UploadPrefix: "lake/", Region: "eu-west-1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	f.Done()
	if !plan.Create || len(plan.Changes) != 11 || len(rec.shown) != 1 {
		t.Fatalf("plan: create %v, %d changes, shown %d times", plan.Create, len(plan.Changes), len(rec.shown))
	}
	for _, c := range plan.Changes {
		if c.Action != "Add" || c.LogicalID == "" || !strings.HasPrefix(c.Type, "AWS::") {
			t.Errorf("change %+v", c)
		}
	}
	if st.Status != "CREATE_COMPLETE" || st.Outputs[deploy.OutStateMachineArn] != "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops-flow" {
		t.Errorf("stack %s, outputs %v", st.Status, st.Outputs)
	}

	calls := f.Requests()
	create := calls[1].Form
	zip, _ := m.Find(artifact.KindLambdaZip, "arm64")
	wantKey := "lake/" + DeployPrefix + zip.SHA256[:16] + "/" + zip.Name
	for k, v := range map[string]string{
		"StackName": "lakeops", "ChangeSetType": "CREATE", "Capabilities.member.1": "CAPABILITY_IAM",
	} {
		if create.Get(k) != v {
			t.Errorf("CreateChangeSet %s = %q, want %q", k, create.Get(k), v)
		}
	}
	params := map[string]string{}
	for i := 1; create.Get(fmt.Sprintf("Parameters.member.%d.ParameterKey", i)) != ""; i++ {
		params[create.Get(fmt.Sprintf("Parameters.member.%d.ParameterKey", i))] = create.Get(fmt.Sprintf("Parameters.member.%d.ParameterValue", i))
	}
	want := map[string]string{deploy.ParamBucket: "lake-bucket", deploy.ParamPrefix: "lake/", deploy.ParamArtifactBucket: srv.Bucket, deploy.ParamWorkerCodeKey: wantKey}
	if fmt.Sprint(params) != fmt.Sprint(want) {
		t.Errorf("parameters %v\nwant %v", params, want)
	}
	// The zip and the template are where the parameters point.
	got := readKey(t, store, strings.TrimPrefix(wantKey, "lake/"))
	if string(got) != "lambda-zip for arm64" {
		t.Errorf("uploaded zip %q", got)
	}
	tmplURL := create.Get("TemplateURL")
	prefix := "https://" + srv.Bucket + ".s3.eu-west-1.amazonaws.com/lake/" + DeployPrefix
	if !strings.HasPrefix(tmplURL, prefix) || !strings.HasSuffix(tmplURL, "/template.json") {
		t.Fatalf("TemplateURL %s", tmplURL)
	}
	body := readKey(t, store, strings.TrimPrefix(tmplURL, "https://"+srv.Bucket+".s3.eu-west-1.amazonaws.com/lake/"))
	wantBody, _ := deploy.JSON(deploy.Options{})
	if !bytes.Equal(body, wantBody) {
		t.Error("the uploaded template is not deploy.JSON's")
	}
	if exec := calls[6].Form; exec.Get("ChangeSetName") != "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/lakeops-20261201-090000/6f0e1d2c-3b4a-4958-8a7b-1c2d3e4f5a6b" || exec.Get("StackName") != stackID {
		t.Errorf("ExecuteChangeSet %v", exec)
	}
	if calls[4].Form.Get("NextToken") == "" {
		t.Error("the change set's second page was not asked for")
	}

	// Events: every one after the review, once, oldest first, with progress.
	if len(rec.events) != 1+24+9+1 {
		t.Errorf("%d events", len(rec.events))
	}
	last := rec.events[len(rec.events)-1]
	if last.LogicalID != "lakeops" || last.Status != "CREATE_COMPLETE" || last.Done != 11 || last.Total != 11 {
		t.Errorf("last event %+v", last)
	}
	for i := 1; i < len(rec.events); i++ {
		if rec.events[i].Time.Before(rec.events[i-1].Time) || rec.events[i].Done < rec.events[i-1].Done {
			t.Errorf("event %d out of order: %+v after %+v", i, rec.events[i], rec.events[i-1])
		}
	}

	// A second apply of the same artifacts uploads nothing again.
	rec.messages.Reset()
	if _, err := upload(context.Background(), store, strings.TrimPrefix(wantKey, "lake/"), filepath.Join(dir, zip.Name), &rec.messages); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.messages.String(), "uploaded already") {
		t.Errorf("re-upload: %s", rec.messages.String())
	}
}

func readKey(t *testing.T, store interface {
	Open(context.Context, string, int64, int64) (io.ReadCloser, error)
}, key string) []byte {
	t.Helper()
	rc, err := store.Open(context.Background(), key, 0, -1)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An update whose function fails to update: CloudFormation rolls the stack
// back; apply streams the rollback's events and fails naming the first
// failure, not the cancelled resources after it.
func TestFailedUpdateRollsBack(t *testing.T) {
	f := queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
		queryfake.Reply{Op: "CreateChangeSet", File: "create-change-set-update.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-update.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-before-update.xml"},
		queryfake.Reply{Op: "ExecuteChangeSet", File: "execute-change-set.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-update-1.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-update-rollback-in-progress.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-update-2.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-update-rollback-complete.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-update-2.xml"},
	)
	c := client(f)
	plan, err := c.Plan(context.Background(), "lakeops", Template{URL: "https://b.s3.eu-west-1.amazonaws.com/t.json", Parameters: map[string]string{"LakeBucketName": "lake-bucket"}})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Create || len(plan.Changes) != 2 || plan.Changes[0] != (Change{Action: "Modify", LogicalID: "WorkerFunction", Type: "AWS::Lambda::Function", Replacement: "False"}) {
		t.Fatalf("plan %+v", plan)
	}
	if ct := f.Requests()[1].Form.Get("ChangeSetType"); ct != "UPDATE" {
		t.Errorf("ChangeSetType %s", ct)
	}
	var events []Event
	st, err := c.Execute(context.Background(), plan, func(e Event) { events = append(events, e) })
	f.Done()
	if err == nil {
		t.Fatal("a rolled-back update succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"rolled back", "UPDATE_ROLLBACK_COMPLETE", "WorkerFunction (AWS::Lambda::Function) UPDATE_FAILED", "NoSuchKey"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "cancelled") {
		t.Errorf("error names a cancelled resource: %s", msg)
	}
	if st.Status != "UPDATE_ROLLBACK_COMPLETE" || len(events) != 8 {
		t.Errorf("stack %s, %d events", st.Status, len(events))
	}
	var statuses []string
	for _, e := range events {
		statuses = append(statuses, e.Status)
	}
	if !strings.Contains(strings.Join(statuses, " "), "UPDATE_FAILED UPDATE_FAILED UPDATE_ROLLBACK_IN_PROGRESS UPDATE_COMPLETE") {
		t.Errorf("events %v", statuses)
	}
}

// A template and parameters that change nothing: the empty change set is
// removed, nothing is shown or executed.
func TestApplyWithoutChanges(t *testing.T) {
	dir, _ := fakeArtifacts(t)
	srv := gwtest.Start(t)
	f := queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
		queryfake.Reply{Op: "CreateChangeSet", File: "create-change-set-update.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-no-changes.xml"},
		queryfake.Reply{Op: "DeleteChangeSet", File: "delete-change-set.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
	)
	rec := &recorder{approve: true}
	st, plan, err := client(f).Apply(context.Background(), rec.apply(Apply{
		Stack: "lakeops", Artifacts: dir, Uploads: srv.NewStore(t, ""), UploadBucket: srv.Bucket, Region: "eu-west-1",
		Parameters: map[string]string{deploy.ParamBucket: "lake-bucket"},
	}))
	f.Done()
	if err != nil || !plan.Empty || len(rec.shown) != 0 || st.Status != "CREATE_COMPLETE" {
		t.Fatalf("err %v, empty %v, shown %d, status %s", err, plan.Empty, len(rec.shown), st.Status)
	}
}

// Changes shown and not confirmed are discarded; a change set that fails
// for another reason is an error with CloudFormation's reason.
func TestApplyDeclinedAndFailedChangeSets(t *testing.T) {
	dir, _ := fakeArtifacts(t)
	srv := gwtest.Start(t)
	f := queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
		queryfake.Reply{Op: "CreateChangeSet", File: "create-change-set-update.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-update.xml"},
		queryfake.Reply{Op: "DeleteChangeSet", File: "delete-change-set.xml"},
	)
	rec := &recorder{approve: false}
	_, _, err := client(f).Apply(context.Background(), rec.apply(Apply{
		Stack: "lakeops", Artifacts: dir, Uploads: srv.NewStore(t, ""), UploadBucket: srv.Bucket, Region: "eu-west-1",
	}))
	f.Done()
	if !errors.Is(err, ErrDeclined) || len(rec.shown) != 1 {
		t.Errorf("declined: %v, shown %d", err, len(rec.shown))
	}
	if f.Actions()[3] != "DeleteChangeSet" {
		t.Errorf("calls %v", f.Actions())
	}

	f = queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
		queryfake.Reply{Op: "CreateChangeSet", File: "create-change-set-update.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-failed.xml"},
	)
	_, err = client(f).Plan(context.Background(), "lakeops", Template{URL: "https://b.s3.eu-west-1.amazonaws.com/t.json"})
	f.Done()
	if err == nil || !strings.Contains(err.Error(), "Unresolved resource dependencies [WorkerRolee]") {
		t.Errorf("failed change set: %v", err)
	}

	// A stack in the middle of an operation is not planned over.
	f = queryfake.New(t, cfnVersion, queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-update-rollback-in-progress.xml"})
	_, err = client(f).Plan(context.Background(), "lakeops", Template{URL: "https://b/t.json"})
	f.Done()
	if err == nil || !strings.Contains(err.Error(), "UPDATE_ROLLBACK_IN_PROGRESS") {
		t.Errorf("busy stack: %v", err)
	}
}

// A change set never created (the stack REVIEW_IN_PROGRESS after a declined
// first apply) is planned as a CREATE again.
func TestApplyAfterADeclinedCreate(t *testing.T) {
	f := queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-review.xml"},
		queryfake.Reply{Op: "CreateChangeSet", File: "create-change-set.xml"},
		queryfake.Reply{Op: "DescribeChangeSet", File: "describe-change-set-create-page2.xml"},
	)
	p, err := client(f).Plan(context.Background(), "lakeops", Template{URL: "https://b/t.json"})
	f.Done()
	if err != nil || !p.Create || f.Requests()[1].Form.Get("ChangeSetType") != "CREATE" {
		t.Errorf("plan %+v, %v", p, err)
	}
}

// deploy status and the stack lookup: the outputs become the settings the
// console and the CLI use.
func TestLookup(t *testing.T) {
	f := queryfake.New(t, cfnVersion, queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"})
	s, err := Lookup(context.Background(), f.Config(), "lakeops", Options{})
	f.Done()
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{Stack: "lakeops", Region: "eu-west-1", StateMachineArn: "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops-flow",
		WorkGroup: "lakeops", Database: "lakeops", OutputLocation: "s3://lake-bucket/lake/_lakeops/athena-results/",
		TopicArn: "arn:aws:sns:eu-west-1:111122223333:lakeops", FunctionName: "lakeops-worker", LakeURI: "s3://lake-bucket/lake/"}
	if s != want {
		t.Errorf("settings %+v\nwant %+v", s, want)
	}
	if f.Requests()[0].Form.Get("StackName") != "lakeops" {
		t.Errorf("DescribeStacks %v", f.Requests()[0].Form)
	}

	f = queryfake.New(t, cfnVersion, queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-missing.xml", Status: 400})
	if _, err := Lookup(context.Background(), f.Config(), "lakeops", Options{}); !errors.Is(err, ErrNoStack) {
		t.Errorf("missing stack: %v", err)
	}
	f = queryfake.New(t, cfnVersion, queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-not-lakeops.xml"})
	if _, err := Lookup(context.Background(), f.Config(), "website", Options{}); err == nil || !strings.Contains(err.Error(), "not a lakeops stack") {
		t.Errorf("another stack: %v", err)
	}
	f = queryfake.New(t, cfnVersion, queryfake.Reply{Op: "DescribeStacks", File: "access-denied.xml", Status: 403})
	_, err = Lookup(context.Background(), f.Config(), "lakeops", Options{Profile: "dev"})
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Kind != awserr.AccessDenied || !strings.Contains(err.Error(), "cloudformation:DescribeStacks") || strings.Contains(err.Error(), "because") {
		t.Errorf("access denied: %v", err)
	}
}

// deploy delete: DeleteStack, then the stack's events to DELETE_COMPLETE.
func TestDelete(t *testing.T) {
	f := queryfake.New(t, cfnVersion,
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-create-2.xml"},
		queryfake.Reply{Op: "DeleteStack", File: "delete-stack.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-delete-1.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-delete-in-progress.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-delete-2.xml"},
		queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-delete-complete.xml"},
		queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-delete-2.xml"},
	)
	var events []Event
	if err := client(f).Delete(context.Background(), "lakeops", func(e Event) { events = append(events, e) }); err != nil {
		t.Fatal(err)
	}
	f.Done()
	if got := f.Requests()[2].Form.Get("StackName"); got != stackID {
		t.Errorf("DeleteStack of %s, want the stack's id", got)
	}
	if len(events) != 24 || events[len(events)-1].Status != "DELETE_COMPLETE" || events[len(events)-1].Done != 11 {
		t.Errorf("%d events, last %+v", len(events), events[len(events)-1])
	}
}

func TestTemplateURL(t *testing.T) {
	if got := TemplateURL("b", "eu-west-1", "lake/_lakeops/deploy/ab/template.json"); got != "https://b.s3.eu-west-1.amazonaws.com/lake/_lakeops/deploy/ab/template.json" {
		t.Error(got)
	}
	if got := TemplateURL("b", "cn-north-1", "t.json"); got != "https://b.s3.cn-north-1.amazonaws.com.cn/t.json" {
		t.Error(got)
	}
}

// Fast answers on kept-alive connections: without bufferedhttp, the
// SDK's client closed a request's body while the transport still read it,
// and reading a later answer failed ("use of closed network connection";
// this sequence failed on its second round).
func TestFastAnswersOnKeptConnections(t *testing.T) {
	for round := range 60 {
		f := queryfake.New(t, cfnVersion,
			queryfake.Reply{Op: "DescribeStacks", File: "describe-stacks-create-complete.xml"},
			queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-create-2.xml"},
			queryfake.Reply{Op: "DeleteStack", File: "delete-stack.xml"},
			queryfake.Reply{Op: "DescribeStackEvents", File: "describe-stack-events-delete-1.xml"},
		)
		c := client(f)
		ctx := context.Background()
		_, err := c.Describe(ctx, "lakeops")
		if err == nil {
			_, err = c.newestEvent(ctx, stackID)
		}
		if err == nil {
			_, err = c.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(stackID)})
		}
		if err == nil {
			_, err = c.newestEvent(ctx, stackID)
		}
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		f.Done()
	}
}
