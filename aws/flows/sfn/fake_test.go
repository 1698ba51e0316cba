package sfn

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// reply is one scripted answer of the fake service: the operation it expects
// (the X-Amz-Target after "AWSStepFunctions.") and the recorded response to send.
type reply struct {
	op     string
	file   string // under testdata/
	status int    // 0 means 200
}

// call is one request the client sent.
type call struct {
	op   string
	body map[string]any
}

// fakeService plays the AWS JSON 1.0 protocol: it checks each request's
// method, path, content type, target and signature, records the request body
// and answers with the next scripted reply.
type fakeService struct {
	t      *testing.T
	prefix string // "AWSStepFunctions."
	srv    *httptest.Server

	mu     sync.Mutex
	script []reply
	calls  []call
}

func newFakeService(t *testing.T, prefix string, script ...reply) *fakeService {
	t.Helper()
	f := &fakeService{t: t, prefix: prefix, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeService) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read request body: %v", err)
	}
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("%s: request %s %s, want POST /", target, r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		t.Errorf("%s: Content-Type %q, want application/x-amz-json-1.0", target, ct)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDLAKEOPSTEST/") {
		t.Errorf("%s: request not signed with the static test credentials: %q", target, auth)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Errorf("%s: request body is not a JSON object: %v: %s", target, err, raw)
	}
	op, ok := strings.CutPrefix(target, f.prefix)
	if !ok {
		t.Errorf("X-Amz-Target %q does not start with %q", target, f.prefix)
	}

	f.mu.Lock()
	f.calls = append(f.calls, call{op: op, body: body})
	var next reply
	if len(f.script) > 0 {
		next, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()

	if next.op == "" {
		t.Errorf("unexpected %s: the script is used up", op)
		http.Error(w, `{"__type":"InternalServerException","Message":"script used up"}`, http.StatusInternalServerError)
		return
	}
	if next.op != op {
		t.Errorf("got %s, want %s", op, next.op)
	}
	resp, err := os.ReadFile(filepath.Join("testdata", next.file))
	if err != nil {
		t.Errorf("recorded response: %v", err)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", "7f6a3a52-2bb0-4c1e-9a54-6d2b3c4e5f60")
	status := next.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// config points an SDK client at the fake service, with static credentials
// and no retries.
func (f *fakeService) config() aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLAKEOPSTEST", "not-a-secret", ""),
		BaseEndpoint:     aws.String(f.srv.URL),
		HTTPClient:       f.srv.Client(),
		RetryMaxAttempts: 1,
	}
}

// requests returns the calls received so far.
func (f *fakeService) requests() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// ops lists the operations received so far, in order.
func (f *fakeService) ops() []string {
	var ops []string
	for _, c := range f.requests() {
		ops = append(ops, c.op)
	}
	return ops
}

// done fails the test if scripted replies were left unused.
func (f *fakeService) done() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.script {
		f.t.Errorf("scripted %s (%s) was never requested", r.op, r.file)
	}
}

// field walks a decoded JSON body: field(b, "executionStartedEventDetails", "input").
func field(body map[string]any, path ...string) any {
	var cur any = body
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}
