package delta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
)

// EngineInfo is written into every commitInfo.
const EngineInfo = "lakeops Delta-Writer/1"

// MaxCommitAttempts bounds how often a commit is rebased onto concurrent winners.
const MaxCommitAttempts = 100

// Operation describes a commit for commitInfo and history.
type Operation struct {
	Name       string            // e.g. "WRITE", "MERGE", "CREATE TABLE"
	Parameters map[string]string // operationParameters
	Metrics    map[string]string // operationMetrics
}

// Transaction collects the actions of one commit against a read snapshot.
type Transaction struct {
	table     *Table
	read      *Snapshot // nil when creating a table
	adds      []*Add
	removes   []*Remove
	txns      []Txn
	metadata  *Metadata
	protocol  *Protocol
	readSet   ReadSet
	blindOnly bool
}

// NewTransaction starts a transaction on this snapshot. Declare what it read
// with ReadWholeTable, ReadPartition and ReadFile; a transaction that
// declares nothing is a blind append.
func (s *Snapshot) NewTransaction() *Transaction {
	return &Transaction{table: s.table, read: s, readSet: ReadSet{Partitions: map[string]bool{}, Files: map[string]bool{}}, blindOnly: true}
}

// ReadWholeTable declares that the outcome depends on the whole table.
func (tx *Transaction) ReadWholeTable() { tx.readSet.WholeTable = true; tx.blindOnly = false }

// ReadPartition declares that the outcome depends on the rows of one partition
// (partition values keyed by column; a nil value is the null partition).
func (tx *Transaction) ReadPartition(values map[string]*string) {
	tx.readSet.Partitions[PartitionKey(tx.read.PartitionColumns(), values)] = true
	tx.blindOnly = false
}

// ReadWhere declares that the outcome depends on the rows of every file
// holds is true for, including files a concurrent writer adds (see
// ReadSet.Where). Declared again, either predicate counts.
func (tx *Transaction) ReadWhere(holds func(*Add) bool) {
	if prev := tx.readSet.Where; prev != nil {
		tx.readSet.Where = func(a *Add) bool { return prev(a) || holds(a) }
	} else {
		tx.readSet.Where = holds
	}
	tx.blindOnly = false
}

// ReadFile declares that the outcome depends on a file's content.
func (tx *Transaction) ReadFile(path string) {
	if p, err := CanonicalPath(path); err == nil {
		tx.readSet.Files[p] = true
		tx.blindOnly = false
	}
}

// Add adds data files.
func (tx *Transaction) Add(adds ...*Add) { tx.adds = append(tx.adds, adds...) }

// Remove removes a live data file of the read snapshot, with dataChange set
// as given (false for a rewrite that keeps the rows).
func (tx *Transaction) Remove(a *Add, dataChange bool) {
	ts := time.Now().UnixMilli()
	size := a.Size
	tx.removes = append(tx.removes, &Remove{Path: a.Path, DeletionTimestamp: &ts, DataChange: dataChange,
		ExtendedFileMetadata: true, PartitionValues: a.PartitionValues, Size: &size})
	tx.ReadFile(a.Path)
}

// SetTxn records that the idempotent writer appID has committed version.
func (tx *Transaction) SetTxn(appID string, version int64) {
	now := time.Now().UnixMilli()
	tx.txns = append(tx.txns, Txn{AppID: appID, Version: version, LastUpdated: &now})
}

// Commit writes the transaction as the next version with put-if-absent. When
// another writer took that version first, the winner is checked for conflicts
// (see CheckConflict); without one, the commit is retried at the next
// version, otherwise a *ConflictError is returned. Every CheckpointInterval
// versions a checkpoint is written and the expired log cleaned up (see
// CleanupLog); if only that fails, the commit stands and the returned error
// is a *CheckpointError.
func (tx *Transaction) Commit(ctx context.Context, op Operation) (int64, error) {
	if tx.read != nil {
		if err := CheckWritable(tx.read.Protocol(), tx.read.Schema()); err != nil {
			return -1, fmt.Errorf("%s: %w", tx.table.URI(), err)
		}
		if tx.read.Metadata().Configuration["delta.appendOnly"] == "true" {
			for _, r := range tx.removes {
				if r.DataChange {
					return -1, fmt.Errorf("%s: table is append-only (delta.appendOnly=true): cannot remove %s", tx.table.URI(), r.Path)
				}
			}
		}
	}
	removes := map[string]bool{}
	for _, r := range tx.removes {
		p, err := CanonicalPath(r.Path)
		if err != nil {
			return -1, err
		}
		removes[p] = true
	}
	appIDs := map[string]bool{}
	for _, t := range tx.txns {
		appIDs[t.AppID] = true
	}
	readVersion := int64(-1)
	if tx.read != nil {
		readVersion = tx.read.Version()
	}
	txnID := newUUID()
	version := readVersion + 1
	for attempt := 0; attempt < MaxCommitAttempts; attempt++ {
		data, err := EncodeCommit(tx.actions(op, readVersion, txnID))
		if err != nil {
			return -1, err
		}
		err = tx.table.store.PutIfAbsent(ctx, tx.table.logKey(CommitName(version)), data)
		if err == nil {
			return version, tx.table.maybeCheckpoint(ctx, version)
		}
		if !errors.Is(err, storage.ErrExists) {
			return -1, fmt.Errorf("commit version %d of %s: %w", version, tx.table.URI(), err)
		}
		// Lost the race: check the winner, then try the next version.
		winner, err := tx.table.readCommits(ctx, []LogFile{{Name: CommitName(version), Kind: KindCommit, Version: version}})
		if err != nil {
			return -1, fmt.Errorf("read winning commit %d of %s: %w", version, tx.table.URI(), err)
		}
		if ownCommit(winner[0].actions, txnID) {
			// A retried request that had in fact landed: the winner is this commit.
			return version, tx.table.maybeCheckpoint(ctx, version)
		}
		if tx.read == nil {
			return -1, fmt.Errorf("create %s: %w", tx.table.URI(), ErrTableExists)
		}
		if err := CheckConflict(version, winner[0].actions, tx.read.PartitionColumns(), tx.readSet, removes, appIDs); err != nil {
			return -1, fmt.Errorf("%s: %w", tx.table.URI(), err)
		}
		version++
	}
	return -1, fmt.Errorf("%s: gave up after %d concurrent commits won the race", tx.table.URI(), MaxCommitAttempts)
}

// ErrTableExists reports a create on a location that already has a table.
var ErrTableExists = errors.New("a Delta table already exists here")

// actions renders the commit: commitInfo first, then protocol/metadata, txns, removes, adds.
func (tx *Transaction) actions(op Operation, readVersion int64, txnID string) []Action {
	ci := CommitInfo{
		"timestamp":      time.Now().UnixMilli(),
		"operation":      op.Name,
		"isolationLevel": "Serializable",
		"isBlindAppend":  tx.blindOnly && len(tx.removes) == 0,
		"engineInfo":     EngineInfo,
		"txnId":          txnID,
	}
	if op.Parameters != nil {
		ci["operationParameters"] = op.Parameters
	} else {
		ci["operationParameters"] = map[string]string{}
	}
	if op.Metrics != nil {
		ci["operationMetrics"] = op.Metrics
	}
	if readVersion >= 0 {
		ci["readVersion"] = readVersion
	}
	out := []Action{{CommitInfo: &ci}}
	if tx.protocol != nil {
		out = append(out, Action{Protocol: tx.protocol})
	}
	if tx.metadata != nil {
		out = append(out, Action{MetaData: tx.metadata})
	}
	for i := range tx.txns {
		out = append(out, Action{Txn: &tx.txns[i]})
	}
	for _, r := range tx.removes {
		out = append(out, Action{Remove: r})
	}
	for _, a := range tx.adds {
		out = append(out, Action{Add: a})
	}
	return out
}

// CheckpointError reports a checkpoint that failed after its commit landed.
type CheckpointError struct {
	Version int64
	Err     error
}

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("version %d committed, but its checkpoint or the log cleanup after it failed: %v", e.Version, e.Err)
}

func (e *CheckpointError) Unwrap() error { return e.Err }

func (t *Table) maybeCheckpoint(ctx context.Context, version int64) error {
	if version == 0 || version%CheckpointInterval != 0 {
		return nil
	}
	snap, err := t.SnapshotAt(ctx, version)
	if err == nil {
		err = t.WriteCheckpoint(ctx, snap)
	}
	if err == nil {
		err = t.cleanupAfterCheckpoint(ctx, snap)
	}
	if err != nil {
		return &CheckpointError{Version: version, Err: err}
	}
	return nil
}

// CreateOptions describe a new table.
type CreateOptions struct {
	Schema           *StructType
	PartitionColumns []string
	Configuration    map[string]string
	Name             string
}

// Create makes version 0 of a new table (protocol reader 1 / writer 2). It
// fails with ErrTableExists when the location already holds a table.
func (t *Table) Create(ctx context.Context, opts CreateOptions) (*Snapshot, error) {
	for _, pc := range opts.PartitionColumns {
		f := opts.Schema.Field(pc)
		if f == nil {
			return nil, fmt.Errorf("create %s: partition column %q is not in the schema", t.URI(), pc)
		}
		if _, ok := f.Type.(*PrimitiveType); !ok {
			if _, ok := f.Type.(*DecimalType); !ok {
				return nil, fmt.Errorf("create %s: partition column %q has type %s; only primitive types can partition", t.URI(), pc, f.Type)
			}
		}
	}
	ss, err := SchemaString(opts.Schema)
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	cfg := opts.Configuration
	if cfg == nil {
		cfg = map[string]string{}
	}
	pcs := opts.PartitionColumns
	if pcs == nil {
		pcs = []string{}
	}
	tx := &Transaction{table: t,
		protocol: &Protocol{MinReaderVersion: WriterReaderVersion, MinWriterVersion: WriterWriterVersion},
		metadata: &Metadata{ID: newUUID(), Name: opts.Name, Format: Format{Provider: "parquet", Options: map[string]string{}},
			SchemaString: ss, PartitionColumns: pcs, Configuration: cfg, CreatedTime: &now},
	}
	partCols, _ := json.Marshal(pcs)
	if _, err := tx.Commit(ctx, Operation{Name: "CREATE TABLE", Parameters: map[string]string{
		"isManaged": "false", "description": "", "partitionBy": string(partCols), "properties": "{}"}}); err != nil {
		return nil, err
	}
	return t.SnapshotAt(ctx, 0)
}

// newUUID returns a random (version 4) UUID string.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ownCommit reports whether a commit carries our commitInfo txnId.
func ownCommit(actions []Action, txnID string) bool {
	for _, a := range actions {
		if a.CommitInfo != nil {
			id, _ := (*a.CommitInfo)["txnId"].(string)
			return id == txnID
		}
	}
	return false
}
