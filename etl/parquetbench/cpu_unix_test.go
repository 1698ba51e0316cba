//go:build unix

package parquetbench

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the process has used so
// far, or -1 when it cannot tell.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
