package gwtest_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
)

func TestBinaryCached(t *testing.T) {
	a, err := gwtest.Binary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, err := gwtest.Binary(t.Context())
	if err != nil || a != b {
		t.Fatalf("second Binary() = %q, %v; want %q", b, err, a)
	}
}

func TestLaunchClose(t *testing.T) {
	srv, err := gwtest.Launch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.Endpoint)
	if err != nil {
		t.Fatalf("server not answering: %v", err)
	}
	resp.Body.Close()
	if _, err := os.Stat(srv.Dir); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := http.Get(srv.Endpoint); err == nil {
		t.Error("server still answering after Close")
	}
	if _, err := os.Stat(srv.Dir); !os.IsNotExist(err) {
		t.Errorf("server folder not removed: %v", err)
	}
}

func TestTwoServers(t *testing.T) {
	a, b := gwtest.Start(t), gwtest.Start(t)
	if a.Endpoint == b.Endpoint {
		t.Fatal("two servers on one endpoint")
	}
	sa, sb := a.NewStore(t, "same"), b.NewStore(t, "same")
	if err := sa.Put(t.Context(), "k", http.NoBody); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Stat(t.Context(), "k"); err == nil {
		t.Error("servers share objects")
	}
}
