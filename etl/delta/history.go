package delta

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// HistoryEntry is one version of a table as its commitInfo describes it.
type HistoryEntry struct {
	Version     int64             `json:"version"`
	Timestamp   time.Time         `json:"timestamp"`
	Operation   string            `json:"operation"`
	Parameters  map[string]any    `json:"operationParameters,omitempty"`
	Metrics     map[string]string `json:"operationMetrics,omitempty"`
	ReadVersion *int64            `json:"readVersion,omitempty"`
	Engine      string            `json:"engineInfo,omitempty"`
}

// History returns the versions still in the log, newest first; limit <= 0 means all.
func (t *Table) History(ctx context.Context, limit int) ([]HistoryEntry, error) {
	files, err := t.listLog(ctx, 0)
	if err != nil {
		return nil, err
	}
	var commits []LogFile
	for _, f := range files {
		if f.Kind == KindCommit {
			commits = append(commits, f)
		}
	}
	if len(commits) == 0 {
		return nil, fmt.Errorf("%s: %w", t.URI(), ErrNotATable)
	}
	sort.Slice(commits, func(i, j int) bool { return commits[i].Version > commits[j].Version })
	if limit > 0 && len(commits) > limit {
		commits = commits[:limit]
	}
	parsed, err := t.readCommits(ctx, commits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.URI(), err)
	}
	out := make([]HistoryEntry, len(commits))
	for i, f := range commits {
		out[i] = historyEntry(f.Version, parsed[i].actions)
	}
	return out, nil
}

// historyEntry extracts the commitInfo of one commit.
func historyEntry(version int64, actions []Action) HistoryEntry {
	h := HistoryEntry{Version: version}
	for _, a := range actions {
		if a.CommitInfo == nil {
			continue
		}
		ci := *a.CommitInfo
		if n, ok := ci["timestamp"].(json.Number); ok {
			if ms, err := n.Int64(); err == nil {
				h.Timestamp = time.UnixMilli(ms).UTC()
			}
		}
		h.Operation, _ = ci["operation"].(string)
		h.Engine, _ = ci["engineInfo"].(string)
		if p, ok := ci["operationParameters"].(map[string]any); ok {
			h.Parameters = p
		}
		if m, ok := ci["operationMetrics"].(map[string]any); ok {
			h.Metrics = map[string]string{}
			for k, v := range m {
				h.Metrics[k] = fmt.Sprint(v)
			}
		}
		if n, ok := ci["readVersion"].(json.Number); ok {
			if rv, err := n.Int64(); err == nil {
				h.ReadVersion = &rv
			}
		}
	}
	return h
}
