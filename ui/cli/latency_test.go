package cli

import (
	"context"
	"io"
	"path/filepath"
	"sort"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// BenchmarkKeyToFrameWhileRunning measures how long the console takes from
// a key press to a rendered frame (Update plus View) while a pipeline job
// of about 5 million rows keeps both cores busy. It reports the median and
// the 99th percentile; the job is restarted whenever it ends.
//
//	go test -run XXX -bench KeyToFrame ./ui/cli/
func BenchmarkKeyToFrameWhileRunning(b *testing.B) { keyToFrame(b, 1) }

// BenchmarkKeyToFrame20JobsQueued is the same with 20 jobs submitted at once
// (two run, the rest wait in the queue and show in the Runs view).
//
//	go test -run XXX -bench KeyToFrame20 ./ui/cli/
func BenchmarkKeyToFrame20JobsQueued(b *testing.B) { keyToFrame(b, 20) }

func keyToFrame(b *testing.B, jobsAtOnce int) {
	dir := b.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 919_100, Days: 15, Dirty: 0.02, Seed: 3}, nil); err != nil {
		b.Fatal(err)
	}
	g := &Globals{Lake: dir}
	r := newRoot(g, Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	g.root = r
	defer r.Close()
	opts, err := r.consoleOptions(context.Background(), consoleParts{})
	if err != nil {
		b.Fatal(err)
	}
	opts.Theme = ui.NewTheme(true, false)
	m := r.jobs
	var model tea.Model = ui.NewApp(opts)
	drain := func(cmd tea.Cmd) {} // commands run elsewhere in the real program; here only Update and View are timed
	model, cmd := model.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drain(cmd)
	model.Update(uitest.Key("2")) // the Runs view: live progress of the job
	for range jobsAtOnce {
		m.Submit(jobs.Spec{Title: "load", Force: true})
	}
	keys := []tea.KeyPressMsg{uitest.Key("j"), uitest.Key("k"), uitest.Key("1"), uitest.Key("2")}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if m.Active() == 0 {
			b.StopTimer()
			m.Submit(jobs.Spec{Title: "load", Force: true})
			b.StartTimer()
		}
		start := time.Now()
		var c tea.Cmd
		model, c = model.Update(m.Snapshot()) // progress arrives, as the relay sends it
		drain(c)
		model, c = model.Update(keys[i%len(keys)])
		drain(c)
		_ = model.View()
		lat = append(lat, time.Since(start))
		time.Sleep(2 * time.Millisecond) // keys arrive at human-ish speed; the job keeps running
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
	}
}
