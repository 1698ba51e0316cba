package delta_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/delta"
)

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"interval 7 days":           7 * 24 * time.Hour,
		"INTERVAL 1 DAY 12 HOURS":   36 * time.Hour,
		"168 hours":                 168 * time.Hour,
		"interval 2 weeks":          14 * 24 * time.Hour,
		"interval 90 minutes":       90 * time.Minute,
		"interval 0 seconds":        0,
		"interval 1500 millisecond": 1500 * time.Millisecond,
	} {
		got, err := delta.ParseInterval(in)
		if err != nil || got != want {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, err := delta.ParseInterval(delta.FormatInterval(got)); err != nil || back != got {
			t.Errorf("FormatInterval(%v) = %q does not parse back", got, delta.FormatInterval(got))
		}
	}
	for _, bad := range []string{"", "interval", "7", "interval 7", "interval 1 month", "interval -1 days", "interval x days", "interval 99999999999 weeks"} {
		if _, err := delta.ParseInterval(bad); err == nil {
			t.Errorf("ParseInterval(%q) succeeded", bad)
		}
	}
	if d, err := delta.DeletedFileRetention(nil); err != nil || d != 7*24*time.Hour {
		t.Errorf("default deleted file retention %v %v", d, err)
	}
	if d, err := delta.LogRetention(map[string]string{delta.LogRetentionProperty: "interval 2 days"}); err != nil || d != 48*time.Hour {
		t.Errorf("log retention %v %v", d, err)
	}
	if _, err := delta.LogRetention(map[string]string{delta.LogRetentionProperty: "soon"}); err == nil || !strings.Contains(err.Error(), delta.LogRetentionProperty) {
		t.Errorf("a bad retention property: %v", err)
	}
	if !delta.ExpiredLogCleanup(nil) || delta.ExpiredLogCleanup(map[string]string{delta.ExpiredLogCleanupProperty: "FALSE"}) {
		t.Error("delta.enableExpiredLogCleanup")
	}
}

func TestPlanVacuum(t *testing.T) {
	cutoff := time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)
	old, recent := cutoff.Add(-time.Hour), cutoff.Add(time.Minute)
	files := []delta.TableFile{
		{Path: "date=2025-04-01/live.parquet", ModTime: old},
		{Path: "date=2025-04-01/removed-long-ago.parquet", ModTime: old},
		{Path: "date=2025-04-01/being-written.parquet", ModTime: recent},
		{Path: "_delta_log/00000000000000000000.json", ModTime: old},
		{Path: "_delta_log/_last_checkpoint", ModTime: old},
		{Path: "date=2025-04-01/.live.parquet.crc", ModTime: old},
		{Path: "_SUCCESS", ModTime: old},
		{Path: "_p=1/data.parquet", ModTime: old},  // a partition folder of column _p
		{Path: "_staging/x.parquet", ModTime: old}, // a hidden folder
		{Path: "date=2025-04-01/at-cutoff.parquet", ModTime: cutoff},
	}
	referenced := map[string]bool{"date=2025-04-01/live.parquet": true}
	got := delta.PlanVacuum(files, referenced, []string{"date", "_p"}, cutoff)
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path)
	}
	if want := []string{"_p=1/data.parquet", "date=2025-04-01/removed-long-ago.parquet"}; !slices.Equal(paths, want) {
		t.Errorf("PlanVacuum = %v, want %v", paths, want)
	}
}

func logEntries(spec string, base time.Time) []delta.LogEntry {
	var out []delta.LogEntry
	for _, f := range strings.Fields(spec) {
		var v int64
		kind := delta.KindCommit
		name := ""
		if n, _ := fmt.Sscanf(f, "c%d", &v); n == 1 {
			kind, name = delta.KindCheckpoint, delta.CheckpointName(v)
		} else {
			fmt.Sscanf(f, "%d", &v)
			name = delta.CommitName(v)
		}
		out = append(out, delta.LogEntry{LogFile: delta.LogFile{Name: name, Kind: kind, Version: v}, ModTime: base.Add(time.Duration(v) * time.Hour)})
	}
	return out
}

func TestPlanLogCleanup(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	all := "0 1 2 3 4 5 6 7 8 9 10 c10 11 12 13 14 15 16 17 18 19 20 c20 21 22"
	for _, tc := range []struct {
		name   string
		files  string
		cutoff time.Duration // after base
		want   int64         // every file below this version goes; 0: none
	}{
		{"before any checkpoint", all, 9 * time.Hour, 0},
		{"cutoff commit 15, checkpoint 10", all, 15*time.Hour + time.Minute, 10},
		{"cutoff commit 20 exactly at the cutoff", all, 20 * time.Hour, 20},
		{"everything expired keeps the newest checkpoint", all, 100 * time.Hour, 20},
		{"no checkpoint at all", "0 1 2 3", 100 * time.Hour, 0},
		{"a checkpoint without its commit", "c10 11 12 c20 21", 100 * time.Hour, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := logEntries(tc.files, base)
			got := delta.PlanLogCleanup(files, base.Add(tc.cutoff))
			var want []string
			for _, f := range files {
				if f.Version < tc.want {
					want = append(want, f.Name)
				}
			}
			var names []string
			for _, f := range got {
				names = append(names, f.Name)
			}
			slices.Sort(want)
			if !slices.Equal(names, want) {
				t.Errorf("deletes %v, want %v", names, want)
			}
		})
	}
}

func TestPlanOptimize(t *testing.T) {
	day := func(s string) map[string]*string { return map[string]*string{"date": &s} }
	files := []*delta.Add{
		{Path: "a1", PartitionValues: day("a"), Size: 10}, {Path: "a2", PartitionValues: day("a"), Size: 20},
		{Path: "a3", PartitionValues: day("a"), Size: 30}, {Path: "a4", PartitionValues: day("a"), Size: 200},
		{Path: "b1", PartitionValues: day("b"), Size: 40}, // alone in its partition: stays
		{Path: "c1", PartitionValues: day("c"), Size: 60}, {Path: "c2", PartitionValues: day("c"), Size: 70},
	}
	bins := delta.PlanOptimize(files, []string{"date"}, 100)
	var got []string
	for _, bin := range bins {
		var paths []string
		var size int64
		for _, a := range bin {
			paths = append(paths, a.Path)
			size += a.Size
		}
		if size > 100 {
			t.Errorf("bin %v holds %d bytes, over the target", paths, size)
		}
		got = append(got, strings.Join(paths, "+"))
	}
	// a1+a2+a3 fit in 100; a4 is big; b1 is alone; c1 and c2 do not fit together.
	if want := []string{"a1+a2+a3"}; !slices.Equal(got, want) {
		t.Errorf("bins %v, want %v", got, want)
	}
}
