package cli

import (
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
