package ledger

import (
	"testing"
	"time"
)

func TestStatusAgreesWithIngested(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v1 := Identity{Key: "bronze_layer/a.csv", Size: 10, ModTime: t0}
	v2 := Identity{Key: "bronze_layer/a.csv", Size: 12, ModTime: t0.Add(time.Hour)} // the file changed
	entry := func(id Identity, status string, rejected int64, end time.Duration) Entry {
		return Entry{File: id.Key, Size: id.Size, ModTime: id.ModTime, Status: status, Accepted: 5, Rejected: rejected, EndedAt: t0.Add(end)}
	}
	allRejected := entry(v1, StatusSucceeded, 7, 1)
	allRejected.Accepted = 0
	for _, c := range []struct {
		name    string
		entries []Entry
		id      Identity
		want    string
	}{
		{"never seen", nil, v1, FileNew},
		{"ingested", []Entry{entry(v1, StatusSucceeded, 0, 1)}, v1, FileIngested},
		{"partially rejected", []Entry{entry(v1, StatusSucceeded, 3, 1)}, v1, FilePartial},
		{"failed last", []Entry{entry(v1, StatusCancelled, 0, 1), entry(v1, StatusFailed, 0, 2)}, v1, FileFailed},
		{"every row rejected", []Entry{allRejected}, v1, FileAllRejected},
		{"failed then cancelled", []Entry{entry(v1, StatusFailed, 0, 1), entry(v1, StatusCancelled, 0, 2)}, v1, FileCancelled},
		{"failed, then ingested", []Entry{entry(v1, StatusFailed, 0, 1), entry(v1, StatusSucceeded, 0, 2)}, v1, FileIngested},
		{"another version was ingested", []Entry{entry(v1, StatusSucceeded, 0, 1)}, v2, FileNew},
	} {
		t.Run(c.name, func(t *testing.T) {
			ix := NewIndex(c.entries)
			if got := ix.Status(c.id); got != c.want {
				t.Fatalf("Status = %q, want %q", got, c.want)
			}
			if ix.Ingested(c.id) != Ingested(c.entries, c.id) {
				t.Fatalf("Index.Ingested %v disagrees with Ingested", ix.Ingested(c.id))
			}
		})
	}
}
