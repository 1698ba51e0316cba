package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
)

// isolateAWS gives the SDK an empty home and no credentials, region or
// instance metadata, as on a fresh machine.
func isolateAWS(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if err := os.WriteFile(filepath.Join(home, "config"), []byte("[profile dev]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// TestAWSFailuresAreOneActionableLine runs commands the way a user without
// (working) AWS access does and reads stderr: one line that says what
// failed and what to do, not the SDK's chain.
func TestAWSFailuresAreOneActionableLine(t *testing.T) {
	srv := gwtest.Start(t) // before HOME moves: the harness builds versitygw into the user cache
	isolateAWS(t)
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"unknown profile", nil, []string{"--profile", "prod", "--aws", "query", "SELECT 1"}, []string{`AWS profile "prod"`, "--profile"}},
		{"no credentials", nil, []string{"--profile", "dev", "--aws", "query", "--database", "d", "SELECT 1"}, []string{"no AWS credentials", "aws sso login --profile dev"}},
		{"no such bucket", map[string]string{"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey, "AWS_REGION": srv.Region},
			[]string{"--endpoint-url", srv.Endpoint, "table", "read", "s3://no-such-bucket/tables/x"}, []string{"bucket does not exist", "--lake"}},
		{"unreachable endpoint", map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_REGION": "eu-west-1"},
			[]string{"--endpoint-url", "http://127.0.0.1:1", "table", "read", "s3://b/t"}, []string{"cannot reach 127.0.0.1:1", "connection refused"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, stderr, code := run(t, c.args...)
			if code != ExitFail {
				t.Errorf("exit %d, want %d", code, ExitFail)
			}
			line := strings.TrimSpace(stderr)
			if strings.Contains(line, "\n") || len(line) > 400 {
				t.Errorf("stderr is not one short line: %q", stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q does not say %q", line, w)
				}
			}
			if strings.Contains(line, "failed to refresh cached credentials") || strings.Contains(line, "operation error") {
				t.Errorf("stderr carries the SDK chain: %q", line)
			}
		})
	}
}

// recorded serves one recorded AWS error answer (from aws/awserr's
// testdata, in the service's wire format) to every request.
func recorded(t *testing.T, file, contentType string, status int) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("../../aws/awserr/testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestEveryAWSFailureThroughTheCLI runs each failure awserr knows through
// the real command tree and the real SDK chain — versitygw for S3,
// recorded answers for Athena, Glue and Step Functions, the SDK's own
// configuration loading for profiles, regions and SSO — and reads stderr:
// one short line naming what failed and what to do, with the profile.
func TestEveryAWSFailureThroughTheCLI(t *testing.T) {
	gw := gwtest.Start(t) // before HOME moves: the harness builds versitygw into the user cache
	home := isolateAWS(t)
	ssoConfig := "[profile dev]\nregion = eu-west-1\n[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n" +
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
	if err := os.WriteFile(filepath.Join(home, "config"), []byte(ssoConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secretexample", "AWS_REGION": "eu-west-1"}
	athenaJSON, sfnJSON := "application/x-amz-json-1.1", "application/x-amz-json-1.0"
	gwKeys := map[string]string{"AWS_ACCESS_KEY_ID": gw.AccessKey, "AWS_SECRET_ACCESS_KEY": gw.SecretKey, "AWS_REGION": gw.Region}
	// A lake in S3 with tables, for Glue to register.
	glueLake := "s3://" + gw.Bucket + "/glue-lake"
	store := gw.NewStore(t, "glue-lake")
	if err := store.Put(context.Background(), "bronze_layer/products.csv", strings.NewReader("product_id,department_id,department,product_name\n1,4,Books,A\n")); err != nil {
		t.Fatal(err)
	}
	for k, v := range gwKeys {
		t.Setenv(k, v)
	}
	if _, stderr, code := runEnv(t, gwKeys, "--lake", glueLake, "--endpoint-url", gw.Endpoint, "run", "--quiet"); code != ExitOK {
		t.Fatalf("load the S3 lake: %s", stderr)
	}
	for k := range gwKeys {
		t.Setenv(k, "") // each case sets what it has
	}
	// Profile dev has keys (AWS answers that they expired); profile sso has an SSO session never started.
	if err := os.WriteFile(filepath.Join(home, "credentials"), []byte("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = secretexample\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"no region", map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"},
			[]string{"--aws", "query", "--database", "d", "SELECT 1"}, []string{"Athena StartQueryExecution", "no AWS region", "--region"}},
		{"unknown profile", nil, []string{"--profile", "prod", "--aws", "flow", "ls"}, []string{`AWS profile "prod"`, "--profile"}},
		{"no credentials", nil, []string{"--aws", "flow", "ls"}, []string{"no AWS credentials", "aws sso login"}},
		{"SSO session expired", nil, []string{"--profile", "sso", "--aws", "query", "SELECT 1"}, []string{"SSO session", "aws sso login --profile sso"}},
		{"expired credentials", map[string]string{"AWS_ENDPOINT_URL": recorded(t, "athena-expired-token.json", athenaJSON, 400).URL},
			[]string{"--profile", "dev", "--aws", "query", "SELECT 1"}, []string{"Athena StartQueryExecution", "expired", "aws sso login --profile dev"}},
		{"unknown credentials (Glue)", with(gwKeys, "AWS_ENDPOINT_URL_GLUE", recorded(t, "glue-unrecognized-client.json", athenaJSON, 400).URL),
			[]string{"--lake", glueLake, "--endpoint-url", gw.Endpoint, "table", "register", "--catalog", "glue", "--database", "lakeops"},
			[]string{"Glue GetTable", "does not recognise these credentials"}},
		{"unknown access key (S3)", with(keys, "AWS_ACCESS_KEY_ID", "AKIDUNKNOWN", "AWS_REGION", gw.Region),
			[]string{"--endpoint-url", gw.Endpoint, "table", "read", "s3://" + gw.Bucket + "/tables/x"}, []string{"does not recognise these credentials"}},
		{"bad signature (S3)", with(keys, "AWS_ACCESS_KEY_ID", gw.AccessKey, "AWS_REGION", gw.Region),
			[]string{"--endpoint-url", gw.Endpoint, "table", "read", "s3://" + gw.Bucket + "/tables/x"}, []string{"signature", "secret key"}},
		{"access denied (S3)", with(keys),
			[]string{"--endpoint-url", recorded(t, "s3-access-denied.xml", "application/xml", 403).URL, "table", "read", "s3://b/tables/x"},
			[]string{"access denied", "s3:"}},
		{"access denied (Step Functions)", with(keys, "AWS_ENDPOINT_URL", recorded(t, "sfn-access-denied.json", sfnJSON, 400).URL),
			[]string{"--aws", "flow", "start", "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops"}, []string{"SFN StartExecution", "access denied", "states:StartExecution"}},
		{"access denied (Athena)", with(keys, "AWS_ENDPOINT_URL", recorded(t, "athena-access-denied.json", athenaJSON, 400).URL),
			[]string{"--aws", "query", "SELECT 1"}, []string{"Athena StartQueryExecution", "access denied", "athena:StartQueryExecution"}},
		{"no such bucket", gwKeys,
			[]string{"--endpoint-url", gw.Endpoint, "--lake", "s3://no-such-bucket/lake", "run"}, []string{"bucket does not exist", "--lake"}},
		{"unreachable endpoint", with(keys),
			[]string{"--endpoint-url", "http://127.0.0.1:1", "table", "read", "s3://b/t"}, []string{"cannot reach 127.0.0.1:1", "connection refused"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, stderr, code := runEnv(t, c.env, c.args...)
			if code != ExitFail {
				t.Errorf("exit %d, want %d", code, ExitFail)
			}
			line := strings.TrimSpace(stderr)
			if strings.Contains(line, "\n") || len(line) > 400 {
				t.Errorf("stderr is not one short line: %q", stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q does not say %q", line, w)
				}
			}
			for _, bad := range []string{"failed to refresh cached credentials", "operation error", "https response error", "secretexample", gw.SecretKey} {
				if strings.Contains(line, bad) {
					t.Errorf("stderr carries %q: %q", bad, line)
				}
			}
		})
	}
}
