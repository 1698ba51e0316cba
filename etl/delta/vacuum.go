package delta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/storage"
)

// VacuumOptions tune Table.Vacuum.
type VacuumOptions struct {
	// Retention keeps removed files this long after their removal and
	// unreferenced files this long after they were written; nil means the
	// table's delta.deletedFileRetentionDuration (7 days unless set).
	Retention *time.Duration
	// Force allows a retention shorter than the table's: time travel to the
	// versions in between breaks, and so do readers of them still running.
	Force bool
	// DryRun lists the files without deleting them.
	DryRun bool
	// Now is the time the retention counts back from; zero means time.Now().
	Now time.Time
}

// VacuumResult is what Vacuum deleted (or, with DryRun, would delete).
type VacuumResult struct {
	Version   int64       // the snapshot whose references were kept
	Files     []TableFile // sorted by path
	Bytes     int64
	Retention time.Duration
	Cutoff    time.Time
	DryRun    bool
}

// RetentionError refuses a retention shorter than the table's without Force.
type RetentionError struct {
	Asked, Table time.Duration
}

func (e *RetentionError) Error() string {
	return fmt.Sprintf("retention %s is shorter than the table's %s (%s): time travel to the versions in between and readers still using them would break",
		FormatInterval(e.Asked), DeletedFileRetentionProperty, FormatInterval(e.Table))
}

// vacuumDeleters bounds the deletes in flight.
const vacuumDeleters = 16

// Vacuum deletes the data files of the table that its latest version no
// longer references and that are older than the retention (see
// PlanVacuum): files removed before the cutoff, and files no commit ever
// added (left by writes that failed). The log is never touched.
func (t *Table) Vacuum(ctx context.Context, opts VacuumOptions) (*VacuumResult, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	if err := CheckWritable(snap.Protocol(), nil); err != nil {
		return nil, fmt.Errorf("vacuum %s: %w", t.URI(), err)
	}
	tableRetention, err := DeletedFileRetention(snap.Metadata().Configuration)
	if err != nil {
		return nil, fmt.Errorf("vacuum %s: %w", t.URI(), err)
	}
	ret := tableRetention
	if opts.Retention != nil {
		ret = *opts.Retention
	}
	switch {
	case ret < 0:
		return nil, fmt.Errorf("vacuum %s: retention %s is negative", t.URI(), ret)
	case ret < tableRetention && !opts.Force:
		return nil, fmt.Errorf("vacuum %s: %w", t.URI(), &RetentionError{Asked: ret, Table: tableRetention})
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := &VacuumResult{Version: snap.Version(), Retention: ret, Cutoff: now.Add(-ret), DryRun: opts.DryRun}
	referenced := map[string]bool{}
	keep := func(p string) {
		if rel, ok := t.relativeKey(p); ok {
			referenced[rel] = true
		}
	}
	for _, a := range snap.Files() {
		keep(a.Path)
	}
	cutoffMs := res.Cutoff.UnixMilli()
	for _, r := range snap.State().Tombstones() {
		if r.DeletionTimestamp != nil && *r.DeletionTimestamp >= cutoffMs {
			keep(r.Path)
		}
	}
	files, err := t.listFiles(ctx)
	if err != nil {
		return nil, err
	}
	res.Files = PlanVacuum(files, referenced, snap.PartitionColumns(), res.Cutoff)
	for _, f := range res.Files {
		res.Bytes += f.Size
	}
	if opts.DryRun {
		return res, nil
	}
	return res, t.deleteFiles(ctx, res.Files)
}

// relativeKey turns the path of an add or remove into a path relative to
// the table root; false when it points outside the table.
func (t *Table) relativeKey(p string) (string, bool) {
	key, err := t.DataKey(p)
	if err != nil {
		return "", false
	}
	if t.prefix == "" {
		return key, true
	}
	return strings.CutPrefix(key, t.prefix+"/")
}

// listFiles lists every object under the table root.
func (t *Table) listFiles(ctx context.Context) ([]TableFile, error) {
	prefix := t.key("")
	var out []TableFile
	for info, err := range t.store.List(ctx, prefix, storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("list the files of %s: %w", t.URI(), err)
		}
		if !info.IsPrefix {
			out = append(out, TableFile{Path: strings.TrimPrefix(info.Key, prefix), Size: info.Size, ModTime: info.ModTime})
		}
	}
	return out, nil
}

// deleteFiles deletes files of the table, a few at a time; every failure
// is reported, naming the file.
func (t *Table) deleteFiles(ctx context.Context, files []TableFile) error {
	var mu sync.Mutex
	var errs []error
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(vacuumDeleters)
	for _, f := range files {
		g.Go(func() error {
			if err := t.store.Delete(gctx, t.key(f.Path)); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("delete %s: %w", f.Path, err))
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("vacuum %s: %d of %d deletes failed: %w", t.URI(), len(errs), len(files), errors.Join(errs...))
	}
	return nil
}
