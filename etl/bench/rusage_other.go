//go:build !unix

package bench

import "os"

// rusageRSS is unknown on this system.
func rusageRSS(*os.ProcessState) float64 { return 0 }
