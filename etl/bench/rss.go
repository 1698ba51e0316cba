package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// PeakRSSFileEnv names the environment variable through which the bench
// asks a child to write its own peak resident set size when it exits
// (WritePeakRSS). The parent cannot take it from the child's rusage: on
// Linux a child's maximum RSS counts the memory of the process it was
// forked from, so every child of a bench that has held a big buffer would
// seem to need at least as much.
const PeakRSSFileEnv = "LAKEOPS_BENCH_PEAK_RSS_FILE"

// WritePeakRSS writes the peak resident set size of this process since its
// exec, in kilobytes, to path.
func WritePeakRSS(path string) error {
	kb, err := peakRSSSelf()
	if err != nil {
		return fmt.Errorf("peak RSS: %w", err)
	}
	return os.WriteFile(path, []byte(strconv.FormatInt(kb, 10)+"\n"), 0o644)
}

// readPeakRSS reads what WritePeakRSS wrote, in MB.
func readPeakRSS(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, false
	}
	return float64(kb) / 1024, true
}
