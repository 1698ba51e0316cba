// Package queryfake is a test double for AWS Query protocol services
// (CloudFormation): an HTTP server that checks each request's method, path,
// form-encoded body, Action, Version and signature, records the form, and
// answers with recorded XML responses from the caller's testdata folder.
// It is awsfake's sibling for the services that do not speak JSON, and is
// for protocol tests only.
package queryfake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Reply is one scripted answer: the Action it expects and the recorded
// response to send.
type Reply struct {
	Action string
	File   string // under testdata/
	Status int    // 0 means 200
}

// Call is one request the client sent.
type Call struct {
	Action string
	Form   url.Values
}

// Service plays one Query protocol API version.
type Service struct {
	t       *testing.T
	version string // e.g. "2010-05-15"
	srv     *httptest.Server

	mu     sync.Mutex
	script []Reply
	calls  []Call
}

// New starts a fake service for the test; version is the API version the
// requests must carry.
func New(t *testing.T, version string, script ...Reply) *Service {
	t.Helper()
	f := &Service{t: t, version: version, script: script}
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
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		t.Errorf("request body is not form-encoded: %v: %s", err, raw)
	}
	action := form.Get("Action")
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("%s: request %s %s, want POST /", action, r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		t.Errorf("%s: Content-Type %q, want application/x-www-form-urlencoded", action, ct)
	}
	if v := form.Get("Version"); v != f.version {
		t.Errorf("%s: Version %q, want %s", action, v, f.version)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDLAKEOPSTEST/") {
		t.Errorf("%s: request not signed with the static test credentials: %q", action, auth)
	}

	f.mu.Lock()
	f.calls = append(f.calls, Call{Action: action, Form: form})
	var next Reply
	if len(f.script) > 0 {
		next, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()

	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", "5d6c3b2a-1f0e-4d9c-8b7a-6e5f4d3c2b1a")
	if next.Action == "" {
		t.Errorf("unexpected %s: the script is used up", action)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>script used up</Message></Error></ErrorResponse>`)
		return
	}
	if next.Action != action {
		t.Errorf("got %s, want %s", action, next.Action)
	}
	resp, err := os.ReadFile(filepath.Join("testdata", next.File))
	if err != nil {
		t.Errorf("recorded response: %v", err)
	}
	status := next.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// Config points an SDK client at the fake service, with static credentials
// and no retries.
func (f *Service) Config() aws.Config {
	return aws.Config{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLAKEOPSTEST", "not-a-secret", ""),
		BaseEndpoint:     aws.String(f.srv.URL),
		HTTPClient:       f.srv.Client(),
		RetryMaxAttempts: 1,
	}
}

// URL is the service's endpoint.
func (f *Service) URL() string { return f.srv.URL }

// Requests returns the calls received so far.
func (f *Service) Requests() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Actions lists the actions received so far, in order.
func (f *Service) Actions() []string {
	var out []string
	for _, c := range f.Requests() {
		out = append(out, c.Action)
	}
	return out
}

// Done fails the test if scripted replies were left unused.
func (f *Service) Done() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.script {
		f.t.Errorf("scripted %s (%s) was never requested", r.Action, r.File)
	}
}
