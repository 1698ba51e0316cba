package delta

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// LogDir is the name of the transaction log folder inside a table.
const LogDir = "_delta_log"

// FileKind classifies a file in the log folder.
type FileKind int

// Kinds of log files; anything else in the log folder is ignored.
const (
	KindCommit     FileKind = iota + 1 // NNN.json
	KindCheckpoint                     // NNN.checkpoint.parquet or NNN.checkpoint.PPP.NNN.parquet
)

// LogFile is one recognised file of the log folder.
type LogFile struct {
	Name    string // base name inside _delta_log
	Kind    FileKind
	Version int64
	Part    int // 1-based part of a multi-part checkpoint; 0 for single files
	Parts   int // number of parts of a multi-part checkpoint; 0 for single files
	// UUID is the UUID of a UUID-named (v2) checkpoint, NNN.checkpoint.<uuid>.json
	// or .parquet; "" for the other kinds.
	UUID string
}

// JSON reports whether the file holds JSON actions (commits and JSON v2
// checkpoints) rather than Parquet.
func (f LogFile) JSON() bool { return strings.HasSuffix(f.Name, ".json") }

// CommitName is the base name of the commit file of a version.
func CommitName(version int64) string { return fmt.Sprintf("%020d.json", version) }

// CheckpointName is the base name of a single-file checkpoint of a version.
func CheckpointName(version int64) string { return fmt.Sprintf("%020d.checkpoint.parquet", version) }

// ParseLogFile recognises a base name in the log folder. It returns false for
// files that are not part of the log (_last_checkpoint, .crc, temp files,
// compacted logs, sidecars).
func ParseLogFile(name string) (LogFile, bool) {
	if len(name) < 21 || name[20] != '.' {
		return LogFile{}, false
	}
	v, err := strconv.ParseInt(name[:20], 10, 64)
	if err != nil || v < 0 {
		return LogFile{}, false
	}
	rest := name[21:]
	switch {
	case rest == "json":
		return LogFile{Name: name, Kind: KindCommit, Version: v}, true
	case rest == "checkpoint.parquet":
		return LogFile{Name: name, Kind: KindCheckpoint, Version: v}, true
	case strings.HasPrefix(rest, "checkpoint.") && strings.HasSuffix(rest, ".json"):
		if u := strings.TrimSuffix(strings.TrimPrefix(rest, "checkpoint."), ".json"); isUUID(u) {
			return LogFile{Name: name, Kind: KindCheckpoint, Version: v, UUID: u}, true
		}
		return LogFile{}, false
	case strings.HasPrefix(rest, "checkpoint.") && strings.HasSuffix(rest, ".parquet"):
		mid := strings.TrimSuffix(strings.TrimPrefix(rest, "checkpoint."), ".parquet")
		if isUUID(mid) {
			return LogFile{Name: name, Kind: KindCheckpoint, Version: v, UUID: mid}, true
		}
		ps, ns, ok := strings.Cut(mid, ".")
		if !ok || len(ps) != 10 || len(ns) != 10 {
			return LogFile{}, false
		}
		p, err1 := strconv.Atoi(ps)
		n, err2 := strconv.Atoi(ns)
		if err1 != nil || err2 != nil || p < 1 || n < 1 || p > n {
			return LogFile{}, false
		}
		return LogFile{Name: name, Kind: KindCheckpoint, Version: v, Part: p, Parts: n}, true
	}
	return LogFile{}, false
}

// isUUID reports whether s is a UUID in its canonical 36-character text.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Segment is the set of log files that make up one version of a table: an
// optional checkpoint and the commits after it, in order.
type Segment struct {
	Version     int64
	Checkpoint  []LogFile // all parts of the checkpoint used, in part order; empty when replaying from version 0
	CheckpointV int64     // version of Checkpoint, -1 when none
	Commits     []LogFile // commits CheckpointV+1 .. Version, ascending
}

// BrokenLogError reports a log that cannot be replayed.
type BrokenLogError struct{ Reason string }

func (e *BrokenLogError) Error() string { return "broken Delta log: " + e.Reason }

// VersionNotFoundError reports time travel to a version the log does not have.
type VersionNotFoundError struct {
	Version, Earliest, Latest int64
}

func (e *VersionNotFoundError) Error() string {
	return fmt.Sprintf("version %d is not available (the log has versions %d to %d)", e.Version, e.Earliest, e.Latest)
}

// BuildSegment picks, from the files of a log folder, those needed to
// reconstruct version (or the latest version when version < 0): the newest
// complete checkpoint at or below it, and the contiguous commits after it.
func BuildSegment(files []LogFile, version int64) (Segment, error) {
	commits := map[int64]LogFile{}
	ckpts := map[int64]map[string][]LogFile{} // version -> "single" or "n=<parts>" -> parts
	latest := int64(-1)
	for _, f := range files {
		if f.Version > latest {
			latest = f.Version
		}
		switch f.Kind {
		case KindCommit:
			commits[f.Version] = f
		case KindCheckpoint:
			if ckpts[f.Version] == nil {
				ckpts[f.Version] = map[string][]LogFile{}
			}
			k := checkpointKind(f)
			ckpts[f.Version][k] = append(ckpts[f.Version][k], f)
		}
	}
	if latest < 0 {
		return Segment{}, &BrokenLogError{Reason: "no commit or checkpoint files in " + LogDir}
	}
	target := version
	if target < 0 {
		target = latest
		// The latest version is the newest commit; a checkpoint alone does not make a version
		// unless there are no commits after it.
		for v := latest; v >= 0; v-- {
			if _, ok := commits[v]; ok {
				target = v
				break
			}
			if _, ok := completeCheckpoint(ckpts[v]); ok {
				target = v
				break
			}
		}
	}
	if target > latest {
		return Segment{}, &VersionNotFoundError{Version: target, Earliest: earliest(commits, ckpts), Latest: latest}
	}
	seg := Segment{Version: target, CheckpointV: -1}
	var cvs []int64
	for v := range ckpts {
		if v <= target {
			cvs = append(cvs, v)
		}
	}
	sort.Slice(cvs, func(i, j int) bool { return cvs[i] > cvs[j] })
	for _, v := range cvs {
		if parts, ok := completeCheckpoint(ckpts[v]); ok {
			seg.Checkpoint, seg.CheckpointV = parts, v
			break
		}
	}
	for v := seg.CheckpointV + 1; v <= target; v++ {
		c, ok := commits[v]
		if !ok {
			return Segment{}, notContiguous(commits, v, target, version)
		}
		seg.Commits = append(seg.Commits, c)
	}
	return seg, nil
}

func notContiguous(commits map[int64]LogFile, missing, target, requested int64) error {
	if requested >= 0 {
		if _, ok := commits[requested]; !ok {
			return &VersionNotFoundError{Version: requested, Earliest: earliest(commits, nil), Latest: target}
		}
	}
	if missing == 0 {
		return &BrokenLogError{Reason: fmt.Sprintf("commit 0 is missing and no checkpoint covers the versions before %d", target)}
	}
	return &BrokenLogError{Reason: fmt.Sprintf("versions are not contiguous: commit %d is missing (needed to reach version %d)", missing, target)}
}

func earliest(commits map[int64]LogFile, ckpts map[int64]map[string][]LogFile) int64 {
	e := int64(-1)
	for v := range commits {
		if e < 0 || v < e {
			e = v
		}
	}
	for v := range ckpts {
		if e < 0 || v < e {
			e = v
		}
	}
	return e
}

// checkpointKind groups the checkpoint files of one version for
// completeCheckpoint: "uuid" for v2 UUID-named ones, "n=<parts>" otherwise.
func checkpointKind(f LogFile) string {
	if f.UUID != "" {
		return "uuid"
	}
	return fmt.Sprintf("n=%d", f.Parts)
}

// completeCheckpoint returns the parts of a checkpoint that has all its
// parts: a classic single file first, then a UUID-named one (the first by
// name), then a complete multi-part checkpoint.
func completeCheckpoint(byKind map[string][]LogFile) ([]LogFile, bool) {
	if single, ok := byKind["n=0"]; ok && len(single) > 0 {
		return single[:1], true
	}
	if named := byKind["uuid"]; len(named) > 0 {
		first := named[0]
		for _, f := range named[1:] {
			if f.Name < first.Name {
				first = f
			}
		}
		return []LogFile{first}, true
	}
	for k, parts := range byKind {
		if len(parts) == 0 || k == "uuid" {
			continue
		}
		n := parts[0].Parts
		seen := make([]LogFile, n)
		count := 0
		for _, p := range parts {
			if seen[p.Part-1].Name == "" {
				seen[p.Part-1] = p
				count++
			}
		}
		if count == n {
			return seen, true
		}
	}
	return nil, false
}
