//go:build !linux

package bench

import "errors"

// peakRSSSelf is not known on this system: the bench falls back to the
// child's rusage.
func peakRSSSelf() (int64, error) {
	return 0, errors.New("the peak RSS of a process is read from /proc (Linux)")
}
