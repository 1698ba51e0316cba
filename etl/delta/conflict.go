package delta

import (
	"fmt"

	"strings"
)

// ReadSet describes what a transaction read, so a concurrent winner can be
// checked against it.
type ReadSet struct {
	// WholeTable means the transaction's outcome depends on every file: any
	// concurrent add or remove is a conflict.
	WholeTable bool
	// Partitions lists the partitions read, each as its partition values
	// rendered by PartitionKey; a concurrent add into one of them is a conflict.
	Partitions map[string]bool
	// Files lists the canonical paths of files read; a concurrent remove of
	// one of them is a conflict.
	Files map[string]bool
	// Where, when set, tells from a file's add action (its partition values
	// and stats) whether it may hold rows the transaction's outcome depends
	// on, wherever they are: a concurrent add it holds true for is a
	// conflict. A MERGE that found none of its keys in the table declares
	// it, since a file a concurrent writer adds may hold one of them.
	Where func(*Add) bool
}

// ConflictError reports a commit that lost a race to a commit that changed
// what it depended on. Retrying the whole operation on a fresh snapshot is safe.
type ConflictError struct {
	Version int64  // the winning version
	Reason  string // what the winner changed
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("concurrent commit %d conflicts with this write: %s; retry the operation", e.Version, e.Reason)
}

// PartitionKey renders partition values as a stable string, e.g. "date=2024-01-02".
func PartitionKey(cols []string, values map[string]*string) string {
	parts := make([]string, 0, len(cols))
	for _, c := range cols {
		v := "<null>"
		if p := values[c]; p != nil {
			v = *p
		}
		parts = append(parts, c+"="+v)
	}
	return strings.Join(parts, "/")
}

// CheckConflict decides whether a winning commit invalidates a transaction
// that read rs and intends to remove the files in removes (canonical paths)
// and to set txn app ids. It is pure: the caller supplies the winner's actions.
func CheckConflict(winner int64, actions []Action, partCols []string, rs ReadSet, removes map[string]bool, appIDs map[string]bool) error {
	for _, a := range actions {
		switch {
		case a.MetaData != nil:
			return &ConflictError{Version: winner, Reason: "the table metadata (schema, partitioning or properties) changed"}
		case a.Protocol != nil:
			return &ConflictError{Version: winner, Reason: "the table protocol changed"}
		case a.Txn != nil && appIDs[a.Txn.AppID]:
			return &ConflictError{Version: winner, Reason: fmt.Sprintf("writer %q committed concurrently", a.Txn.AppID)}
		case a.Remove != nil:
			p, err := CanonicalPath(a.Remove.Path)
			if err != nil {
				return err
			}
			if removes[p] {
				return &ConflictError{Version: winner, Reason: "it removed file " + a.Remove.Path + " that this write also removes"}
			}
			if rs.WholeTable || rs.Files[p] {
				return &ConflictError{Version: winner, Reason: "it removed or rewrote file " + a.Remove.Path + " that this write read"}
			}
		case a.Add != nil && a.Add.DataChange:
			if rs.WholeTable {
				return &ConflictError{Version: winner, Reason: "it added data to a table this write read in full"}
			}
			if len(rs.Partitions) > 0 {
				k := PartitionKey(partCols, a.Add.PartitionValues)
				if rs.Partitions[k] {
					return &ConflictError{Version: winner, Reason: "it added data to partition " + k + " that this write read"}
				}
			}
			if rs.Where != nil && rs.Where(a.Add) {
				return &ConflictError{Version: winner, Reason: "it added file " + a.Add.Path + ", which may hold rows this write read"}
			}
		}
	}
	return nil
}
