// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU per operation next to wall time (on a shared machine CPU
// time is the steadier figure, and it counts every goroutine's work).
package cputime

import "time"

// Process returns the user and system CPU time the process has used so far,
// and false where the platform does not say (then the duration is 0).
func Process() (time.Duration, bool) { return process() }
