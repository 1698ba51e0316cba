// Package awsfake is a test double for AWS JSON-protocol services (Athena,
// Glue, Step Functions): an HTTP server that checks each request's method,
// path, content type, X-Amz-Target and signature, records the body, and
// answers with recorded responses from the caller's testdata folder. It is
// for protocol tests only.
package awsfake

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

// Reply is one scripted answer of the fake service: the operation it expects
// (the X-Amz-Target after the service prefix) and the recorded response to send.
type Reply struct {
	Op     string
	File   string // under testdata/
	Status int    // 0 means 200
}

// Call is one request the client sent.
type Call struct {
	Op   string
	Body map[string]any
}

// Service plays an AWS JSON protocol (1.0 or 1.1): it checks each request's
// method, path, content type, target and signature, records the request body
// and answers with the next scripted reply.
type Service struct {
	t      *testing.T
	prefix string // e.g. "AmazonAthena."
	ctype  string // e.g. "application/x-amz-json-1.1"
	srv    *httptest.Server

	mu     sync.Mutex
	script []Reply
	calls  []Call
}

// New starts a fake service for the test; contentType is the protocol's
// ("application/x-amz-json-1.0" or "-1.1").
func New(t *testing.T, prefix, contentType string, script ...Reply) *Service {
	t.Helper()
	f := &Service{t: t, prefix: prefix, ctype: contentType, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *Service) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read request body: %v", err)
	}
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("%s: request %s %s, want POST /", target, r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != f.ctype {
		t.Errorf("%s: Content-Type %q, want %s", target, ct, f.ctype)
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
	f.calls = append(f.calls, Call{Op: op, Body: body})
	var next Reply
	if len(f.script) > 0 {
		next, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()

	if next.Op == "" {
		t.Errorf("unexpected %s: the script is used up", op)
		http.Error(w, `{"__type":"InternalServerException","Message":"script used up"}`, http.StatusInternalServerError)
		return
	}
	if next.Op != op {
		t.Errorf("got %s, want %s", op, next.Op)
	}
	resp, err := os.ReadFile(filepath.Join("testdata", next.File))
	if err != nil {
		t.Errorf("recorded response: %v", err)
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("X-Amzn-Requestid", "7f6a3a52-2bb0-4c1e-9a54-6d2b3c4e5f60")
	status := next.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// Config points an SDK client at the fake service, with static credentials
// and no retries.
func (f *Service) Config() aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLAKEOPSTEST", "not-a-secret", ""),
		BaseEndpoint:     aws.String(f.srv.URL),
		HTTPClient:       f.srv.Client(),
		RetryMaxAttempts: 1,
	}
}

// Requests returns the calls received so far.
func (f *Service) Requests() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Ops lists the operations received so far, in order.
func (f *Service) Ops() []string {
	var ops []string
	for _, c := range f.Requests() {
		ops = append(ops, c.Op)
	}
	return ops
}

// Done fails the test if scripted replies were left unused.
func (f *Service) Done() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.script {
		f.t.Errorf("scripted %s (%s) was never requested", r.Op, r.File)
	}
}

// Field walks a decoded JSON body: Field(b, "QueryExecutionContext", "Database").
func Field(body map[string]any, path ...string) any {
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
