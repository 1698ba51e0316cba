package delta

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/storage"
)

// Snapshot is a readable version of a table.
type Snapshot struct {
	table  *Table
	state  *State
	schema *StructType
	// mapping is the column mapping mode: "", ColumnMappingID or ColumnMappingName.
	mapping string
	// CommitTime is the modification time of the version's commit file (zero
	// when the version comes from a checkpoint only).
	CommitTime time.Time
}

// Version is the snapshot's table version.
func (s *Snapshot) Version() int64 { return s.state.Version }

// Table is the table the snapshot belongs to.
func (s *Snapshot) Table() *Table { return s.table }

// Schema is the table schema at this version.
func (s *Snapshot) Schema() *StructType { return s.schema }

// Metadata is the metaData action in force at this version.
func (s *Snapshot) Metadata() *Metadata { return s.state.Metadata }

// Protocol is the protocol action in force at this version.
func (s *Snapshot) Protocol() *Protocol { return s.state.Protocol }

// PartitionColumns are the table's partition columns.
func (s *Snapshot) PartitionColumns() []string { return s.state.Metadata.PartitionColumns }

// ColumnMapping is the column mapping mode data files follow:
// ColumnMappingID, ColumnMappingName, or "" (files use the schema's names).
func (s *Snapshot) ColumnMapping() string { return s.mapping }

// Files are the live data files, sorted by path.
func (s *Snapshot) Files() []*Add { return s.state.Files() }

// State exposes the reconciled log state (for checkpoints and conflict checks).
func (s *Snapshot) State() *State { return s.state }

// Snapshot loads the latest version of the table.
func (t *Table) Snapshot(ctx context.Context) (*Snapshot, error) {
	return t.SnapshotAt(ctx, -1)
}

// SnapshotAt loads the given version of the table (latest when version < 0).
// It refuses tables that need reader features lakeops lacks and broken logs.
func (t *Table) SnapshotAt(ctx context.Context, version int64) (*Snapshot, error) {
	seg, err := t.segment(ctx, version)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.URI(), err)
	}
	st, commitTime, err := t.replay(ctx, seg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.URI(), err)
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", t.URI(), err)
	}
	if err := CheckReadable(st.Protocol, st.Metadata); err != nil {
		return nil, fmt.Errorf("%s: %w", t.URI(), err)
	}
	if st.Metadata.SchemaString == "" {
		return nil, fmt.Errorf("%s: %w", t.URI(), &BrokenLogError{Reason: fmt.Sprintf("the metaData action in force at version %d has no schemaString", st.Version)})
	}
	schema, err := ParseSchema(st.Metadata.SchemaString)
	if err != nil {
		return nil, fmt.Errorf("%s: version %d: %w", t.URI(), st.Version, err)
	}
	for _, pc := range st.Metadata.PartitionColumns {
		if schema.Field(pc) == nil {
			return nil, fmt.Errorf("%s: version %d: partition column %q is not in the schema", t.URI(), st.Version, pc)
		}
	}
	mode := ColumnMappingMode(st.Protocol, st.Metadata)
	if err := checkColumnMapping(schema, mode, ""); err != nil {
		return nil, fmt.Errorf("%s: version %d: %w", t.URI(), st.Version, err)
	}
	return &Snapshot{table: t, state: st, schema: schema, mapping: mode, CommitTime: commitTime}, nil
}

// replay reads the segment's checkpoint and commits and reconciles them.
func (t *Table) replay(ctx context.Context, seg Segment) (*State, time.Time, error) {
	st := NewState()
	if seg.CheckpointV >= 0 {
		actions, err := t.readCheckpoint(ctx, seg.Checkpoint)
		if err != nil {
			return nil, time.Time{}, err
		}
		if err := st.ApplyCheckpoint(seg.CheckpointV, actions); err != nil {
			return nil, time.Time{}, fmt.Errorf("checkpoint %d: %w", seg.CheckpointV, err)
		}
	}
	commits, err := t.readCommits(ctx, seg.Commits)
	if err != nil {
		return nil, time.Time{}, err
	}
	var last time.Time
	for i, f := range seg.Commits {
		if err := st.ApplyCommit(f.Version, commits[i].actions); err != nil {
			return nil, time.Time{}, err
		}
		last = commits[i].modTime
	}
	return st, last, nil
}

type commitFile struct {
	actions []Action
	modTime time.Time
}

// readCommits fetches and parses commit files concurrently, keeping their order.
func (t *Table) readCommits(ctx context.Context, files []LogFile) ([]commitFile, error) {
	out := make([]commitFile, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i, f := range files {
		g.Go(func() error {
			key := t.logKey(f.Name)
			b, err := storage.ReadAll(gctx, t.store, key)
			if err != nil {
				return fmt.Errorf("read commit %d: %w", f.Version, err)
			}
			actions, err := ParseCommit(b)
			if err != nil {
				return &BrokenLogError{Reason: fmt.Sprintf("commit %d (%s): %v", f.Version, f.Name, err)}
			}
			out[i] = commitFile{actions: actions}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(files) > 0 {
		if info, err := t.store.Stat(ctx, t.logKey(files[len(files)-1].Name)); err == nil {
			out[len(out)-1].modTime = info.ModTime
		}
	}
	return out, nil
}
