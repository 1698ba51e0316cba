package cli

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
)

// TestSDKLogGoesThroughDebugOnly reads a table through a proxy in front of
// versitygw that drops the objects' checksums, so the SDK warns "Response
// has no supported checksum" (which its default logger prints on stderr):
// without --debug nothing of the SDK reaches stderr; with it, its requests
// and that line go through slog, credentials masked.
func TestSDKLogGoesThroughDebugOnly(t *testing.T) {
	gw := gwtest.Start(t)
	target, err := url.Parse(gw.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				r.Header.Del(k)
			}
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	store := gw.NewStore(t, "tables/decimal")
	src := filepath.Join(golden, "basic-decimal-table/delta")
	storagetest.PutDir(t, store, "", src)
	env := map[string]string{"AWS_ACCESS_KEY_ID": gw.AccessKey, "AWS_SECRET_ACCESS_KEY": gw.SecretKey, "AWS_REGION": gw.Region}
	for k, v := range env {
		t.Setenv(k, v)
	}
	uri := "s3://" + gw.Bucket + "/tables/decimal"
	out, stderr, code := runEnv(t, env, "--endpoint-url", srv.URL, "table", "read", uri)
	if code != ExitOK || !strings.HasPrefix(out, "part,col1,col2,col3\n") {
		t.Fatalf("exit %d %s\n%s", code, stderr, out)
	}
	if stderr != "" {
		t.Errorf("without --debug the SDK printed on stderr: %q", stderr)
	}
	out2, stderr, code := runEnv(t, env, "--endpoint-url", srv.URL, "table", "read", uri, "--debug")
	if code != ExitOK || out2 != out {
		t.Fatalf("--debug: exit %d, or other rows: %s", code, stderr)
	}
	for _, want := range []string{"level=DEBUG", "GET /" + gw.Bucket + "/tables/decimal", "HTTP/1.1 200", "source=aws-sdk", "no supported checksum"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--debug log lacks %q:\n%.2000s", want, stderr)
		}
	}
	for _, secret := range []string{gw.SecretKey, "Signature=", "Credential="} {
		if strings.Contains(stderr, secret) {
			t.Errorf("--debug log holds %q", secret)
		}
	}
}
