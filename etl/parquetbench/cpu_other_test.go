//go:build !unix

package parquetbench

import "time"

// processCPU returns -1: the process CPU time is only read on unix.
func processCPU() time.Duration { return -1 }
