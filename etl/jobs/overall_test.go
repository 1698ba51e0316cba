package jobs

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
)

// TestOverallStaysWithinItsBounds runs a 21-file job (10 days of orders
// and order items, and products) and checks every snapshot the relay
// could send: the fraction never falls and stays in [0, 1], bytes done
// never pass the bytes of the job's files (all known from the first
// report), rows checked never fall, and the recent rate never claims more
// rows than the job has over the shortest window it measures.
func TestOverallStaysWithinItsBounds(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 20000, Days: 10, Dirty: 0.02, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := New(lake.New(st), 1)
	defer m.Close()
	id := m.Submit(Spec{Title: "all new files"})
	var seen []Info
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range m.Changed() {
			info, _ := m.Job(id)
			seen = append(seen, info)
			if info.State.Done() {
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the job did not end")
	}
	final, _ := m.Job(id)
	if final.State != Succeeded || len(final.Files) != 21 {
		t.Fatalf("job %s with %d files", final.State, len(final.Files))
	}
	total := final.Summary.Totals.RowsRead
	last := Overall{Fraction: -1}
	for _, info := range seen {
		o := info.Overall(time.Now())
		if len(info.Files) > 0 && len(info.Files) != 21 {
			t.Fatalf("a snapshot knows %d of the job's 21 files", len(info.Files))
		}
		switch {
		case o.Fraction > 1 || o.Fraction < last.Fraction:
			t.Fatalf("fraction %.3f after %.3f", o.Fraction, last.Fraction)
		case o.BytesDone > o.BytesTotal || (last.BytesTotal > 0 && o.BytesTotal != last.BytesTotal):
			t.Fatalf("bytes %d of %d (before: of %d)", o.BytesDone, o.BytesTotal, last.BytesTotal)
		case o.Rows < last.Rows || o.Rows > total:
			t.Fatalf("rows %d after %d (the job has %d)", o.Rows, last.Rows, total)
		case info.State == Running && o.RowsPerSec*sampleEvery.Seconds() > float64(total):
			t.Fatalf("rate %.0f rows/s: more than the job's %d rows in %s", o.RowsPerSec, total, sampleEvery)
		}
		last = o
	}
	if o := final.Overall(time.Now()); o.Fraction != 1 || o.Rows != total || o.ETA != 0 {
		t.Fatalf("final %+v (rows read %d)", o, total)
	}
}

// A cancelled job is not shown as done: its cancelled files count nothing.
func TestCancelledJobIsNotComplete(t *testing.T) {
	m := New(newLake(t, 20000), 1)
	defer m.Close()
	id := m.Submit(Spec{Title: "all"})
	var seen Overall
	for range m.Changed() {
		info, _ := m.Job(id)
		if info.State.Done() {
			t.Fatal("the job ended before it had read anything to cancel")
		}
		if info.State == Running && len(info.Files) > 0 {
			if seen = info.Overall(time.Now()); seen.BytesDone > 0 && seen.Rows > 0 {
				m.Cancel(id)
				break
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	info, _ := m.Job(id)
	o := info.Overall(time.Now())
	if info.State != Cancelled || o.Fraction >= 1 {
		t.Fatalf("cancelled job: %s at %.2f", info.State, o.Fraction)
	}
	// How far it got stays known after its files went back to nothing.
	if o.Reached.Bytes < seen.BytesDone || o.Reached.Rows < seen.Rows {
		t.Fatalf("reached %+v, but %d bytes and %d rows were seen done before the cancel", o.Reached, seen.BytesDone, seen.Rows)
	}
	summed := false
	for _, l := range info.Log {
		if strings.HasSuffix(l.Text, ": done") {
			t.Fatalf("a file's end is logged twice (%q): its result line says how it ended", l.Text)
		}
		if strings.Contains(l.Text, "rows read, ") {
			summed = true
			if !strings.Contains(l.Text, "committed before it stopped") {
				t.Errorf("the cancelled job's summary %q does not say it counts what was committed", l.Text)
			}
		}
	}
	if !summed {
		t.Error("the cancelled job's log has no summary line")
	}
}

// A run that finds nothing new says so instead of a summary of zero files.
func TestNothingNewSaysSo(t *testing.T) {
	m := New(newLake(t, 200), 1)
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m.Submit(Spec{Title: "first"})
	if err := m.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	id := m.Submit(Spec{Title: "again"})
	if err := m.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	info, _ := m.Job(id)
	var text []string
	for _, l := range info.Log {
		text = append(text, l.Text)
	}
	all := strings.Join(text, "\n")
	if info.State != Succeeded || !strings.Contains(all, "nothing new to load") || strings.Contains(all, "0 files:") {
		t.Fatalf("second run %s, log:\n%s", info.State, all)
	}
}
