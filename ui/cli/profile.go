package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/pflag"
)

// profileFlags are the global flags that profile a command.
type profileFlags struct {
	cpu, mem, trace string
}

func (p *profileFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the command to this file")
	fs.StringVar(&p.mem, "memprofile", "", "write a heap profile (allocations) of the command to this file")
	fs.StringVar(&p.trace, "trace", "", "write an execution trace of the command to this file (go tool trace)")
}

// start starts the profiles asked for and returns what stops them (the
// heap profile is written when stopped).
func (p *profileFlags) start(env Env) ([]func(), error) {
	var stops []func()
	if p.cpu != "" {
		stop, err := startCPUProfile(p.cpu)
		if err != nil {
			return stops, err
		}
		stops = append(stops, stop)
	}
	if p.trace != "" {
		stop, err := startTrace(p.trace)
		if err != nil {
			return stops, err
		}
		stops = append(stops, stop)
	}
	if path := p.mem; path != "" {
		stops = append(stops, func() {
			if err := writeHeapProfile(path); err != nil {
				fmt.Fprintf(env.Stderr, "lakeops: %v\n", err)
			}
		})
	}
	return stops, nil
}

// startCPUProfile writes a CPU profile of the command to path.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// startTrace writes an execution trace of the command to path (read it
// with go tool trace): where goroutines wait, how busy each CPU is.
func startTrace(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("trace: %w", err)
	}
	return func() { trace.Stop(); f.Close() }, nil
}

// writeHeapProfile writes a heap profile (allocations over the whole
// command, and what is live at its end) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}
