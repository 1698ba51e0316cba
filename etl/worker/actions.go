package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// maxListed bounds the files a result names (the counts are complete).
const maxListed = 20

// Location is an object for an S3 ItemReader: the bucket and the key in
// it. On a folder lake Bucket is empty and Key is relative to the lake
// (the local runner reads it from the lake).
type Location struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"`
}

// locate finds a lake key in the lake's bucket.
func locate(lk *lake.Lake, key string) Location {
	rest, ok := strings.CutPrefix(lk.URI(), "s3://")
	if !ok {
		return Location{Key: key}
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		key = prefix + "/" + key
	}
	return Location{Bucket: bucket, Key: key}
}

// PlanResult is what plan returns.
type PlanResult struct {
	Load    string    `json:"load"`
	Lake    string    `json:"lake"`
	Started time.Time `json:"started"`
	Files   int       `json:"files"` // to load, all datasets
	// NotLoaded counts the files left out (failed or skipped); the first
	// ones are listed.
	NotLoaded      int                     `json:"not_loaded"`
	NotLoadedFiles []pipeline.FileResult   `json:"not_loaded_files"`
	Datasets       map[string]DatasetBatch `json:"datasets"`
	// CommitOrder is the order the datasets must be committed in.
	CommitOrder []string `json:"commit_order"`
}

// DatasetBatch is one dataset of a plan and where its items are.
type DatasetBatch struct {
	pipeline.DatasetPlan
	Reader Location `json:"reader"` // the items, for an ItemReader (s3:getObject, JSON)
}

func (h Host) plan(ctx context.Context, lk *lake.Lake, req Request) (any, error) {
	if err := namedFilesExist(ctx, lk, req.Files); err != nil {
		return nil, err
	}
	p, err := pipeline.Plan(ctx, lk, pipeline.PlanOptions{Load: req.Load, Files: req.Files, Force: req.Force,
		BatchFiles: req.BatchFiles, BatchRows: req.BatchRows})
	if err != nil {
		return nil, err
	}
	out := PlanResult{Load: p.Load, Lake: lk.URI(), Started: p.Started, Files: p.Files, NotLoaded: len(p.NotLoaded),
		NotLoadedFiles: firstN(p.NotLoaded, maxListed), Datasets: map[string]DatasetBatch{}}
	for _, dp := range p.Summary().Sets {
		out.Datasets[dp.Dataset] = DatasetBatch{DatasetPlan: dp, Reader: locate(lk, dp.ItemsKey)}
		out.CommitOrder = append(out.CommitOrder, dp.Dataset)
	}
	return out, nil
}

// FileFailure names a file that failed and why.
type FileFailure struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// BatchResult is what process returns.
type BatchResult struct {
	Load     string        `json:"load"`
	Dataset  string        `json:"dataset"`
	Batch    string        `json:"batch"`
	Files    int           `json:"files"`
	Staged   int           `json:"staged"`
	Failed   int           `json:"failed"`
	RowsRead int64         `json:"rows_read"`
	Valid    int64         `json:"valid"`    // passed the row rules (dedup and references come at commit)
	Rejected int64         `json:"rejected"` // by the row rules
	Failures []FileFailure `json:"failures"` // the first failed files
}

func (h Host) process(ctx context.Context, lk *lake.Lake, req Request) (any, error) {
	if _, err := dataset.ByName(req.Dataset); err != nil {
		return nil, invalid("process: %v", err)
	}
	if len(req.Items) == 0 {
		return nil, invalid("process: the batch has no items (the ItemBatcher's Items, as the plan wrote them)")
	}
	m, err := pipeline.StageBatch(ctx, lk, pipeline.BatchOptions{Load: req.Load, Dataset: req.Dataset, Files: req.Items, Limits: req.Limits.pipeline()})
	if err != nil {
		return nil, err
	}
	out := BatchResult{Load: m.Load, Dataset: m.Dataset, Batch: m.Batch, Files: len(m.Files), Failures: []FileFailure{}}
	for _, f := range m.Files {
		out.RowsRead += f.RowsRead
		out.Valid += f.Valid
		out.Rejected += f.Rejected
		if f.Status == ledger.StatusSucceeded {
			out.Staged++
			continue
		}
		out.Failed++
		if len(out.Failures) < maxListed {
			out.Failures = append(out.Failures, FileFailure{File: f.Key, Error: f.Error})
		}
	}
	return out, nil
}

func (l *Limits) pipeline() pipeline.Limits {
	if l == nil {
		return pipeline.Limits{}
	}
	return pipeline.Limits{MaxFieldBytes: l.MaxFieldBytes, MaxRecordBytes: l.MaxRecordBytes, MaxDecompressedBytes: l.MaxDecompressedBytes}
}

// CommitResult is what commit returns.
type CommitResult struct {
	Load      string          `json:"load"`
	Dataset   string          `json:"dataset"`
	Files     int             `json:"files"`
	Succeeded int             `json:"succeeded"`
	Failed    int             `json:"failed"`
	Skipped   int             `json:"skipped"` // loaded before (another load, or this commit before a retry)
	Totals    pipeline.Counts `json:"totals"`
	Failures  []FileFailure   `json:"failures"`
}

func (h Host) commit(ctx context.Context, lk *lake.Lake, req Request) (any, error) {
	if _, err := dataset.ByName(req.Dataset); err != nil {
		return nil, invalid("commit: %v", err)
	}
	sum, err := pipeline.CommitStaged(ctx, lk, pipeline.CommitOptions{Load: req.Load, Dataset: req.Dataset})
	if err != nil {
		return nil, err
	}
	out := CommitResult{Load: req.Load, Dataset: req.Dataset, Files: len(sum.Files), Totals: sum.Totals, Failures: []FileFailure{}}
	for _, f := range sum.Files {
		switch f.Status {
		case ledger.StatusSucceeded:
			out.Succeeded++
		case ledger.StatusSkipped:
			out.Skipped++
		default:
			out.Failed++
			if len(out.Failures) < maxListed {
				out.Failures = append(out.Failures, FileFailure{File: f.File, Error: f.Error})
			}
		}
	}
	return out, nil
}

// namedFilesExist fails a plan that names raw files that are not there (a
// redrive after they were archived, a typo): retrying cannot bring them
// back, and the error names them.
func namedFilesExist(ctx context.Context, lk *lake.Lake, files []string) error {
	var missing []string
	for _, key := range files {
		key = strings.TrimPrefix(key, "/")
		_, err := lk.Store.Stat(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotExist):
			missing = append(missing, key)
		case err != nil:
			return fmt.Errorf("plan: stat %s: %w", key, err)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return invalid("plan: raw file %s does not exist (archived, moved or deleted since it was named)", missing[0])
	}
	shown := firstN(missing, maxListed)
	more := ""
	if len(missing) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
	}
	return invalid("plan: %d named raw files do not exist (archived, moved or deleted since they were named): %s%s",
		len(missing), strings.Join(shown, ", "), more)
}
