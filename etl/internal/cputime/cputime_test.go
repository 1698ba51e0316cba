package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessAdvances burns some CPU and checks that the reading grows.
func TestProcessAdvances(t *testing.T) {
	before, ok := Process()
	if !ok {
		if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
			t.Fatalf("no CPU time on %s", runtime.GOOS)
		}
		return // not a unix: Process says so, which is what it must do
	}
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	after, _ := Process()
	if after-before < 10*time.Millisecond || x == 0 {
		t.Fatalf("CPU time went from %v to %v over 50 ms of spinning", before, after)
	}
}
