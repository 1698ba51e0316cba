//go:build !unix

package cputime

import "time"

// process cannot tell outside unix (getrusage).
func process() (time.Duration, bool) { return 0, false }
