// Package worker is lakeops's pipeline worker: the actions a state machine
// invokes to load a lake with many workers at once — plan, process,
// commit, register, archive — each a JSON request answered with a JSON
// result (see README, "The worker"). The pipeline's own staged steps
// (pipeline.Plan, StageBatch, CommitStaged) do the work; this package
// decodes requests, names errors for Retry and Catch, and registers and
// archives. It has no AWS SDK dependency: a Host opens lakes and catalogs
// (aws/workerhost on Lambda and ECS, aws/flows/local on the local runner).
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// Actions.
const (
	ActionPlan     = "plan"
	ActionProcess  = "process"
	ActionCommit   = "commit"
	ActionRegister = "register"
	ActionArchive  = "archive"
)

// Error names, as a state machine's Retry and Catch see them.
const (
	// ErrInvalidInput is a request the worker cannot act on (unknown
	// action, bad load id, no such dataset): retrying cannot help.
	ErrInvalidInput = "Lakeops.InvalidInput"
	// ErrFailed is any other failure (storage, a MERGE that kept losing
	// races, a cancelled run): every action is idempotent, so retry it.
	ErrFailed = "Lakeops.Failed"
)

// Error is a failed action, named for Step Functions.
type Error struct {
	Name    string // ErrInvalidInput or ErrFailed
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

func invalid(format string, args ...any) error {
	return &Error{Name: ErrInvalidInput, Message: fmt.Sprintf(format, args...)}
}

// Request is one action. Fields that do not apply to the action are ignored.
type Request struct {
	Action string `json:"action"`
	// Lake is the lake URI (s3://bucket/prefix, a folder); empty: the host's.
	Lake string `json:"lake,omitempty"`
	// Load names the load (the execution name); plan, process, commit, archive.
	Load string `json:"load,omitempty"`

	// plan: files as `lakeops run` selects them (empty: every new raw file)
	// and the batch size (files, or a row budget).
	Files      []string `json:"files,omitempty"`
	Force      bool     `json:"force,omitempty"`
	BatchFiles int      `json:"batch_files,omitempty"`
	BatchRows  int64    `json:"batch_rows,omitempty"`

	// process: the batch (the ItemBatcher's Items) of one dataset; commit: the dataset.
	Dataset string                 `json:"dataset,omitempty"`
	Items   []pipeline.PlannedFile `json:"items,omitempty"`
	Limits  *Limits                `json:"limits,omitempty"`

	// register: "glue" or "local" and the Glue database.
	Catalog  string `json:"catalog,omitempty"`
	Database string `json:"database,omitempty"`

	// archive: the raw prefix (default the bronze layer).
	Prefix string `json:"prefix,omitempty"`
}

// Limits bound what one raw file may hold (as `lakeops run`'s flags).
type Limits struct {
	MaxFieldBytes        int   `json:"max_field_bytes,omitempty"`
	MaxRecordBytes       int   `json:"max_record_bytes,omitempty"`
	MaxDecompressedBytes int64 `json:"max_decompressed_bytes,omitempty"`
}

// Host gives the worker its lakes and catalogs.
type Host struct {
	// OpenLake opens a lake by URI; "" is the host's default lake.
	OpenLake func(ctx context.Context, uri string) (*lake.Lake, error)
	// Catalog opens a catalog ("glue" or "local") for register; nil
	// offers only the local catalog.
	Catalog func(ctx context.Context, kind, database string, lk *lake.Lake) (catalog.Catalog, error)
	// Now is the clock of archive's dated folders; default time.Now.
	Now func() time.Time
}

// HandleJSON decodes a request, runs it and encodes the result.
func (h Host) HandleJSON(ctx context.Context, payload []byte) ([]byte, error) {
	var req Request
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, invalid("the request is not a worker action: %v", err)
	}
	out, err := h.Handle(ctx, req)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// Handle runs one action. Errors are *Error.
func (h Host) Handle(ctx context.Context, req Request) (any, error) {
	out, err := h.handle(ctx, req)
	if err == nil {
		return out, nil
	}
	var we *Error
	if errors.As(err, &we) {
		return nil, err
	}
	return nil, &Error{Name: ErrFailed, Message: fmt.Sprintf("%s: %v", req.Action, err)}
}

func (h Host) handle(ctx context.Context, req Request) (any, error) {
	switch req.Action {
	case ActionPlan, ActionProcess, ActionCommit, ActionRegister, ActionArchive:
	case "":
		return nil, invalid("the request has no action (want plan, process, commit, register or archive)")
	default:
		return nil, invalid("unknown action %q (want plan, process, commit, register or archive)", req.Action)
	}
	if req.Action != ActionRegister && req.Action != ActionArchive || req.Load != "" {
		if err := checkLoad(req.Load); err != nil {
			return nil, err
		}
	}
	if h.OpenLake == nil {
		return nil, errors.New("the worker host opens no lakes")
	}
	lk, err := h.OpenLake(ctx, req.Lake)
	if err != nil {
		return nil, err
	}
	switch req.Action {
	case ActionPlan:
		return h.plan(ctx, lk, req)
	case ActionProcess:
		return h.process(ctx, lk, req)
	case ActionCommit:
		return h.commit(ctx, lk, req)
	case ActionRegister:
		return h.register(ctx, lk, req)
	}
	return h.archive(ctx, lk, req)
}

// checkLoad refuses a missing or malformed load id as invalid input.
func checkLoad(load string) error {
	if load == "" {
		return invalid("the request has no load (the execution name, e.g. $$.Execution.Name)")
	}
	if err := pipeline.CheckLoad(load); err != nil {
		return invalid("%v", err)
	}
	return nil
}

func (h Host) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// firstN keeps the first n elements (results must stay small: a state's
// payload is at most 256 KiB).
func firstN[T any](s []T, n int) []T {
	if s == nil {
		return []T{}
	}
	return s[:min(len(s), n)]
}
