package delta

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
)

// LogCleanupOptions tune Table.CleanupLog.
type LogCleanupOptions struct {
	DryRun bool      // list the expired files without deleting them
	Now    time.Time // the time the retention counts back from; zero means time.Now()
}

// LogCleanupResult is what CleanupLog deleted (or would delete).
type LogCleanupResult struct {
	Files     []LogEntry // by version
	Retention time.Duration
	Cutoff    time.Time
	DryRun    bool
}

// CleanupLog deletes the commits and checkpoints that the table's
// delta.logRetentionDuration (30 days unless set) lets go, as
// PlanLogCleanup picks them, oldest first: a crash midway leaves a log
// that still starts at a checkpoint.
func (t *Table) CleanupLog(ctx context.Context, opts LogCleanupOptions) (*LogCleanupResult, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	if err := CheckWritable(snap.Protocol(), nil); err != nil {
		return nil, fmt.Errorf("clean up the log of %s: %w", t.URI(), err)
	}
	return t.cleanupLog(ctx, snap.Metadata().Configuration, opts)
}

func (t *Table) cleanupLog(ctx context.Context, cfg map[string]string, opts LogCleanupOptions) (*LogCleanupResult, error) {
	retention, err := LogRetention(cfg)
	if err != nil {
		return nil, fmt.Errorf("clean up the log of %s: %w", t.URI(), err)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := &LogCleanupResult{Retention: retention, Cutoff: now.Add(-retention), DryRun: opts.DryRun}
	entries, err := t.listLogEntries(ctx)
	if err != nil {
		return nil, err
	}
	res.Files = PlanLogCleanup(entries, res.Cutoff)
	if opts.DryRun {
		return res, nil
	}
	for i, f := range res.Files {
		if err := t.store.Delete(ctx, t.logKey(f.Name)); err != nil {
			res.Files = res.Files[:i]
			return res, fmt.Errorf("clean up the log of %s: delete %s: %w", t.URI(), f.Name, err)
		}
	}
	return res, nil
}

// listLogEntries lists the recognised files of the log with their times.
func (t *Table) listLogEntries(ctx context.Context) ([]LogEntry, error) {
	prefix := t.logKey("")
	var out []LogEntry
	for info, err := range t.store.List(ctx, prefix, storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("list the log of %s: %w", t.URI(), err)
		}
		if f, ok := ParseLogFile(strings.TrimPrefix(info.Key, prefix)); ok {
			out = append(out, LogEntry{LogFile: f, ModTime: info.ModTime, Size: info.Size})
		}
	}
	return out, nil
}

// cleanupAfterCheckpoint runs the expired log cleanup that follows a
// checkpoint, unless the table turned it off (delta.enableExpiredLogCleanup).
func (t *Table) cleanupAfterCheckpoint(ctx context.Context, snap *Snapshot) error {
	cfg := snap.Metadata().Configuration
	if !ExpiredLogCleanup(cfg) {
		return nil
	}
	_, err := t.cleanupLog(ctx, cfg, LogCleanupOptions{})
	return err
}
