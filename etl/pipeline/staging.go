package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
)

// A load fanned out over many workers keeps the meaning of one run. It
// has three steps, each an action of the worker (etl/worker):
//
//   - Plan lists the new raw files once, in the order a run would read
//     them, and numbers each dataset's files (their ordinals).
//   - StageBatch, run by many workers at once, reads and checks a batch of one
//     dataset's files and stages them under _lakeops/staging/<load>/: the
//     valid rows of each file, typed, in a Parquet file (with line and raw
//     text), its rejected rows in another, and a manifest written last.
//     Nothing is deduplicated or checked against other files here.
//   - CommitStaged, once per dataset in dataset order, reads the staged
//     keys of every batch (the key pass of a run), then the staged rows in
//     ordinal order through the same dedup, reference checks and MERGE a
//     run uses, writes the rejects and the ingest log, and removes the
//     dataset's staging. Its MERGE records a Delta txn for the load, so a
//     retried commit never applies twice.

// StagingPrefix is where loads keep their plans and staged batches,
// relative to the lake root.
const StagingPrefix = "_lakeops/staging/"

var loadRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$`)

// CheckLoad validates a load id (it names a folder of the staging area).
func CheckLoad(load string) error {
	if !loadRE.MatchString(load) {
		return fmt.Errorf("bad load id %q: letters, digits, '-', '_' and '.', at most 80, not starting with a symbol (an execution name fits)", load)
	}
	return nil
}

// LoadPrefix is the staging folder of a load.
func LoadPrefix(load string) string { return StagingPrefix + load + "/" }

func planKey(load string) string { return LoadPrefix(load) + "plan.json" }

// ItemsKey is the JSON array of a dataset's planned files, the items a
// Distributed Map reads (ItemReader), relative to the lake root.
func ItemsKey(load, ds string) string { return LoadPrefix(load) + "items/" + ds + ".json" }

func datasetStaging(load, ds string) string { return LoadPrefix(load) + ds + "/" }

func batchPrefix(load, ds, batch string) string {
	return datasetStaging(load, ds) + "batches/" + batch + "/"
}

func manifestKey(load, ds, batch string) string { return batchPrefix(load, ds, batch) + "batch.json" }

func commitPrefix(load, ds string) string { return datasetStaging(load, ds) + "commit/" }

// PlannedFile is one raw file of a load, as the plan saw it: an item of
// the Distributed Map.
type PlannedFile struct {
	Key     string    `json:"key"`
	Size    int64     `json:"size"`
	ETag    string    `json:"etag,omitempty"`
	ModTime time.Time `json:"mtime"`
	// Ordinal is the file's place in its dataset's input order: dedup ties
	// go to the later one, as in a run.
	Ordinal int `json:"ordinal"`
}

func (p PlannedFile) identity() ledger.Identity {
	return ledger.Identity{Key: p.Key, Size: p.Size, ETag: p.ETag, ModTime: p.ModTime}
}

// DatasetPlan is the part of a load for one dataset.
type DatasetPlan struct {
	Dataset       string        `json:"dataset"`
	Files         int           `json:"files"`
	Bytes         int64         `json:"bytes"`
	EstimatedRows int64         `json:"estimated_rows"`
	BatchFiles    int           `json:"batch_files"` // files per batch (the ItemBatcher's MaxItemsPerBatch)
	Batches       int           `json:"batches"`
	ItemsKey      string        `json:"items_key"` // see ItemsKey
	Items         []PlannedFile `json:"items,omitempty"`
}

// LoadPlan is a load: its new raw files by dataset, in processing order.
type LoadPlan struct {
	Load    string        `json:"load"`
	Started time.Time     `json:"started"` // the rejected_at and started_at of everything the load writes
	Force   bool          `json:"force,omitempty"`
	Files   int           `json:"files"` // files to load, all datasets
	Sets    []DatasetPlan `json:"datasets"`
	// NotLoaded are the files the load leaves out: failed ones (no dataset
	// can be told from the name, unreadable), which the plan records in the
	// ingest log, and named files already ingested (skipped).
	NotLoaded []FileResult `json:"not_loaded"`
}

// Dataset returns the plan of one dataset.
func (p *LoadPlan) Dataset(name string) (*DatasetPlan, error) {
	for i := range p.Sets {
		if p.Sets[i].Dataset == name {
			return &p.Sets[i], nil
		}
	}
	return nil, fmt.Errorf("load %s has no dataset %q", p.Load, name)
}

// Summary returns the plan without the file lists (what a state machine carries).
func (p *LoadPlan) Summary() *LoadPlan {
	out := *p
	out.Sets = make([]DatasetPlan, len(p.Sets))
	for i, d := range p.Sets {
		d.Items = nil
		out.Sets[i] = d
	}
	return &out
}

// ReadPlan reads the plan of a load.
func ReadPlan(ctx context.Context, lk *lake.Lake, load string) (*LoadPlan, error) {
	if err := CheckLoad(load); err != nil {
		return nil, err
	}
	var p LoadPlan
	if err := readJSON(ctx, lk.Store, planKey(load), &p); err != nil {
		if errors.Is(err, storage.ErrNotExist) {
			return nil, fmt.Errorf("load %s has no plan (%s): plan it first: %w", load, planKey(load), err)
		}
		return nil, fmt.Errorf("read the plan of load %s: %w", load, err)
	}
	return &p, nil
}

// StagedFile is what a worker did with one raw file of its batch.
type StagedFile struct {
	PlannedFile
	Identity         string           `json:"identity"`
	Header           string           `json:"header,omitempty"`
	Status           string           `json:"status"` // succeeded (staged) or failed
	Error            string           `json:"error,omitempty"`
	RowsRead         int64            `json:"rows_read"`
	Rejected         int64            `json:"rejected"` // by the row rules
	RejectedByReason map[string]int64 `json:"rejected_by_reason"`
	Valid            int64            `json:"valid"`                  // rows that passed the rules, in ValidKey
	ValidKey         string           `json:"valid_file,omitempty"`   // Parquet file of the valid rows ("" when none)
	RejectsKey       string           `json:"rejects_file,omitempty"` // Parquet file of the rejected rows ("" when none)
	Rules            string           `json:"rules,omitempty"`        // the fingerprint of the rules and limits it was checked under
}

// BatchManifest is a staged batch. It is written last, once: a batch
// without a manifest was never staged, whatever files it left.
type BatchManifest struct {
	Load    string       `json:"load"`
	Dataset string       `json:"dataset"`
	Batch   string       `json:"batch"`
	Staged  time.Time    `json:"staged"`
	Files   []StagedFile `json:"files"`
}

func readJSON(ctx context.Context, st storage.Store, key string, v any) error {
	b, err := storage.ReadAll(ctx, st, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// putOnce writes v under key unless the key exists; then it reads the
// existing value into v and reports false.
func putOnce(ctx context.Context, st storage.Store, key string, v any) (bool, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	err = st.PutIfAbsent(ctx, key, b)
	if errors.Is(err, storage.ErrExists) {
		return false, readJSON(ctx, st, key, v)
	}
	return err == nil, err
}

func putJSON(ctx context.Context, st storage.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, bytes.NewReader(b))
}

// removePrefix deletes every object under a prefix.
func removePrefix(ctx context.Context, st storage.Store, prefix string) error {
	var keys []string
	for obj, err := range st.List(ctx, prefix, storage.ListOptions{}) {
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		keys = append(keys, obj.Key)
	}
	for _, k := range keys {
		if err := st.Delete(ctx, k); err != nil && !errors.Is(err, storage.ErrNotExist) {
			return fmt.Errorf("remove staging %s: %w", k, err)
		}
	}
	return nil
}

// RemoveLoad deletes a load's whole staging folder (after its archive step).
func RemoveLoad(ctx context.Context, lk *lake.Lake, load string) error {
	if err := CheckLoad(load); err != nil {
		return err
	}
	if err := lk.CheckWritable("remove a load's staging"); err != nil {
		return err
	}
	return removePrefix(ctx, lk.Store, LoadPrefix(load))
}

// batchID names a batch by its files' ordinals, so that a retried batch
// finds what an earlier attempt staged.
func batchID(files []PlannedFile) string {
	lo, hi := files[0].Ordinal, files[0].Ordinal
	var sig strings.Builder
	for _, f := range files {
		lo, hi = min(lo, f.Ordinal), max(hi, f.Ordinal)
		fmt.Fprintf(&sig, "%d,", f.Ordinal)
	}
	if hi-lo+1 == len(files) {
		return fmt.Sprintf("%06d-%06d", lo, hi)
	}
	h := fnv.New32a() // a batch that is not a range: its ordinals' hash tells it apart
	h.Write([]byte(sig.String()))
	return fmt.Sprintf("%06d-%06d-%08x", lo, hi, h.Sum32())
}
