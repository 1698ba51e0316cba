package faults_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/faults"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/s3store"
)

// attempts is the SDK standard retryer's default: one try and two retries.
const attempts = retry.DefaultMaxAttempts

// env is one store behind its own proxy, on a shared versitygw.
type env struct {
	p      *faults.Proxy
	s      *s3store.Store
	secret string
}

// newEnv puts a fresh proxy in front of srv and returns a store (empty prefix,
// two keys per list page) that talks through it with the SDK's standard
// retryer, its backoff capped at a few milliseconds to keep tests fast.
func newEnv(t *testing.T, srv *gwtest.Server) *env {
	t.Helper()
	p := faults.New(srv.Endpoint)
	t.Cleanup(p.Close)
	o := srv.Options(gwtest.UniquePrefix())
	o.EndpointURL = p.URL()
	o.PageSize = 2
	o.S3Options = append(o.S3Options, func(so *s3.Options) {
		so.Retryer = retry.NewStandard(func(ro *retry.StandardOptions) {
			ro.MaxBackoff = 5 * time.Millisecond
		})
	})
	s, err := s3store.NewFromConfig(srv.Config(), o)
	if err != nil {
		t.Fatal(err)
	}
	return &env{p: p, s: s, secret: srv.SecretKey}
}

// put writes key directly (no fault programmed yet) and resets the counts.
func (e *env) put(t *testing.T, key, data string) {
	t.Helper()
	if err := e.s.Put(t.Context(), key, strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	e.p.Reset()
}

// wantRequests checks the proxy saw n requests, f of them faulted.
func (e *env) wantRequests(t *testing.T, n, f int) {
	t.Helper()
	if got, gotF := e.p.Requests(), e.p.Faulted(); got != n || gotF != f {
		t.Errorf("proxy saw %d requests (%d faulted), want %d (%d faulted): %+v", got, gotF, n, f, e.p.Seen())
	}
}

// wantOneClearError checks err is one *storage.Error for op and key whose text
// names want (a code and a status, say) exactly once each, and no secret.
func (e *env) wantOneClearError(t *testing.T, err error, op, key string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s %s: no error", op, key)
	}
	t.Logf("%s error: %v", op, err)
	var se *storage.Error
	if !errors.As(err, &se) || se.Op != op || se.Key != key {
		t.Errorf("error %v (%T) is not a *storage.Error for %s %s", err, err, op, key)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, key) {
		t.Errorf("error %q does not name the key %q", msg, key)
	}
	for _, w := range want {
		if n := strings.Count(msg, w); n != 1 {
			t.Errorf("error %q names %q %d times, want once", msg, w, n)
		}
	}
	if strings.Contains(msg, e.secret) {
		t.Errorf("error contains the secret key: %q", msg)
	}
}

// TestFaults runs every fault test on one versitygw, each through its own proxy.
func TestFaults(t *testing.T) {
	srv := gwtest.Start(t)
	t.Run("TransientRetried", func(t *testing.T) { testTransientRetried(t, srv) })
	t.Run("PutIfAbsentResponseLost", func(t *testing.T) { testPutIfAbsentResponseLost(t, srv) })
	t.Run("PersistentSurfaced", func(t *testing.T) { testPersistentSurfaced(t, srv) })
	t.Run("ExpiredCredentials", func(t *testing.T) { testExpiredCredentials(t, srv) })
	t.Run("WrongKeys", func(t *testing.T) { testWrongKeys(t, srv) })
	t.Run("DroppedConnections", func(t *testing.T) { testDroppedConnections(t, srv) })
	t.Run("Latency", func(t *testing.T) { testLatency(t, srv) })
}

// testTransientRetried: faults that stop before the retryer gives up (two
// faulted attempts, then success on the third) are invisible to the caller.
func testTransientRetried(t *testing.T, srv *gwtest.Server) {
	faultsOf := map[string]faults.S3Error{
		"SlowDown":      faults.SlowDown(),
		"InternalError": faults.InternalError(),
		"Throttled429":  faults.Throttled(),
	}
	for name, fe := range faultsOf {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, srv)
			ctx := t.Context()
			n := attempts - 1

			e.p.Fail(faults.Method(http.MethodPut), n, fe)
			if err := e.s.Put(ctx, "a/put.txt", strings.NewReader("put")); err != nil {
				t.Fatalf("Put: %v", err)
			}
			e.wantRequests(t, n+1, n)

			e.p.Reset()
			e.p.Fail(faults.Method(http.MethodPut), n, fe)
			if err := e.s.PutIfAbsent(ctx, "a/commit.json", []byte("commit")); err != nil {
				t.Fatalf("PutIfAbsent: %v", err)
			}
			e.wantRequests(t, n+1, n)

			e.p.Reset()
			e.p.Fail(faults.Method(http.MethodGet), n, fe)
			b, err := storage.ReadAll(ctx, e.s, "a/put.txt")
			if err != nil || string(b) != "put" {
				t.Fatalf("ReadAll = %q, %v", b, err)
			}
			e.wantRequests(t, n+1, n)

			// HEAD answers carry no body: the SDK retries by status alone.
			e.p.Reset()
			e.p.Fail(faults.Method(http.MethodHead), n, fe)
			info, err := e.s.Stat(ctx, "a/put.txt")
			if err != nil || info.Size != 3 {
				t.Fatalf("Stat = %+v, %v", info, err)
			}
			e.wantRequests(t, n+1, n)

			// Five keys, two per page: three list requests, each faulted
			// twice before it passes.
			e.p.Reset()
			for _, k := range []string{"l/1", "l/2", "l/3", "l/4", "l/5"} {
				e.put(t, k, k)
			}
			list := faults.Query(http.MethodGet, "list-type")
			var got []string
			e.p.Fail(list, n, fe)
			for info, err := range e.s.List(ctx, "l/", storage.ListOptions{}) {
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				got = append(got, info.Key)
				if len(got)%2 == 0 {
					e.p.Fail(list, n, fe) // the next page meets the fault afresh
				}
			}
			if strings.Join(got, ",") != "l/1,l/2,l/3,l/4,l/5" {
				t.Errorf("List = %v", got)
			}
			e.wantRequests(t, 3*(n+1), 3*n)
		})
	}
}

// testPutIfAbsentResponseLost: PutIfAbsent's write lands but its answer is
// lost (a 5xx or a dropped connection after the server acted), so the SDK
// retries and the retry meets 412 Precondition Failed on the caller's own
// object. The store must not report that as ErrExists.
func testPutIfAbsentResponseLost(t *testing.T, srv *gwtest.Server) {
	e := newEnv(t, srv)
	ctx := t.Context()
	e.p.LoseResponse(faults.Method(http.MethodPut), 1)
	err := e.s.PutIfAbsent(ctx, "_delta_log/00000000000000000000.json", []byte("commit 0"))
	t.Logf("PutIfAbsent with its answer lost: %v (requests %+v)", err, e.p.Seen())
	if err != nil {
		t.Errorf("PutIfAbsent whose first attempt landed = %v, want success", err)
	}
	// The lost PUT, its retry (412), and the GET that checks the object is ours.
	e.wantRequests(t, 3, 1)
	b, rerr := storage.ReadAll(ctx, e.s, "_delta_log/00000000000000000000.json")
	if rerr != nil || string(b) != "commit 0" {
		t.Errorf("content = %q, %v", b, rerr)
	}

	// Another writer's commit is still a conflict, retried or not.
	e.p.Reset()
	e.p.LoseResponse(faults.Method(http.MethodPut), 1)
	if err := e.s.PutIfAbsent(ctx, "_delta_log/00000000000000000000.json", []byte("commit 0 by another")); !errors.Is(err, storage.ErrExists) {
		t.Errorf("PutIfAbsent on another writer's object = %v, want ErrExists", err)
	}
	if err := e.s.PutIfAbsent(ctx, "_delta_log/00000000000000000000.json", []byte("commit 0")); !errors.Is(err, storage.ErrExists) {
		t.Errorf("PutIfAbsent without retry on an equal object = %v, want ErrExists", err)
	}
}

// testPersistentSurfaced: faults that outlast the retries give one error that
// names the operation, the key, the status and the code, once.
func testPersistentSurfaced(t *testing.T, srv *gwtest.Server) {
	e := newEnv(t, srv)
	ctx := t.Context()
	e.put(t, "p/obj", "data")

	e.p.Fail(faults.Any, faults.Forever, faults.SlowDown())
	err := e.s.Put(ctx, "p/new", strings.NewReader("x"))
	e.wantOneClearError(t, err, "put", "p/new", "SlowDown", "503")
	e.wantRequests(t, attempts, attempts)

	e.p.Reset()
	e.p.Fail(faults.Any, faults.Forever, faults.InternalError())
	err = e.s.PutIfAbsent(ctx, "p/commit", []byte("c"))
	e.wantOneClearError(t, err, "put-if-absent", "p/commit", "InternalError", "500")
	if errors.Is(err, storage.ErrExists) {
		t.Error("a 500 reads as ErrExists")
	}
	e.wantRequests(t, attempts, attempts)

	e.p.Reset()
	e.p.Fail(faults.Any, faults.Forever, faults.SlowDown())
	_, err = e.s.Open(ctx, "p/obj", 0, -1)
	e.wantOneClearError(t, err, "open", "p/obj", "SlowDown", "503")
	e.wantRequests(t, attempts, attempts)

	e.p.Reset()
	e.p.Fail(faults.Any, faults.Forever, faults.SlowDown())
	_, err = e.s.Stat(ctx, "p/obj")
	e.wantOneClearError(t, err, "stat", "p/obj", "503")
	e.wantRequests(t, attempts, attempts)

	e.p.Reset()
	e.p.Fail(faults.Any, faults.Forever, faults.SlowDown())
	var errs []error
	for _, err := range e.s.List(ctx, "p/", storage.ListOptions{}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 {
		t.Fatalf("List yielded %d errors, want 1: %v", len(errs), errs)
	}
	e.wantOneClearError(t, errs[0], "list", "p/", "SlowDown", "503")
	e.wantRequests(t, attempts, attempts)
}

// testExpiredCredentials: 403 ExpiredToken on every request is not retried and
// gives one actionable message, without the secret.
func testExpiredCredentials(t *testing.T, srv *gwtest.Server) {
	e := newEnv(t, srv)
	ctx := t.Context()
	e.put(t, "c/obj", "data")
	e.p.ExpireCredentials()

	err := e.s.Put(ctx, "c/new", strings.NewReader("x"))
	e.wantOneClearError(t, err, "put", "c/new", "ExpiredToken", "The provided token has expired", "aws sso login")
	e.wantRequests(t, 1, 1)

	e.p.Reset()
	e.p.ExpireCredentials()
	err = e.s.PutIfAbsent(ctx, "c/commit", []byte("c"))
	e.wantOneClearError(t, err, "put-if-absent", "c/commit", "ExpiredToken", "aws sso login")

	_, err = storage.ReadAll(ctx, e.s, "c/obj")
	e.wantOneClearError(t, err, "open", "c/obj", "ExpiredToken", "aws sso login")

	// HEAD has no body: only the status tells; the message still says what to do.
	_, err = e.s.Stat(ctx, "c/obj")
	e.wantOneClearError(t, err, "stat", "c/obj", "403", "credentials may have expired")

	for _, err := range e.s.List(ctx, "c/", storage.ListOptions{}) {
		e.wantOneClearError(t, err, "list", "c/", "ExpiredToken", "aws sso login")
	}
	e.wantRequests(t, 4, 4) // never retried
}

// testDroppedConnections: connections closed without an answer are retried,
// and when every attempt is dropped the caller gets one error.
func testDroppedConnections(t *testing.T, srv *gwtest.Server) {
	e := newEnv(t, srv)
	ctx := t.Context()
	n := attempts - 1

	e.p.Drop(faults.Method(http.MethodPut), n)
	data := bytes.Repeat([]byte("d"), 100<<10)
	if err := e.s.Put(ctx, "d/obj", bytes.NewReader(data)); err != nil {
		t.Fatalf("Put through %d dropped connections: %v", n, err)
	}
	e.wantRequests(t, n+1, n)

	e.p.Reset()
	e.p.Drop(faults.Method(http.MethodPut), n)
	if err := e.s.PutIfAbsent(ctx, "d/commit", []byte("c")); err != nil {
		t.Fatalf("PutIfAbsent through %d dropped connections: %v", n, err)
	}
	e.wantRequests(t, n+1, n)

	// GET and HEAD are idempotent: Go's transport may itself replay one on a
	// reused connection closed without an answer, so the proxy may see more
	// requests than SDK attempts.
	e.p.Reset()
	e.p.Drop(faults.Method(http.MethodGet), n)
	b, err := storage.ReadAll(ctx, e.s, "d/obj")
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("ReadAll through %d dropped connections: %d bytes, %v", n, len(b), err)
	}
	if e.p.Faulted() != n || e.p.Requests() != n+1 {
		t.Logf("GET: %d requests, %d dropped", e.p.Requests(), e.p.Faulted())
	}

	e.p.Reset()
	e.p.Drop(faults.Any, faults.Forever)
	err = e.s.Put(ctx, "d/other", strings.NewReader("x"))
	e.wantOneClearError(t, err, "put", "d/other", "exceeded maximum number of attempts")
	e.wantRequests(t, attempts, attempts)

	e.p.Reset()
	e.p.Drop(faults.Any, faults.Forever)
	_, err = e.s.Open(ctx, "d/obj", 0, -1)
	e.wantOneClearError(t, err, "open", "d/obj", "exceeded maximum number of attempts")
	t.Logf("GET dropped for good: %d requests", e.p.Requests())
}

// testLatency: added latency delays requests but changes nothing else.
func testLatency(t *testing.T, srv *gwtest.Server) {
	e := newEnv(t, srv)
	e.put(t, "l/obj", "data")
	const d = 50 * time.Millisecond
	e.p.Delay(faults.Method(http.MethodGet), d)
	start := time.Now()
	rc, err := e.s.Open(t.Context(), "l/obj", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if took := time.Since(start); took < d || err != nil || string(b) != "data" {
		t.Errorf("Open with %v latency: %q, %v after %v", d, b, err, took)
	}
	e.wantRequests(t, 1, 0)
}

// testWrongKeys: a wrong secret or an unknown access key (answered by
// versitygw itself) gives one actionable line that never shows the secret.
func testWrongKeys(t *testing.T, srv *gwtest.Server) {
	p := faults.New(srv.Endpoint)
	t.Cleanup(p.Close)
	for _, c := range []struct {
		name, access, secret, want string
	}{
		{"WrongSecret", srv.AccessKey, "wrong-secret-" + srv.SecretKey[:8], "rejected the request signature"},
		{"UnknownAccessKey", "AKUNKNOWN0000000000", "other-secret-0123456789", "does not recognise these credentials"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := srv.Options(gwtest.UniquePrefix())
			o.EndpointURL = p.URL()
			o.AccessKey, o.SecretKey = c.access, c.secret
			s, err := s3store.NewFromConfig(srv.Config(), o)
			if err != nil {
				t.Fatal(err)
			}
			p.Reset()
			err = s.Put(t.Context(), "k/obj", strings.NewReader("x"))
			e := &env{p: p, s: s, secret: c.secret}
			e.wantOneClearError(t, err, "put", "k/obj", c.want)
			if strings.Contains(err.Error(), srv.SecretKey) {
				t.Errorf("error contains the server's secret key: %v", err)
			}
			e.wantRequests(t, 1, 0) // not retried
		})
	}
}
