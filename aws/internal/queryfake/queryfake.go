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
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lakeops/lakeops/aws/internal/awsfake"
)

// Reply is one scripted answer: the Action it expects (Op) and the
// recorded response to send.
type Reply = awsfake.Reply

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
	*awsfake.Script[Call]
}

// New starts a fake service for the test; version is the API version the
// requests must carry.
func New(t *testing.T, version string, script ...Reply) *Service {
	t.Helper()
	f := &Service{t: t, version: version, Script: awsfake.NewScript[Call](t, script...)}
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
	awsfake.CheckSigned(t, r, action)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		t.Errorf("%s: Content-Type %q, want application/x-www-form-urlencoded", action, ct)
	}
	if v := form.Get("Version"); v != f.version {
		t.Errorf("%s: Version %q, want %s", action, v, f.version)
	}
	resp, status, ok := f.Take(action, Call{Action: action, Form: form})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", "5d6c3b2a-1f0e-4d9c-8b7a-6e5f4d3c2b1a")
	if !ok {
		resp = []byte(`<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>script used up</Message></Error></ErrorResponse>`)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// Config points an SDK client at the fake service, with static credentials
// and no retries.
func (f *Service) Config() aws.Config {
	return awsfake.TestConfig("eu-west-1", f.srv.URL, f.srv.Client())
}

// URL is the service's endpoint.
func (f *Service) URL() string { return f.srv.URL }

// Requests returns the calls received so far.
func (f *Service) Requests() []Call { return f.Calls() }

// Actions lists the actions received so far, in order.
func (f *Service) Actions() []string {
	var out []string
	for _, c := range f.Requests() {
		out = append(out, c.Action)
	}
	return out
}
