package awsfake

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Script is what every protocol's fake shares: the scripted replies, the
// calls received (C is the protocol's decoded request), and the check that
// no reply was left unused.
type Script[C any] struct {
	t       *testing.T
	mu      sync.Mutex
	replies []Reply
	calls   []C
}

// NewScript starts a script of replies for the test.
func NewScript[C any](t *testing.T, replies ...Reply) *Script[C] {
	return &Script[C]{t: t, replies: replies}
}

// Take records a call of operation op and returns the recorded response
// of the next scripted reply and its status; ok is false (and the test
// fails) when the script is used up.
func (s *Script[C]) Take(op string, call C) (resp []byte, status int, ok bool) {
	s.mu.Lock()
	s.calls = append(s.calls, call)
	var next Reply
	if len(s.replies) > 0 {
		next, s.replies = s.replies[0], s.replies[1:]
	}
	s.mu.Unlock()
	if next.Op == "" {
		s.t.Errorf("unexpected %s: the script is used up", op)
		return nil, http.StatusInternalServerError, false
	}
	if next.Op != op {
		s.t.Errorf("got %s, want %s", op, next.Op)
	}
	resp, err := os.ReadFile(filepath.Join("testdata", next.File))
	if err != nil {
		s.t.Errorf("recorded response: %v", err)
	}
	status = next.Status
	if status == 0 {
		status = http.StatusOK
	}
	return resp, status, true
}

// Calls returns the calls received so far.
func (s *Script[C]) Calls() []C {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]C(nil), s.calls...)
}

// Done fails the test if scripted replies were left unused.
func (s *Script[C]) Done() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.replies {
		s.t.Errorf("scripted %s (%s) was never requested", r.Op, r.File)
	}
}

// CheckSigned fails the test unless r is a POST to / signed with the
// static test credentials of TestConfig; what names the request.
func CheckSigned(t *testing.T, r *http.Request, what string) {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("%s: request %s %s, want POST /", what, r.Method, r.URL.Path)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDLAKEOPSTEST/") {
		t.Errorf("%s: request not signed with the static test credentials: %q", what, auth)
	}
}

// TestConfig points an SDK client at a fake service's server, with static
// test credentials and no retries.
func TestConfig(region, url string, client *http.Client) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLAKEOPSTEST", "not-a-secret", ""),
		BaseEndpoint:     aws.String(url),
		HTTPClient:       client,
		RetryMaxAttempts: 1,
	}
}
