package delta

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// This file plans table maintenance without doing IO: what VACUUM deletes,
// which log files have expired, which data files OPTIMIZE packs together.
// vacuum.go, logclean.go and optimize.go carry the plans out.

// TableFile is a file under a table root, as listed from the store.
type TableFile struct {
	Path    string // relative to the table root, '/'-separated, not percent-encoded
	Size    int64
	ModTime time.Time
}

// hiddenPath reports whether VACUUM leaves a path alone, as Spark's does:
// the log, and any file or folder whose name starts with '_' or '.'
// (_delta_log, _SUCCESS, .crc files, temporary files), except partition
// folders ("_col=value" for a partition column named "_col").
func hiddenPath(rel string, partitionColumns []string) bool {
	for seg := range strings.SplitSeq(rel, "/") {
		if !strings.HasPrefix(seg, "_") && !strings.HasPrefix(seg, ".") {
			continue
		}
		partition := false
		for _, c := range partitionColumns {
			if strings.HasPrefix(seg, escapePathName(c)+"=") {
				partition = true
			}
		}
		if !partition {
			return true
		}
	}
	return false
}

// PlanVacuum picks the files VACUUM deletes: every file under the table
// root that is not hidden, not referenced (referenced holds the paths,
// relative to the root, of the live files and of the files removed at or
// after cutoff, which time travel inside the retention still reads), and
// last modified before cutoff (a newer one may belong to a write that has
// not committed yet). The result is sorted by path.
func PlanVacuum(files []TableFile, referenced map[string]bool, partitionColumns []string, cutoff time.Time) []TableFile {
	var out []TableFile
	for _, f := range files {
		if referenced[f.Path] || hiddenPath(f.Path, partitionColumns) || !f.ModTime.Before(cutoff) {
			continue
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b TableFile) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// LogEntry is a recognised file of the log folder with its modification time.
type LogEntry struct {
	LogFile
	ModTime time.Time
	Size    int64
}

// PlanLogCleanup picks the log files that have expired, following the
// protocol's metadata cleanup: the newest commit not newer than cutoff is
// the cutoff commit; the newest complete checkpoint at or below it is the
// cutoff checkpoint; every commit and checkpoint of a version below the
// cutoff checkpoint goes. So the oldest version kept starts at a
// checkpoint, every version committed after cutoff stays readable (time
// travel inside the retention), and the newest checkpoint and the commits
// after it are never touched. Without a cutoff checkpoint nothing goes.
func PlanLogCleanup(files []LogEntry, cutoff time.Time) []LogEntry {
	cutoffCommit := int64(-1)
	ckpts := map[int64]map[string][]LogFile{}
	for _, f := range files {
		switch f.Kind {
		case KindCommit:
			if !f.ModTime.After(cutoff) && f.Version > cutoffCommit {
				cutoffCommit = f.Version
			}
		case KindCheckpoint:
			if ckpts[f.Version] == nil {
				ckpts[f.Version] = map[string][]LogFile{}
			}
			k := checkpointKind(f.LogFile)
			ckpts[f.Version][k] = append(ckpts[f.Version][k], f.LogFile)
		}
	}
	cutoffCkpt := int64(-1)
	for v, parts := range ckpts {
		if _, ok := completeCheckpoint(parts); ok && v <= cutoffCommit && v > cutoffCkpt {
			cutoffCkpt = v
		}
	}
	var out []LogEntry
	for _, f := range files {
		if f.Version < cutoffCkpt {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b LogEntry) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), strings.Compare(a.Name, b.Name))
	})
	return out
}

// DefaultTargetFileSize is the file size OPTIMIZE packs toward by default.
const DefaultTargetFileSize = 128 << 20

// PlanOptimize bin-packs a table's small files: within each partition,
// the files smaller than target, smallest first, go into bins of at most
// target bytes; a bin of one file is left alone (rewriting it gains
// nothing). Bins come in partition order, files in a bin by size and path.
func PlanOptimize(files []*Add, partitionColumns []string, target int64) [][]*Add {
	byPart := map[string][]*Add{}
	var keys []string
	for _, a := range files {
		if a.Size >= target || a.DeletionVector != nil {
			continue
		}
		k := PartitionKey(partitionColumns, a.PartitionValues)
		if byPart[k] == nil {
			keys = append(keys, k)
		}
		byPart[k] = append(byPart[k], a)
	}
	slices.Sort(keys)
	var bins [][]*Add
	for _, k := range keys {
		small := byPart[k]
		slices.SortFunc(small, func(a, b *Add) int { return cmp.Or(cmp.Compare(a.Size, b.Size), strings.Compare(a.Path, b.Path)) })
		var bin []*Add
		var size int64
		flush := func() {
			if len(bin) > 1 {
				bins = append(bins, bin)
			}
			bin, size = nil, 0
		}
		for _, a := range small {
			if len(bin) > 0 && size+a.Size > target {
				flush()
			}
			bin = append(bin, a)
			size += a.Size
		}
		flush()
	}
	return bins
}
