package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
)

// PlannedFile is one raw file a load would take.
type PlannedFile struct {
	Key     string
	Dataset string // "?" when the name says none (the file will fail)
	Size    int64
	// Status is the file's ingest status (RawNew, RawIngested, …), or
	// "missing" when a named file does not exist.
	Status string
}

// Planned statuses beyond the ingest log's.
const (
	// PlanMissing: a named file does not exist (the load fails naming it).
	PlanMissing = "missing"
)

// LoadPlan is what a load (a run, a flow execution) would do, said before
// it starts: the files it takes — the named ones, or the new ones as
// ledger.Ingested decides (NewFiles) — and where a successful file is
// archived to.
type LoadPlan struct {
	Files []PlannedFile
	// Named: the files were named (not the new files of the raw zone).
	Named bool
	Force bool
	// RawRoot is the raw zone; ArchivePrefix is where a file whose load
	// succeeded is moved (archive/YYYY/MM/DD/ of today, UTC).
	RawRoot, ArchivePrefix string
	// IngestedBefore counts, in a plan of the new files (not Named), the
	// raw files of the raw zone that the ingest log records as ingested: an
	// archive step after the load moves them too.
	IngestedBefore int
}

// Keys are the planned files' keys.
func (p LoadPlan) Keys() []string {
	keys := make([]string, len(p.Files))
	for i, f := range p.Files {
		keys[i] = f.Key
	}
	return keys
}

// ingested reports whether the ingest log records a planned file as ingested.
func (f PlannedFile) ingested() bool {
	return f.Status == RawIngested || f.Status == RawPartial || f.Status == RawAllRejected
}

// IngestedBesides counts the raw files of the raw zone that the ingest
// log records as ingested, other than the plan's: what an archive step
// after the load moves besides the load's files. A plan of the new files
// knows it (IngestedBefore); for named files the raw zone is listed.
func (o *Ops) IngestedBesides(ctx context.Context, p LoadPlan) (int, error) {
	if !p.Named {
		return p.IngestedBefore, nil
	}
	all, err := o.PlanLoad(ctx, nil, false, time.Now())
	if err != nil {
		return 0, err
	}
	n := all.IngestedBefore
	for _, f := range p.Files {
		if f.ingested() {
			n--
		}
	}
	return n, nil
}

// NothingNew says why a plan of the new raw files holds none: every raw
// file is ingested (hint says how to load them again), or there is none.
func (p LoadPlan) NothingNew(hint string) string {
	if p.IngestedBefore > 0 {
		return fmt.Sprintf("nothing new to load: every raw file is ingested (%s)", hint)
	}
	return fmt.Sprintf("nothing to load: %s holds no raw file", p.RawRoot)
}

// Missing lists the named files that do not exist.
func (p LoadPlan) Missing() []string {
	var out []string
	for _, f := range p.Files {
		if f.Status == PlanMissing {
			out = append(out, f.Key)
		}
	}
	return out
}

// Skipped counts the named files a load without force skips (ingested already).
func (p LoadPlan) Skipped() int {
	n := 0
	for _, f := range p.Files {
		if !p.Force && f.ingested() {
			n++
		}
	}
	return n
}

// ByDataset counts the files by dataset.
func (p LoadPlan) ByDataset() map[string]int {
	out := map[string]int{}
	for _, f := range p.Files {
		if f.Status != PlanMissing {
			out[f.Dataset]++
		}
	}
	return out
}

// PlanLoad says what a load of files (none: every new raw file) would
// take, at now (for the archive's date folder).
func (o *Ops) PlanLoad(ctx context.Context, files []string, force bool, now time.Time) (LoadPlan, error) {
	p := LoadPlan{Named: len(files) > 0, Force: force, RawRoot: o.RawRoot(),
		ArchivePrefix: strings.TrimSuffix(o.lake.Layout.Archive, "/") + "/" + now.UTC().Format("2006/01/02") + "/"}
	x, err := o.IngestIndex(ctx)
	if err != nil {
		return p, err
	}
	add := func(e RawEntry) {
		p.Files = append(p.Files, PlannedFile{Key: e.Key, Dataset: e.Dataset, Size: e.Size, Status: x.Status(e, nil)})
	}
	if !p.Named {
		for info, err := range o.lake.Store.List(ctx, o.lake.Layout.Bronze, storage.ListOptions{}) {
			if err != nil {
				return p, fmt.Errorf("list raw files: %w", err)
			}
			switch e := rawEntry(info, ""); {
			case !e.Raw:
			case x.ix.Ingested(e.identity()):
				p.IngestedBefore++
			default:
				add(e)
			}
		}
		return p, nil
	}
	seen := map[string]bool{}
	for _, key := range files {
		key = strings.TrimPrefix(key, "/")
		if seen[key] {
			continue
		}
		seen[key] = true
		info, err := o.lake.Store.Stat(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotExist):
			ds := "?"
			if d, ok := dataset.Detect(key); ok {
				ds = d.Name
			}
			p.Files = append(p.Files, PlannedFile{Key: key, Dataset: ds, Status: PlanMissing})
		case err != nil:
			return p, fmt.Errorf("stat %s: %w", key, err)
		default:
			add(rawEntry(info, ""))
		}
	}
	return p, nil
}
