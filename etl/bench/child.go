package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

// measure is one timed child process.
type measure struct {
	wall float64 // seconds
	cpu  float64 // user and system seconds: steadier than wall time on a shared machine
	rss  float64 // peak resident set, MB
}

// child runs the executable with args and measures it: wall time, CPU
// time, and the peak RSS it reports itself (see PeakRSSFileEnv; its rusage when it
// does not). Its standard output goes to the file named stdout when set
// (and is then not returned), else it is returned.
func child(ctx context.Context, exe, stdout string, args ...string) (measure, []byte, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdout != "" {
		f, err := os.Create(stdout)
		if err != nil {
			return measure{}, nil, err
		}
		defer f.Close()
		cmd.Stdout = f
	}
	rss, err := os.CreateTemp("", "lakeops-bench-rss-")
	if err != nil {
		return measure{}, nil, err
	}
	rss.Close()
	defer os.Remove(rss.Name())
	// LAKEOPS_CONFIG: the children measure lakeops, not the user's configuration file.
	cmd.Env = append(os.Environ(), PeakRSSFileEnv+"="+rss.Name(), "LAKEOPS_CONFIG="+os.DevNull)
	start := time.Now()
	err = cmd.Run()
	m := measure{wall: time.Since(start).Seconds()}
	if err != nil {
		return m, nil, fmt.Errorf("%s %v: %w\n%s%s", exe, args, err, out.Bytes(), errb.Bytes())
	}
	m.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	var ok bool
	if m.rss, ok = readPeakRSS(rss.Name()); !ok {
		m.rss = rusageRSS(cmd.ProcessState)
	}
	return m, out.Bytes(), nil
}

// stats are the median and the range of a series.
type stats struct{ median, min, max float64 }

func statsOf(v []float64) stats {
	if len(v) == 0 {
		return stats{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{median: m, min: s[0], max: s[len(s)-1]}
}

// text renders the median and, with more than one value, the range.
func (s stats) text(format string) string {
	out := fmt.Sprintf(format, s.median)
	if s.min != s.max {
		out += fmt.Sprintf(" ["+format+"–"+format+"]", s.min, s.max)
	}
	return out
}
