package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/ledger"
)

// Ingest statuses of a raw file (IngestIndex.Status).
const (
	RawNew         = ledger.FileNew
	RawIngested    = ledger.FileIngested
	RawPartial     = ledger.FilePartial
	RawAllRejected = ledger.FileAllRejected
	RawFailed      = ledger.FileFailed
	RawCancelled   = ledger.FileCancelled
	RawRunning     = "running"
	RawNotRaw      = "not a raw file"
)

// RawEntry is one entry of a raw-zone listing: a file or a folder.
type RawEntry struct {
	Key      string
	Name     string // relative to the folder listed
	Folder   bool
	Size     int64
	Modified time.Time
	ETag     string
	// Dataset is the dataset the file or folder name says; "?" for a raw
	// file that names none; "" otherwise.
	Dataset string
	// Raw reports a raw CSV file (.csv or .csv.gz).
	Raw bool
}

func (e RawEntry) identity() ledger.Identity {
	return ledger.Identity{Key: e.Key, Size: e.Size, ETag: e.ETag, ModTime: e.Modified}
}

// RawPage is one page of a folder listing.
type RawPage struct {
	Entries []RawEntry
	More    bool // the folder has entries after these
}

// ListRaw lists one level of a folder (folders and files), at most limit
// entries after the key after ("" from the start).
func (o *Ops) ListRaw(ctx context.Context, dir, after string, limit int) (RawPage, error) {
	var page RawPage
	opts := storage.ListOptions{Delimited: true, StartAfter: after}
	for info, err := range o.lake.Store.List(ctx, dir, opts) {
		if err != nil {
			return page, fmt.Errorf("list %s: %w", dir, err)
		}
		if len(page.Entries) == limit {
			page.More = true
			return page, nil
		}
		page.Entries = append(page.Entries, rawEntry(info, dir))
	}
	return page, nil
}

func rawEntry(info storage.ObjectInfo, dir string) RawEntry {
	e := RawEntry{Key: info.Key, Name: strings.TrimPrefix(info.Key, dir), Folder: info.IsPrefix, Size: info.Size,
		Modified: info.ModTime, ETag: info.ETag, Raw: !info.IsPrefix && dataset.IsRawFile(info.Key)}
	if ds, ok := dataset.Detect(strings.TrimSuffix(info.Key, "/")); ok {
		e.Dataset = ds.Name
	} else if e.Raw {
		e.Dataset = "?"
	}
	return e
}

// IngestIndex is the ingest log read once, to tell the status of many raw
// files.
type IngestIndex struct{ ix ledger.Index }

// IngestIndex reads the ingest log.
func (o *Ops) IngestIndex(ctx context.Context) (IngestIndex, error) {
	entries, err := ledger.Open(o.lake).Entries(ctx)
	if err != nil {
		return IngestIndex{}, fmt.Errorf("read the ingest log: %w", err)
	}
	return IngestIndex{ix: ledger.NewIndex(entries)}, nil
}

// Status is an entry's ingest status: "" for a folder, RawNotRaw for a
// file that is not raw CSV, RawRunning while a job works on it (running,
// from a job snapshot's RunningFiles), else what the ingest log says
// (RawNew, RawIngested, RawPartial, RawAllRejected, RawFailed, RawCancelled).
func (x IngestIndex) Status(e RawEntry, running map[string]bool) string {
	switch {
	case e.Folder:
		return ""
	case !e.Raw:
		return RawNotRaw
	case running[e.Key]:
		return RawRunning
	}
	return x.ix.Status(e.identity())
}

// NewFiles lists the raw files a default run would take: every raw file
// under the raw zone that the ingest log has not recorded as ingested.
func (o *Ops) NewFiles(ctx context.Context) ([]string, error) {
	p, err := o.PlanLoad(ctx, nil, false, time.Now())
	if err != nil {
		return nil, err
	}
	return p.Keys(), nil
}

// NewFilesInput is the input a flow execution would load: the new raw
// files as {"files": [...]}.
func (o *Ops) NewFilesInput(ctx context.Context) (string, error) {
	files, err := o.NewFiles(ctx)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string][]string{"files": files})
	return string(b), err
}

// NewIngestIndex indexes ingest-log entries (a front end's test builds the
// statuses it shows from them).
func NewIngestIndex(entries []LogEntry) IngestIndex { return IngestIndex{ix: ledger.NewIndex(entries)} }

// RawFilesUnder lists the raw files under a folder of the raw zone, every
// level (to run a whole folder).
func (o *Ops) RawFilesUnder(ctx context.Context, dir string) ([]string, error) {
	var out []string
	for info, err := range o.lake.Store.List(ctx, dir, storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		if e := rawEntry(info, ""); e.Raw {
			out = append(out, e.Key)
		}
	}
	return out, nil
}

// RawFilesOf resolves the keys a run is given: a raw file's key stays; any
// other key names a folder and stands for the raw files under it, every
// level; a folder holding none is an error naming it.
func (o *Ops) RawFilesOf(ctx context.Context, keys []string) ([]string, error) {
	var out []string
	for _, k := range keys {
		if dataset.IsRawFile(k) {
			out = append(out, k)
			continue
		}
		files, err := o.RawFilesUnder(ctx, strings.TrimSuffix(k, "/")+"/")
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no raw file (.csv, .csv.gz) there or under it", k)
		}
		out = append(out, files...)
	}
	return out, nil
}

// ArchiveRoot is the archive's prefix, ending in "/": where a flow moves
// the raw files whose load succeeded.
func (o *Ops) ArchiveRoot() string { return strings.TrimSuffix(o.lake.Layout.Archive, "/") + "/" }

// HasRawFiles reports whether the raw zone holds any raw file at all (an
// empty lake is told what to do next rather than shown an empty run).
func (o *Ops) HasRawFiles(ctx context.Context) (bool, error) {
	for info, err := range o.lake.Store.List(ctx, o.lake.Layout.Bronze, storage.ListOptions{}) {
		if err != nil {
			return false, fmt.Errorf("list raw files: %w", err)
		}
		if rawEntry(info, "").Raw {
			return true, nil
		}
	}
	return false, nil
}

// IngestedWord is the status word of a file ingested with these counts
// (RawIngested, RawPartial or RawAllRejected), as IngestIndex.Status says it.
func IngestedWord(accepted, rejected int64) string { return ledger.IngestedWord(accepted, rejected) }
