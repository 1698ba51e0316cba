//go:build linux

package bench

import (
	"context"
	"os"
	"runtime"
	"testing"
)

// asChild makes the test binary a child that only reports its peak RSS.
const asChild = "LAKEOPS_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(asChild) == "1" {
		if err := WritePeakRSS(os.Getenv(PeakRSSFileEnv)); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestChildPeakRSSIsItsOwn: a child's peak memory is its own, not the
// bench process's, however much the bench holds when it starts the child.
func TestChildPeakRSSIsItsOwn(t *testing.T) {
	t.Setenv(asChild, "1")
	held := make([]byte, 400<<20)
	for i := range held {
		held[i] = byte(i)
	}
	m, _, err := child(context.Background(), os.Args[0], "")
	if err != nil {
		t.Fatal(err)
	}
	if m.rss <= 0 || m.rss > 200 {
		t.Fatalf("child's peak RSS %.0f MB while the parent holds 400 MB", m.rss)
	}
	runtime.KeepAlive(held)
}
