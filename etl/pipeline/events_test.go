package pipeline

import (
	"testing"
	"time"
)

// A file's rate and time left wait for 200 ms of reading: a few rows over
// microseconds are not millions a second.
func TestTrackerRateWaitsFor200ms(t *testing.T) {
	var got []Event
	tr := newTracker(func(e Event) { got = append(got, e) }, Event{File: "f.csv", BytesTotal: 1000})
	tr.update(10, 1000, 1000, 0, nil, true)
	if len(got) != 1 || got[0].RowsPerSec != 0 || got[0].ETA != 0 {
		t.Fatalf("at once: %+v", got)
	}
	tr.started = time.Now().Add(-time.Second) // read for a second
	tr.update(500, 2000, 2000, 0, nil, true)
	if e := got[len(got)-1]; e.RowsPerSec < 1000 || e.RowsPerSec > 3000 || e.ETA <= 0 {
		t.Fatalf("after a second: %+v", e)
	}
}
