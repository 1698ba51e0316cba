package awserr_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/internal/awsfake"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
)

// isolate gives the SDK an empty home: no shared config or credentials
// files but those the test writes, no credentials in the environment, no
// instance metadata service.
func isolate(t *testing.T, configFile string) string {
	t.Helper()
	home := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if err := os.MkdirAll(filepath.Join(home, ".aws", "sso", "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(configFile), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// explained wants err explained as kind, in one line, holding every part
// of want, and still unwrapping to the SDK's error.
func explained(t *testing.T, err error, h awserr.Hints, kind awserr.Kind, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	got := awserr.Explain(err, h)
	var e *awserr.Error
	if !errors.As(got, &e) || e.Kind != kind {
		t.Fatalf("Explain(%v) = %v, want kind %d", err, got, kind)
	}
	msg := got.Error()
	t.Log(msg)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not say %q", msg, w)
		}
	}
	if strings.Contains(msg, "\n") || len(msg) > 400 {
		t.Errorf("message is not one short line (%d chars): %q", len(msg), msg)
	}
	if u := errors.Unwrap(got); u == nil || u.Error() != err.Error() {
		t.Error("the SDK error is not reachable through Unwrap")
	}
}

func TestNoRegion(t *testing.T) {
	isolate(t, "")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	_, err = athena.NewFromConfig(cfg).ListWorkGroups(ctx, &athena.ListWorkGroupsInput{})
	explained(t, err, awserr.Hints{}, awserr.NoRegion, "Athena ListWorkGroups", "no AWS region", "--region", "AWS_REGION")
	_, err = s3.NewFromConfig(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("b")})
	explained(t, err, awserr.Hints{}, awserr.NoRegion, "S3 ListObjectsV2", "--region")
}

func TestNoProfile(t *testing.T) {
	isolate(t, "[profile dev]\nregion = eu-west-1\n")
	_, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile("prod"))
	explained(t, err, awserr.Hints{Profile: "prod"}, awserr.NoProfile, `"prod"`, "--profile", "list-profiles")
}

func TestNoCredentials(t *testing.T) {
	isolate(t, "")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = glue.NewFromConfig(cfg).GetDatabases(ctx, &glue.GetDatabasesInput{})
	explained(t, err, awserr.Hints{}, awserr.NoCredentials, "Glue GetDatabases", "no AWS credentials", "aws sso login", "AWS_ACCESS_KEY_ID")
}

func TestSSOSessionExpiredOrMissing(t *testing.T) {
	const cfgFile = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n" +
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
	ctx := context.Background()
	for _, token := range []string{"", `{"accessToken":"x","expiresAt":"2020-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.awsapps.com/start"}`} {
		home := isolate(t, cfgFile)
		if token != "" {
			// The SDK's cache file name: SHA-1 of the session name.
			if err := os.WriteFile(filepath.Join(home, ".aws", "sso", "cache", "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"), []byte(token), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("dev"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = sfn.NewFromConfig(cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
		explained(t, err, awserr.Hints{Profile: "dev"}, awserr.SSOExpired, "SSO session", "aws sso login --profile dev")
	}
}

// TestRecordedServiceErrors plays recorded error answers of the JSON
// services in their documented wire format.
func TestRecordedServiceErrors(t *testing.T) {
	ctx := context.Background()
	f := awsfake.New(t, "AmazonAthena.", "application/x-amz-json-1.1",
		awsfake.Reply{Op: "StartQueryExecution", File: "athena-access-denied.json", Status: 400},
		awsfake.Reply{Op: "StartQueryExecution", File: "athena-expired-token.json", Status: 400})
	a := athena.NewFromConfig(f.Config(), func(o *athena.Options) { o.RetryMaxAttempts = 1 })
	_, err := a.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")})
	explained(t, err, awserr.Hints{}, awserr.AccessDenied, "Athena StartQueryExecution", "access denied", "athena:StartQueryExecution")
	_, err = a.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")})
	explained(t, err, awserr.Hints{Profile: "dev"}, awserr.ExpiredCredentials, "expired", "aws sso login --profile dev")

	g := awsfake.New(t, "AWSGlue.", "application/x-amz-json-1.1", awsfake.Reply{Op: "GetTable", File: "glue-unrecognized-client.json", Status: 400})
	_, err = glue.NewFromConfig(g.Config()).GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String("t")})
	explained(t, err, awserr.Hints{}, awserr.UnknownCredentials, "Glue GetTable", "does not recognise")

	s := awsfake.New(t, "AWSStepFunctions.", "application/x-amz-json-1.0", awsfake.Reply{Op: "StartExecution", File: "sfn-access-denied.json", Status: 400})
	_, err = sfn.NewFromConfig(s.Config()).StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops")})
	explained(t, err, awserr.Hints{}, awserr.AccessDenied, "SFN StartExecution", "states:StartExecution")
}

// TestRecordedS3Errors plays S3's REST-XML error answers, recorded, from a
// server that answers every request with one of them.
func TestRecordedS3Errors(t *testing.T) {
	for _, c := range []struct {
		file   string
		status int
		kind   awserr.Kind
		want   []string
	}{
		{"s3-access-denied.xml", 403, awserr.AccessDenied, []string{"S3 GetObject", "access denied", "s3:GetObject"}},
		{"s3-expired-token.xml", 400, awserr.ExpiredCredentials, []string{"expired", "aws sso login"}},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(c.status)
			w.Write(body)
		}))
		cl := s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
		_, err = cl.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
		srv.Close()
		explained(t, err, awserr.Hints{}, c.kind, c.want...)
	}
}

// TestS3ErrorsFromVersitygw makes a real S3 server refuse: an unknown
// bucket, an unknown access key, a wrong secret key.
func TestS3ErrorsFromVersitygw(t *testing.T) {
	gw := gwtest.Start(t)
	ctx := context.Background()
	client := func(access, secret string) *s3.Client {
		return s3.New(s3.Options{Region: gw.Region, BaseEndpoint: aws.String(gw.Endpoint), UsePathStyle: true, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(access, secret, "")})
	}
	_, err := client(gw.AccessKey, gw.SecretKey).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	explained(t, err, awserr.Hints{}, awserr.NoSuchBucket, "S3 ListObjectsV2", "bucket does not exist", "--lake")
	_, err = client("AKIDUNKNOWN", "whatever").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(gw.Bucket)})
	explained(t, err, awserr.Hints{}, awserr.UnknownCredentials, "does not recognise")
	_, err = client(gw.AccessKey, "wrong-secret").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(gw.Bucket)})
	explained(t, err, awserr.Hints{}, awserr.BadSignature, "signature", "secret key")
}

func TestUnreachableEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range []struct{ endpoint, host, why string }{
		{"http://" + closed, closed, "connection refused"},
		{"http://no-such-host.invalid", "no-such-host.invalid", "no such host"},
	} {
		cl := s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(c.endpoint), UsePathStyle: true, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
		_, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("b")})
		explained(t, err, awserr.Hints{}, awserr.Unreachable, "cannot reach "+c.host, c.why, "--endpoint-url")
	}
}

func TestOtherErrorsPassUnchanged(t *testing.T) {
	for _, err := range []error{errors.New("disk full"), context.Canceled, context.DeadlineExceeded} {
		if got := awserr.Explain(err, awserr.Hints{}); got != err {
			t.Errorf("Explain(%v) = %v, want it unchanged", err, got)
		}
	}
	if awserr.Explain(nil, awserr.Hints{}) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
