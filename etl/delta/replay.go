package delta

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// State is the reconciled content of a table at one version: the result of
// replaying a checkpoint and the commits after it.
type State struct {
	Version    int64
	Protocol   *Protocol
	Metadata   *Metadata
	files      map[fileKey]*Add          // logical file -> live add
	tombstones map[fileKey]*Remove       // logical file -> remove not followed by an add
	txns       map[string]Txn            // appId -> latest txn
	domains    map[string]DomainMetadata // domain -> latest domainMetadata, tombstones dropped
}

// fileKey identifies a logical file: the canonical path of its data file
// and the unique id of its deletion vector ("" without one). An add and a
// remove reconcile only when both agree.
type fileKey struct{ path, dv string }

// NewState returns the empty state before version 0.
func NewState() *State {
	return &State{Version: -1, files: map[fileKey]*Add{}, tombstones: map[fileKey]*Remove{}, txns: map[string]Txn{},
		domains: map[string]DomainMetadata{}}
}

// CanonicalPath turns the path of an add or remove into the key by which the
// protocol reconciles them: percent-decoded, and with the "file:" scheme
// spellings of an absolute local path ("file:/x", "file:///x") reduced to "/x".
func CanonicalPath(p string) (string, error) {
	d, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("path %q is not valid percent-encoding: %w", p, err)
	}
	if rest, ok := strings.CutPrefix(d, "file:"); ok {
		if strings.HasPrefix(rest, "///") {
			rest = rest[2:]
		} else if strings.HasPrefix(rest, "//localhost/") {
			rest = rest[len("//localhost"):]
		}
		d = rest
	}
	return d, nil
}

// ApplyCheckpoint loads the actions of a checkpoint taken at version (its
// checkpointMetadata and sidecar actions play no part in the snapshot).
func (s *State) ApplyCheckpoint(version int64, actions []Action) error {
	for _, a := range actions {
		switch {
		case a.Remove != nil:
			if err := s.applyRemove(a.Remove); err != nil {
				return err
			}
		}
	}
	for _, a := range actions {
		if err := s.applyOther(a); err != nil {
			return err
		}
		if a.Add != nil {
			if err := s.applyAdd(a.Add); err != nil {
				return err
			}
		}
	}
	s.Version = version
	return nil
}

// ApplyCommit applies the actions of the commit of version, which must follow
// the state's version. Within a commit, removes apply before adds; an add
// and a remove of the same data file with different deletion vectors are
// different logical files (the new vector replaces the old one).
func (s *State) ApplyCommit(version int64, actions []Action) error {
	if version != s.Version+1 {
		return &BrokenLogError{Reason: fmt.Sprintf("commit %d cannot follow version %d", version, s.Version)}
	}
	for _, a := range actions {
		if a.Remove != nil {
			if err := s.applyRemove(a.Remove); err != nil {
				return fmt.Errorf("commit %d: %w", version, err)
			}
		}
	}
	for _, a := range actions {
		if err := s.applyOther(a); err != nil {
			return fmt.Errorf("commit %d: %w", version, err)
		}
		if a.Add != nil {
			if err := s.applyAdd(a.Add); err != nil {
				return fmt.Errorf("commit %d: %w", version, err)
			}
		}
	}
	s.Version = version
	return nil
}

func (s *State) applyOther(a Action) error {
	switch {
	case a.Protocol != nil:
		p := *a.Protocol
		s.Protocol = &p
	case a.MetaData != nil:
		m := *a.MetaData
		s.Metadata = &m
	case a.Txn != nil:
		s.txns[a.Txn.AppID] = *a.Txn
	case a.DomainMetadata != nil:
		if a.DomainMetadata.Removed {
			delete(s.domains, a.DomainMetadata.Domain)
		} else {
			s.domains[a.DomainMetadata.Domain] = *a.DomainMetadata
		}
	}
	return nil
}

func keyOf(path string, dv *DeletionVector) (fileKey, error) {
	p, err := CanonicalPath(path)
	if err != nil {
		return fileKey{}, err
	}
	return fileKey{path: p, dv: dv.UniqueID()}, nil
}

func (s *State) applyAdd(a *Add) error {
	key, err := keyOf(a.Path, a.DeletionVector)
	if err != nil {
		return err
	}
	s.files[key] = a
	delete(s.tombstones, key)
	return nil
}

func (s *State) applyRemove(r *Remove) error {
	key, err := keyOf(r.Path, r.DeletionVector)
	if err != nil {
		return err
	}
	delete(s.files, key)
	s.tombstones[key] = r
	return nil
}

// Validate checks that the state has what every version must have.
func (s *State) Validate() error {
	if s.Protocol == nil {
		return &BrokenLogError{Reason: fmt.Sprintf("no protocol action found up to version %d", s.Version)}
	}
	if s.Metadata == nil {
		return &BrokenLogError{Reason: fmt.Sprintf("no metaData action found up to version %d", s.Version)}
	}
	return nil
}

// Files returns the live data files (logical files: a data file with its
// deletion vector, if any), sorted by path, then deletion vector id.
func (s *State) Files() []*Add {
	out := make([]*Add, 0, len(s.files))
	for _, a := range s.files {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].DeletionVector.UniqueID() < out[j].DeletionVector.UniqueID()
	})
	return out
}

// NumFiles is the number of live data files.
func (s *State) NumFiles() int { return len(s.files) }

// HasFile reports whether a data file (by canonical path) is live, with
// or without a deletion vector.
func (s *State) HasFile(canonical string) bool {
	if _, ok := s.files[fileKey{path: canonical}]; ok {
		return true
	}
	for k := range s.files {
		if k.path == canonical {
			return true
		}
	}
	return false
}

// Tombstones returns the removes not followed by an add, sorted by path,
// then deletion vector id.
func (s *State) Tombstones() []*Remove {
	out := make([]*Remove, 0, len(s.tombstones))
	for _, r := range s.tombstones {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].DeletionVector.UniqueID() < out[j].DeletionVector.UniqueID()
	})
	return out
}

// Domains returns the metadata domains in force, sorted by name.
func (s *State) Domains() []DomainMetadata {
	out := make([]DomainMetadata, 0, len(s.domains))
	for _, d := range s.domains {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Domain < out[j].Domain })
	return out
}

// TxnVersion returns the last version an idempotent writer committed.
func (s *State) TxnVersion(appID string) (int64, bool) {
	t, ok := s.txns[appID]
	return t.Version, ok
}

// Txns returns all txn actions, sorted by appId.
func (s *State) Txns() []Txn {
	out := make([]Txn, 0, len(s.txns))
	for _, t := range s.txns {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AppID < out[j].AppID })
	return out
}
