package delta

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// SidecarDir is the folder of the log that holds v2 checkpoint sidecars.
const SidecarDir = "_sidecars"

// checkpointColumns are the action columns a checkpoint row may hold, in
// the order checkpointAction takes them. v2 checkpoints add
// checkpointMetadata and sidecar; domainMetadata comes with writer feature
// domainMetadata.
func checkpointColumns() []string {
	return []string{"txn", "add", "remove", "metaData", "protocol", "checkpointMetadata", "sidecar", "domainMetadata"}
}

// readCheckpoint reads all parts of a checkpoint into actions: Parquet
// parts, or the single JSON file of a UUID-named v2 checkpoint, and then
// the sidecar files its sidecar actions name, whose add and remove actions
// take the sidecar actions' place.
func (t *Table) readCheckpoint(ctx context.Context, parts []LogFile) ([]Action, error) {
	var out []Action
	for _, p := range parts {
		b, err := storage.ReadAll(ctx, t.store, t.logKey(p.Name))
		if err != nil {
			return nil, fmt.Errorf("read checkpoint %d: %w", p.Version, err)
		}
		var actions []Action
		if p.JSON() {
			actions, err = ParseCommit(b)
		} else {
			actions, err = ParseCheckpoint(b)
		}
		if err != nil {
			return nil, &BrokenLogError{Reason: fmt.Sprintf("checkpoint %s: %v", p.Name, err)}
		}
		out = append(out, actions...)
	}
	var sidecars []*Sidecar
	kept := out[:0]
	for _, a := range out {
		if a.Sidecar != nil {
			sidecars = append(sidecars, a.Sidecar)
			continue
		}
		kept = append(kept, a)
	}
	if len(sidecars) == 0 {
		return kept, nil
	}
	files, err := t.readSidecars(ctx, parts[0], sidecars)
	if err != nil {
		return nil, err
	}
	for _, actions := range files {
		kept = append(kept, actions...)
	}
	return kept, nil
}

// readSidecars fetches and parses sidecar files concurrently, keeping their
// order. Only their add and remove actions count.
func (t *Table) readSidecars(ctx context.Context, ckpt LogFile, sidecars []*Sidecar) ([][]Action, error) {
	out := make([][]Action, len(sidecars))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, sc := range sidecars {
		g.Go(func() error {
			key, err := t.sidecarKey(sc.Path)
			if err != nil {
				return &BrokenLogError{Reason: fmt.Sprintf("checkpoint %s: sidecar %q: %v", ckpt.Name, sc.Path, err)}
			}
			b, err := storage.ReadAll(gctx, t.store, key)
			if err != nil {
				return fmt.Errorf("read sidecar %s of checkpoint %d: %w", sc.Path, ckpt.Version, err)
			}
			actions, err := ParseCheckpoint(b)
			if err != nil {
				return &BrokenLogError{Reason: fmt.Sprintf("checkpoint %s: sidecar %s: %v", ckpt.Name, sc.Path, err)}
			}
			files := actions[:0]
			for _, a := range actions {
				if a.Add != nil || a.Remove != nil {
					files = append(files, a)
				}
			}
			out[i] = files
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// sidecarKey resolves the path of a sidecar action: a file name in
// _delta_log/_sidecars, or an absolute path inside the table.
func (t *Table) sidecarKey(p string) (string, error) {
	c, err := CanonicalPath(p)
	if err != nil {
		return "", err
	}
	if !strings.Contains(c, "/") {
		if c == "" || c == "." || c == ".." {
			return "", fmt.Errorf("not a file name")
		}
		return t.logKey(SidecarDir + "/" + c), nil
	}
	if !strings.Contains(c, ":") && !strings.HasPrefix(c, "/") {
		return "", fmt.Errorf("a relative sidecar path must be a file name in %s/%s", LogDir, SidecarDir)
	}
	return t.DataKey(p)
}

// checkpointDV reads the deletionVector struct of a checkpoint add or remove.
func checkpointDV(s parquetrows.Struct) *DeletionVector {
	dv, ok := field(s, "deletionVector").(parquetrows.Struct)
	if !ok || dv == nil {
		return nil
	}
	out := &DeletionVector{StorageType: str(dv, "storageType"), PathOrInlineDv: str(dv, "pathOrInlineDv"),
		SizeInBytes: int32(i64(dv, "sizeInBytes")), Cardinality: i64(dv, "cardinality"), MaxRowIndex: i64p(dv, "maxRowIndex")}
	if off := i64p(dv, "offset"); off != nil {
		o := int32(*off)
		out.Offset = &o
	}
	return out
}

// checkpointV2Action converts the checkpointMetadata, sidecar and
// domainMetadata columns of a checkpoint row (nil when absent) into an
// action, or nil when all are empty.
func checkpointV2Action(meta, sidecar, domain parquetrows.Struct) (*Action, error) {
	switch {
	case meta != nil:
		return &Action{CheckpointMetadata: &CheckpointMetadata{Version: i64(meta, "version"), Tags: strMap(meta, "tags")}}, nil
	case sidecar != nil:
		sc := &Sidecar{Path: str(sidecar, "path"), SizeInBytes: i64(sidecar, "sizeInBytes"),
			ModificationTime: i64(sidecar, "modificationTime"), Tags: strMap(sidecar, "tags")}
		if sc.Path == "" {
			return nil, fmt.Errorf("sidecar action without a path")
		}
		return &Action{Sidecar: sc}, nil
	case domain != nil:
		return &Action{DomainMetadata: &DomainMetadata{Domain: str(domain, "domain"), Configuration: str(domain, "configuration"),
			Removed: boolean(domain, "removed")}}, nil
	}
	return nil, nil
}
