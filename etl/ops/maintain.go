package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// The table maintenance operations of the console: vacuum, optimize and
// log cleanup of a lake table, over delta.Table's (which hold the rules;
// see etl/delta/maintplan.go). Each refuses a read-only lake.
type (
	// VacuumOptions choose the retention, a dry run and whether a retention
	// shorter than the table's is allowed.
	VacuumOptions = delta.VacuumOptions
	// VacuumResult lists the data files deleted (or, dry, to delete).
	VacuumResult = delta.VacuumResult
	// OptimizeResult says what bin-packing wrote and removed.
	OptimizeResult = delta.OptimizeResult
	// LogCleanupResult lists the log files deleted (or, dry, to delete).
	LogCleanupResult = delta.LogCleanupResult
	// RetentionError refuses a retention shorter than the table's.
	RetentionError = delta.RetentionError
)

// OptimizeTargetSize is the size optimize packs files to by default.
const OptimizeTargetSize = delta.DefaultTargetFileSize

// FormatInterval renders a retention the way table properties spell it.
func FormatInterval(d time.Duration) string { return delta.FormatInterval(d) }

// Maintenance is one of the maintenance actions a job can run.
type Maintenance int

// The maintenance actions.
const (
	MaintainVacuum Maintenance = iota + 1
	MaintainOptimize
	MaintainCleanupLog
)

func (m Maintenance) String() string {
	switch m {
	case MaintainVacuum:
		return "vacuum"
	case MaintainOptimize:
		return "optimize"
	case MaintainCleanupLog:
		return "log cleanup"
	}
	return fmt.Sprintf("maintenance %d", int(m))
}

// SubmitMaintenance queues a job that runs the action on a lake table with
// the table's own settings (retention, target size); the job's log line
// says what it did. A read-only lake refuses before anything is queued.
func (o *Ops) SubmitMaintenance(m Maintenance, info TableInfo) (int, error) {
	if _, err := o.maintained(info, m.String()); err != nil {
		return 0, err
	}
	var task func(ctx context.Context) (string, error)
	switch m {
	case MaintainVacuum:
		task = func(ctx context.Context) (string, error) {
			res, err := o.Vacuum(ctx, info, VacuumOptions{})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("vacuum %s: deleted %s (%s) at version %d", info.Name,
				textfmt.Counted(int64(len(res.Files)), "data file", "data files"), textfmt.Bytes(res.Bytes), res.Version), nil
		}
	case MaintainOptimize:
		task = func(ctx context.Context) (string, error) {
			res, err := o.Optimize(ctx, info, 0)
			if err != nil {
				return "", err
			}
			if res.Version < 0 {
				return fmt.Sprintf("optimize %s: no small files to pack", info.Name), nil
			}
			return fmt.Sprintf("optimize %s: %s into %s (%s rows rewritten) at version %d", info.Name,
				textfmt.Counted(int64(res.FilesRemoved), "file", "files"), textfmt.Counted(int64(res.FilesAdded), "file", "files"),
				textfmt.Count(res.RowsRewritten), res.Version), nil
		}
	case MaintainCleanupLog:
		task = func(ctx context.Context) (string, error) {
			res, err := o.CleanupLog(ctx, info, false)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("log cleanup %s: deleted %s", info.Name, textfmt.Counted(int64(len(res.Files)), "log file", "log files")), nil
		}
	default:
		return 0, fmt.Errorf("no maintenance action %d", int(m))
	}
	return o.Submit(JobSpec{Title: m.String() + " " + info.Name, Task: task})
}

// maintained resolves a lake table for a maintenance action, refusing a
// read-only lake and a table that is not in it.
func (o *Ops) maintained(info TableInfo, action string) (*delta.Table, error) {
	if err := o.lake.CheckWritable(action + " " + info.Name); err != nil {
		return nil, err
	}
	t := o.resolve(info)
	if t == nil {
		return nil, fmt.Errorf("%s %s: the table is not in this lake", action, info.Name)
	}
	return t, nil
}

// Vacuum deletes (or, with DryRun, lists) a table's data files that its
// latest version no longer references and that are older than the
// retention. A dry run reads only, so it runs on a read-only lake too.
func (o *Ops) Vacuum(ctx context.Context, info TableInfo, opts VacuumOptions) (*VacuumResult, error) {
	t := o.resolve(info)
	if !opts.DryRun {
		var err error
		if t, err = o.maintained(info, "vacuum"); err != nil {
			return nil, err
		}
	}
	if t == nil {
		return nil, fmt.Errorf("vacuum %s: the table is not in this lake", info.Name)
	}
	return t.Vacuum(ctx, opts)
}

// Optimize bin-packs a table's small files into files near targetSize
// bytes (0: the default), committed without a change of content.
func (o *Ops) Optimize(ctx context.Context, info TableInfo, targetSize int64) (*OptimizeResult, error) {
	t, err := o.maintained(info, "optimize")
	if err != nil {
		return nil, err
	}
	return t.Optimize(ctx, delta.OptimizeOptions{TargetSize: targetSize})
}

// OptimizePlan is what an optimize would do, said before it runs.
type OptimizePlan struct {
	Files      int   // small files it would pack
	Bytes      int64 // their size
	Bins       int   // files it would write
	Partitions int   // partitions it would touch
}

// PlanOptimize says what Optimize would pack at targetSize, writing nothing.
func (o *Ops) PlanOptimize(ctx context.Context, info TableInfo, targetSize int64) (OptimizePlan, error) {
	t := o.resolve(info)
	if t == nil {
		return OptimizePlan{}, fmt.Errorf("optimize %s: the table is not in this lake", info.Name)
	}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return OptimizePlan{}, fmt.Errorf("optimize %s: %w", info.Name, err)
	}
	p := OptimizePlan{}
	parts := map[string]bool{}
	for _, bin := range delta.PlanOptimize(snap.Files(), snap.PartitionColumns(), targetSize) {
		p.Bins++
		parts[delta.PartitionKey(snap.PartitionColumns(), bin[0].PartitionValues)] = true
		for _, a := range bin {
			p.Files++
			p.Bytes += a.Size
		}
	}
	p.Partitions = len(parts)
	return p, nil
}

// CleanupLog deletes (or, dry, lists) the log files a table's
// delta.logRetentionDuration lets go.
func (o *Ops) CleanupLog(ctx context.Context, info TableInfo, dryRun bool) (*LogCleanupResult, error) {
	t := o.resolve(info)
	if !dryRun {
		var err error
		if t, err = o.maintained(info, "clean up the log of"); err != nil {
			return nil, err
		}
	}
	if t == nil {
		return nil, fmt.Errorf("clean up the log of %s: the table is not in this lake", info.Name)
	}
	return t.CleanupLog(ctx, delta.LogCleanupOptions{DryRun: dryRun})
}

// IsRetentionError reports whether err refuses a short vacuum retention.
func IsRetentionError(err error) bool {
	var re *RetentionError
	return errors.As(err, &re)
}
