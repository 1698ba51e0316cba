//go:build unix

package bench

import (
	"os"
	"runtime"
	"syscall"
)

// rusageRSS is a finished child's maximum RSS from its rusage, in MB: an
// upper bound (see PeakRSSFileEnv).
func rusageRSS(ps *os.ProcessState) float64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20) // bytes
	}
	return float64(ru.Maxrss) / 1024 // kilobytes
}
