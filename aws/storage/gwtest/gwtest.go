// Package gwtest runs a real S3 server for tests: versitygw (pinned as a Go
// tool in tools/go.mod, a module of its own) over a temporary folder, on a free loopback port, with a
// bucket ready. Tests that need S3 fail, never skip, when it cannot run.
//
// Typical use, one server per test function:
//
//	srv := gwtest.Start(t)
//	store := srv.NewStore(t, "") // a fresh, empty prefix
//
// or one per package, kept by the test package itself:
//
//	var srv *gwtest.Server // in the _test.go file
//
//	func TestMain(m *testing.M) {
//		var err error
//		if srv, err = gwtest.Launch(context.Background()); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		code := m.Run()
//		srv.Close()
//		os.Exit(code)
//	}
package gwtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakeops/lakeops/aws/storage/s3store"
)

// startTimeout bounds how long a started versitygw may take to answer.
const startTimeout = 30 * time.Second

// Server is a running versitygw with one bucket.
type Server struct {
	Endpoint  string // "http://127.0.0.1:PORT"
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	Dir       string // the posix root; the bucket is the folder Dir/Bucket

	cmd       *exec.Cmd
	exited    chan struct{} // closed when the process has exited
	output    *tailBuffer
	closeOnce sync.Once
	closeErr  error
}

// Start launches a server for the test and stops it (removing its folder) when
// the test ends. It fails the test if versitygw cannot be built or started.
func Start(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := Launch(ctx)
	if err != nil {
		t.Fatalf("gwtest: cannot run the versitygw S3 server that S3 tests need: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if out := s.Output(); out != "" {
				t.Logf("versitygw output:\n%s", out)
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("gwtest: %v", err)
		}
	})
	return s
}

// Launch builds versitygw if needed (see Binary) and starts it over a new
// temporary folder. The caller must Close the server.
func Launch(ctx context.Context) (*Server, error) {
	bin, err := Binary(ctx)
	if err != nil {
		return nil, err
	}
	var errs []error
	for range 3 { // the free port may be taken before versitygw binds it
		dir, err := os.MkdirTemp("", "lakeops-gw-")
		if err != nil {
			return nil, fmt.Errorf("gwtest: %w", err)
		}
		s, err := launch(ctx, bin, dir)
		if err == nil {
			return s, nil
		}
		os.RemoveAll(dir)
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func launch(ctx context.Context, bin, dir string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("gwtest: pick a port: %w", err)
	}
	s := &Server{
		Endpoint:  "http://" + addr,
		Bucket:    "lakeops-test",
		Region:    "us-east-1",
		AccessKey: "AK" + rand.Text()[:18],
		SecretKey: rand.Text(),
		Dir:       dir,
		exited:    make(chan struct{}),
		output:    &tailBuffer{max: 64 << 10},
	}
	s.cmd = exec.Command(bin, "--port", addr, "--region", s.Region, "--quiet", "posix", dir)
	s.cmd.Env = append(cleanEnv(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	s.cmd.Stdout, s.cmd.Stderr = s.output, s.output
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("gwtest: start %s: %w", bin, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.createBucket(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("gwtest: versitygw on %s: %w\nversitygw output:\n%s", addr, err, s.Output())
	}
	return s, nil
}

// createBucket retries CreateBucket until the server answers it.
func (s *Server) createBucket(ctx context.Context) error {
	client := s.Client()
	deadline := time.Now().Add(startTimeout)
	for {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.CreateBucket(rctx, &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)})
		cancel()
		if err == nil || strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("exited before answering (%v)", s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("create bucket: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %v: create bucket: %w", startTimeout, err)
		}
	}
}

// Close stops the server and removes its folder.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.cmd.Process != nil {
			s.cmd.Process.Kill()
			select {
			case <-s.exited:
			case <-time.After(10 * time.Second):
				s.closeErr = errors.New("versitygw did not exit after kill")
			}
		}
		if err := os.RemoveAll(s.Dir); err != nil {
			s.closeErr = errors.Join(s.closeErr, fmt.Errorf("remove server folder: %w", err))
		}
	})
	return s.closeErr
}

// Output is the tail of the server's stdout and stderr.
func (s *Server) Output() string { return s.output.String() }

// Config is an AWS config for the server (region, static credentials) that
// ignores the environment, so a developer's AWS settings cannot leak in.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:      s.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}
}

// Client is an S3 client for the server (path-style, static credentials).
func (s *Server) Client() *s3.Client {
	return s3.NewFromConfig(s.Config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
	})
}

// Options are s3store options for the server's bucket under prefix.
func (s *Server) Options(prefix string) s3store.Options {
	return s3store.Options{
		Bucket:      s.Bucket,
		Prefix:      prefix,
		Region:      s.Region,
		EndpointURL: s.Endpoint,
		AccessKey:   s.AccessKey,
		SecretKey:   s.SecretKey,
	}
}

// NewStore returns an s3store on the server's bucket under prefix; an empty
// prefix means a new prefix unique to this call, so the store starts empty.
func (s *Server) NewStore(t testing.TB, prefix string) *s3store.Store {
	t.Helper()
	if prefix == "" {
		prefix = UniquePrefix()
	}
	st, err := s3store.NewFromConfig(s.Config(), s.Options(prefix))
	if err != nil {
		t.Fatalf("gwtest: s3 store: %v", err)
	}
	return st
}

// UniquePrefix returns a new random key prefix, for a store that starts empty.
func UniquePrefix() string { return "t-" + strings.ToLower(rand.Text()[:12]) }

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// cleanEnv is the environment without versitygw settings (VGW_*, ROOT_*) that
// could change the server under test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VGW_") && !strings.HasPrefix(kv, "ROOT_") {
			env = append(env, kv)
		}
	}
	return env
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
