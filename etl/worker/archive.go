package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// ArchiveResult is what Archive did.
type ArchiveResult struct {
	Archived        int      `json:"archived"`
	AlreadyArchived int      `json:"already_archived"` // of Archived: the copy was there already
	Kept            int      `json:"kept"`             // not ingested (new, failed or unknown): left in place
	ArchivePrefix   string   `json:"archive_prefix"`
	Files           []string `json:"files"`      // the first archive keys
	KeptFiles       []string `json:"kept_files"` // the first kept raw keys
	StagingRemoved  bool     `json:"staging_removed,omitempty"`
	// The load's outcome, when a load is named: its files (planned and
	// left out as failed), those the ingest log records as loaded, and the
	// others, which stay in the raw zone.
	LoadFiles     int           `json:"load_files"`
	LoadSucceeded int           `json:"load_succeeded"`
	LoadFailed    int           `json:"load_failed"`
	LoadFailures  []FileFailure `json:"load_failures"`
}

// Archive moves the raw files under prefix (default: the bronze layer)
// that the ingest log records as succeeded — this exact version of the
// file — to archive/YYYY/MM/DD/<basename> (now's UTC date); failed, new
// and unknown files stay where they are. Every page of the listing is
// visited. It is idempotent: Copy then Delete, and a file whose archive
// copy already exists (the same bytes) is only deleted from the raw zone.
// A different file with the same basename (from another folder, or a new
// version of the file) gets a ".N" suffix before its extension: a raw file
// is deleted only once its bytes are in the archive.
func Archive(ctx context.Context, lk *lake.Lake, prefix string, now time.Time) (*ArchiveResult, error) {
	if err := lk.CheckWritable("archive raw files"); err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = lk.Layout.Bronze
	}
	prefix = strings.TrimPrefix(prefix, "/")
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	dir := strings.TrimSuffix(lk.Layout.Archive, "/") + "/" + now.UTC().Format("2006/01/02") + "/"
	st := lk.Store
	out := &ArchiveResult{ArchivePrefix: dir}
	var moved, kept []string
	for obj, err := range st.List(ctx, prefix, storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		if obj.IsPrefix {
			continue
		}
		id := ledger.Identity{Key: obj.Key, Size: obj.Size, ETag: obj.ETag, ModTime: obj.ModTime}
		if !ledger.Ingested(entries, id) {
			kept = append(kept, obj.Key)
			continue
		}
		dst, done, err := archiveTarget(ctx, st, dir, obj)
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", obj.Key, err)
		}
		if done {
			out.AlreadyArchived++
		} else if err := st.Copy(ctx, obj.Key, dst); err != nil {
			return nil, fmt.Errorf("archive %s: %w", obj.Key, err)
		}
		if err := st.Delete(ctx, obj.Key); err != nil {
			return nil, fmt.Errorf("archive %s: %w", obj.Key, err)
		}
		moved = append(moved, dst)
	}
	out.Archived, out.Kept = len(moved), len(kept)
	out.Files, out.KeptFiles = firstN(moved, 100), firstN(kept, 100)
	return out, nil
}

// archiveTarget picks the archive key of a raw file; done reports that a
// copy of it (the same size and bytes) is already there.
func archiveTarget(ctx context.Context, st storage.Store, dir string, obj storage.ObjectInfo) (string, bool, error) {
	base := path.Base(obj.Key)
	ext := path.Ext(base)
	if strings.HasSuffix(base, ".csv.gz") {
		ext = ".csv.gz"
	}
	stem := strings.TrimSuffix(base, ext)
	for n := 0; n < 1000; n++ {
		dst := dir + base
		if n > 0 {
			dst = fmt.Sprintf("%s%s.%d%s", dir, stem, n, ext)
		}
		info, err := st.Stat(ctx, dst)
		if errors.Is(err, storage.ErrNotExist) {
			return dst, false, nil
		}
		if err != nil {
			return "", false, err
		}
		if info.Size != obj.Size {
			continue
		}
		same, err := sameBytes(ctx, st, obj.Key, dst)
		if err != nil {
			return "", false, err
		}
		if same {
			return dst, true, nil
		}
	}
	return "", false, fmt.Errorf("too many archived files named %s", base)
}

// sameBytes reports whether two objects of the same size hold the same
// bytes, reading both a piece at a time.
func sameBytes(ctx context.Context, st storage.Store, a, b string) (bool, error) {
	ra, err := st.Open(ctx, a, 0, -1)
	if err != nil {
		return false, err
	}
	defer ra.Close()
	rb, err := st.Open(ctx, b, 0, -1)
	if err != nil {
		return false, err
	}
	defer rb.Close()
	const piece = 256 << 10
	pa, pb := make([]byte, piece), make([]byte, piece)
	for {
		na, errA := io.ReadFull(ra, pa)
		nb, errB := io.ReadFull(rb, pb)
		if na != nb || !bytes.Equal(pa[:na], pb[:nb]) {
			return false, nil
		}
		endA := errors.Is(errA, io.EOF) || errors.Is(errA, io.ErrUnexpectedEOF)
		endB := errors.Is(errB, io.EOF) || errors.Is(errB, io.ErrUnexpectedEOF)
		switch {
		case errA != nil && !endA:
			return false, errA
		case errB != nil && !endB:
			return false, errB
		case endA || endB:
			return endA == endB, nil
		}
	}
}

func (h Host) archive(ctx context.Context, lk *lake.Lake, req Request) (any, error) {
	var plan *pipeline.LoadPlan
	if req.Load != "" {
		p, err := pipeline.ReadPlan(ctx, lk, req.Load)
		if err != nil && !errors.Is(err, storage.ErrNotExist) {
			return nil, err
		}
		plan = p // nil: archived before (a retry); the outcome is not known again
	}
	out, err := Archive(ctx, lk, req.Prefix, h.now())
	if err != nil {
		return nil, err
	}
	out.LoadFailures = []FileFailure{}
	if plan != nil {
		if err := loadOutcome(ctx, lk, plan, out); err != nil {
			return nil, err
		}
	}
	if req.Load != "" { // the load is over: its plan and items go
		if err := pipeline.RemoveLoad(ctx, lk, req.Load); err != nil {
			return nil, err
		}
		out.StagingRemoved = true
	}
	return out, nil
}

// loadOutcome counts a load's files by what the ingest log says of them.
func loadOutcome(ctx context.Context, lk *lake.Lake, plan *pipeline.LoadPlan, out *ArchiveResult) error {
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil {
		return err
	}
	why := map[string]string{} // the load's last word on a file it did not load
	for _, e := range entries {
		if e.RunID == plan.Load && e.Status != ledger.StatusSucceeded {
			why[e.File] = e.Error
		}
	}
	failed := func(file, msg string) {
		out.LoadFailed++
		if len(out.LoadFailures) < maxListed {
			out.LoadFailures = append(out.LoadFailures, FileFailure{File: file, Error: msg})
		}
	}
	for _, dp := range plan.Sets {
		for _, f := range dp.Items {
			out.LoadFiles++
			id := ledger.Identity{Key: f.Key, Size: f.Size, ETag: f.ETag, ModTime: f.ModTime}
			switch {
			case ledger.Ingested(entries, id):
				out.LoadSucceeded++
			case why[f.Key] != "":
				failed(f.Key, why[f.Key])
			default:
				failed(f.Key, "not loaded: no commit recorded it")
			}
		}
	}
	for _, f := range plan.NotLoaded {
		if f.Status == ledger.StatusFailed {
			out.LoadFiles++
			failed(f.File, f.Error)
		}
	}
	return nil
}
