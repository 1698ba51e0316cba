package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/s3store"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
)

// TestS3 runs every S3 test against one versitygw server.
func TestS3(t *testing.T) {
	srv := gwtest.Start(t)
	t.Run("Suite", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.Store {
			o := srv.Options(gwtest.UniquePrefix())
			o.PageSize = 100 // many pages, quickly
			return open(t, srv, o)
		})
	})
	t.Run("NewFromEnvironment", func(t *testing.T) { testNewFromEnvironment(t, srv) })
	t.Run("NewWithProfile", func(t *testing.T) { testNewWithProfile(t, srv) })
	t.Run("Multipart", func(t *testing.T) { testMultipart(t, srv) })
	t.Run("ListIsLazy", func(t *testing.T) { testListIsLazy(t, srv) })
	t.Run("ConflictRetried", func(t *testing.T) { testConflictRetried(t, srv) })
	t.Run("FolderMarkersSkipped", func(t *testing.T) { testFolderMarkersSkipped(t, srv) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, srv) })
}

func open(t *testing.T, srv *gwtest.Server, o s3store.Options) *s3store.Store {
	t.Helper()
	s, err := s3store.NewFromConfig(srv.Config(), o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func roundTrip(t *testing.T, s storage.Store) {
	t.Helper()
	if err := s.Put(t.Context(), "hello/world.txt", strings.NewReader("hi")); err != nil {
		t.Fatal(err)
	}
	b, err := storage.ReadAll(t.Context(), s, "hello/world.txt")
	if err != nil || string(b) != "hi" {
		t.Fatalf("read back %q, %v", b, err)
	}
}

// isolateAWS points the SDK's files at an empty folder and clears AWS_* variables.
func isolateAWS(t *testing.T) string {
	dir := t.TempDir()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

// testNewFromEnvironment: credentials and endpoint from AWS_* variables; the
// endpoint variable must switch to path-style addressing.
func testNewFromEnvironment(t *testing.T, srv *gwtest.Server) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.Endpoint)
	s, err := s3store.New(t.Context(), s3store.Options{Bucket: srv.Bucket, Prefix: gwtest.UniquePrefix()})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s)
}

func testNewWithProfile(t *testing.T, srv *gwtest.Server) {
	dir := isolateAWS(t)
	config := "[profile other]\nregion = eu-west-1\n\n[profile gw]\nregion = us-east-1\n"
	creds := "[gw]\naws_access_key_id = " + srv.AccessKey + "\naws_secret_access_key = " + srv.SecretKey + "\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	prefix := gwtest.UniquePrefix()
	s, err := s3store.New(t.Context(), s3store.Options{Bucket: srv.Bucket, Prefix: prefix, Profile: "gw", EndpointURL: srv.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s)
	if want := "s3://" + srv.Bucket + "/" + prefix; s.URI() != want {
		t.Errorf("URI = %q, want %q", s.URI(), want)
	}
	if _, err := s3store.New(t.Context(), s3store.Options{Bucket: srv.Bucket, Profile: "missing"}); err == nil {
		t.Error("New with a missing profile: no error")
	}
}

// testMultipart: bodies over one part stream as multipart uploads.
func testMultipart(t *testing.T, srv *gwtest.Server) {
	o := srv.Options(gwtest.UniquePrefix())
	o.PartSize = 5 << 20
	s := open(t, srv, o)
	for _, size := range []int{5 << 20, 5<<20 + 1, 11<<20 + 3} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 7 % 251)
		}
		if err := s.Put(t.Context(), "big", iotest.OneByteReader(bytes.NewReader(data[:10]))); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(t.Context(), "big", io.MultiReader(bytes.NewReader(data))); err != nil {
			t.Fatalf("Put %d bytes: %v", size, err)
		}
		got, err := storage.ReadAll(t.Context(), s, "big")
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: read back %d bytes, %v", size, len(got), err)
		}
		oi, err := s.Stat(t.Context(), "big")
		if err != nil || oi.Size != int64(size) || oi.ETag == "" {
			t.Errorf("Stat = %+v, %v", oi, err)
		}
		if multipart := strings.Contains(oi.ETag, "-"); multipart != (size > 5<<20) {
			t.Errorf("%d bytes: ETag %q (multipart: %v)", size, oi.ETag, multipart)
		}
	}
	uploads, err := s.Client().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(srv.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Uploads) != 0 {
		t.Errorf("%d multipart uploads left open", len(uploads.Uploads))
	}
}

// countOps counts requests per S3 operation.
func countOps(counts map[string]*atomic.Int32) func(*s3.Options) {
	return func(so *s3.Options) {
		so.APIOptions = append(so.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countOps",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if c := counts[middleware.GetOperationName(ctx)]; c != nil {
						c.Add(1)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

// testListIsLazy: a page is fetched only when iteration reaches it.
func testListIsLazy(t *testing.T, srv *gwtest.Server) {
	var lists atomic.Int32
	o := srv.Options(gwtest.UniquePrefix())
	o.PageSize = 100
	o.S3Options = append(o.S3Options, countOps(map[string]*atomic.Int32{"ListObjectsV2": &lists}))
	s := open(t, srv, o)
	for i := range 250 {
		if err := s.Put(t.Context(), "k/"+strings.Repeat("x", i%7)+"-"+strconv.Itoa(i), strings.NewReader("")); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ stop, requests int }{{1, 1}, {100, 1}, {101, 2}, {250, 3}} {
		lists.Store(0)
		n := 0
		for _, err := range s.List(t.Context(), "k/", storage.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == tc.stop {
				break
			}
		}
		if got := int(lists.Load()); got != tc.requests {
			t.Errorf("stopping after %d keys made %d ListObjectsV2 requests, want %d", tc.stop, got, tc.requests)
		}
	}
}

// conflicting answers the first n conditional PUTs with 409 ConditionalRequestConflict.
type conflicting struct {
	inner s3.HTTPClient
	left  atomic.Int32
}

func (c *conflicting) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.Header.Get("If-None-Match") == "*" && c.left.Add(-1) >= 0 {
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ConditionalRequestConflict</Code><Message>conflict</Message></Error>`
		return &http.Response{StatusCode: 409, Status: "409 Conflict", Header: http.Header{"Content-Type": {"application/xml"}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	}
	return c.inner.Do(r)
}

func testConflictRetried(t *testing.T, srv *gwtest.Server) {
	fake := &conflicting{}
	o := srv.Options(gwtest.UniquePrefix())
	o.S3Options = append(o.S3Options, func(so *s3.Options) { fake.inner = so.HTTPClient; so.HTTPClient = fake })
	s := open(t, srv, o)
	fake.left.Store(2)
	if err := s.PutIfAbsent(t.Context(), "log/0.json", []byte("v0")); err != nil {
		t.Fatalf("PutIfAbsent after two conflicts: %v", err)
	}
	fake.left.Store(100)
	err := s.PutIfAbsent(t.Context(), "log/1.json", []byte("v1"))
	if err == nil || errors.Is(err, storage.ErrExists) || !strings.Contains(err.Error(), "ConditionalRequestConflict") {
		t.Errorf("PutIfAbsent under endless conflicts: %v", err)
	}
	fake.left.Store(0)
	if err := s.PutIfAbsent(t.Context(), "log/0.json", []byte("again")); !errors.Is(err, storage.ErrExists) {
		t.Errorf("PutIfAbsent of an existing key: %v", err)
	}
}

// testFolderMarkersSkipped: zero-byte "folder/" objects made by consoles are not listed.
func testFolderMarkersSkipped(t *testing.T, srv *gwtest.Server) {
	prefix := gwtest.UniquePrefix()
	s := open(t, srv, srv.Options(prefix))
	for _, k := range []string{prefix + "/", prefix + "/raw/", prefix + "/raw/sub/"} {
		if _, err := s.Client().PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(k), Body: strings.NewReader("")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(t.Context(), "raw/a.csv", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for oi, err := range s.List(t.Context(), "", storage.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, oi.Key)
	}
	if len(got) != 1 || got[0] != "raw/a.csv" {
		t.Errorf("List = %q, want only raw/a.csv", got)
	}
}

func testErrors(t *testing.T, srv *gwtest.Server) {
	o := srv.Options("p")
	o.SecretKey = "not-the-secret-" + srv.SecretKey[:4]
	s := open(t, srv, o)
	_, err := s.Stat(t.Context(), "k")
	var se *storage.Error
	if !errors.As(err, &se) || se.Op != "stat" || errors.Is(err, storage.ErrNotExist) {
		t.Errorf("Stat with a wrong secret: %v", err)
	}
	for _, secret := range []string{srv.SecretKey, o.SecretKey} {
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("error reveals a secret: %v", err)
		}
	}
	o = srv.Options("p")
	o.Bucket = "no-such-bucket"
	_, err = open(t, srv, o).Stat(t.Context(), "k")
	if err == nil || !strings.Contains(err.Error(), "s3://no-such-bucket/p/k") {
		t.Errorf("Stat in a missing bucket: %v", err)
	}
	for _, bad := range []s3store.Options{
		{},
		{Bucket: "b", Prefix: "a//b"},
		{Bucket: "b", EndpointURL: "localhost:9000"},
		{Bucket: "b", EndpointURL: "http://user:hunter2@host"},
		{Bucket: "b", PartSize: 1 << 20},
	} {
		_, err := s3store.NewFromConfig(srv.Config(), bad)
		if err == nil {
			t.Errorf("NewFromConfig(%+v): no error", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error reveals a password: %v", err)
		}
	}
	if s := open(t, srv, s3store.Options{Bucket: "b", Prefix: "/x/y/"}); s.URI() != "s3://b/x/y" {
		t.Errorf("URI = %q", s.URI())
	}
	if s := open(t, srv, s3store.Options{Bucket: "b"}); s.URI() != "s3://b" {
		t.Errorf("URI = %q", s.URI())
	}
}
