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
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	*Script[Call]
}

// New starts a fake service for the test; contentType is the protocol's
// ("application/x-amz-json-1.0" or "-1.1").
func New(t *testing.T, prefix, contentType string, script ...Reply) *Service {
	t.Helper()
	f := &Service{t: t, prefix: prefix, ctype: contentType, Script: NewScript[Call](t, script...)}
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
	CheckSigned(t, r, target)
	if ct := r.Header.Get("Content-Type"); ct != f.ctype {
		t.Errorf("%s: Content-Type %q, want %s", target, ct, f.ctype)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Errorf("%s: request body is not a JSON object: %v: %s", target, err, raw)
	}
	op, ok := strings.CutPrefix(target, f.prefix)
	if !ok {
		t.Errorf("X-Amz-Target %q does not start with %q", target, f.prefix)
	}
	resp, status, ok := f.Take(op, Call{Op: op, Body: body})
	if !ok {
		http.Error(w, `{"__type":"InternalServerException","Message":"script used up"}`, status)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("X-Amzn-Requestid", "7f6a3a52-2bb0-4c1e-9a54-6d2b3c4e5f60")
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// Config points an SDK client at the fake service, with static credentials
// and no retries.
func (f *Service) Config() aws.Config { return TestConfig("us-east-1", f.srv.URL, f.srv.Client()) }

// Requests returns the calls received so far.
func (f *Service) Requests() []Call { return f.Calls() }

// Ops lists the operations received so far, in order.
func (f *Service) Ops() []string {
	var ops []string
	for _, c := range f.Requests() {
		ops = append(ops, c.Op)
	}
	return ops
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
