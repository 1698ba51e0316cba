package delta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// settableDeltaProperties are the delta.* table properties lakeops lets
// users set: the ones it honours. Others turn on features whose writer
// duties lakeops does not carry out, so setting them is refused.
var settableDeltaProperties = map[string]bool{
	DeletedFileRetentionProperty: true,
	LogRetentionProperty:         true,
	ExpiredLogCleanupProperty:    true,
	"delta.appendOnly":           true,
}

// CheckProperty validates a table property before it is set: values of
// the properties lakeops reads must parse, and delta.* properties it does
// not honour are refused. Other names (comments, owners) are free.
func CheckProperty(key, value string) error {
	switch {
	case key == "":
		return errors.New("a table property needs a name")
	case key == EncodingsProperty:
		_, err := TableEncodings(map[string]string{key: value})
		return err
	case key == DeletedFileRetentionProperty || key == LogRetentionProperty:
		if _, err := ParseInterval(value); err != nil {
			return fmt.Errorf("table property %s: %w", key, err)
		}
	case key == ExpiredLogCleanupProperty || key == "delta.appendOnly":
		if v := strings.ToLower(value); v != "true" && v != "false" {
			return fmt.Errorf("table property %s=%q: want true or false", key, value)
		}
	case strings.HasPrefix(strings.ToLower(key), "delta.") && !settableDeltaProperties[key]:
		return fmt.Errorf("table property %s: lakeops cannot honour it, so it does not set it (it sets %s, %s, %s, delta.appendOnly and %s)",
			key, DeletedFileRetentionProperty, LogRetentionProperty, ExpiredLogCleanupProperty, EncodingsProperty)
	}
	return nil
}

// SetProperties commits a metaData action that sets the given table
// properties and removes the unset ones (an absent one is fine), and
// returns the version. The rest of the metadata stays as it is.
func (t *Table) SetProperties(ctx context.Context, set map[string]string, unset []string) (int64, error) {
	for k, v := range set {
		if err := CheckProperty(k, v); err != nil {
			return -1, fmt.Errorf("%s: %w", t.URI(), err)
		}
	}
	for _, k := range unset {
		if _, ok := set[k]; ok {
			return -1, fmt.Errorf("%s: table property %s is both set and unset", t.URI(), k)
		}
	}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return -1, err
	}
	m := *snap.Metadata()
	m.Configuration = maps.Clone(m.Configuration)
	if m.Configuration == nil {
		m.Configuration = map[string]string{}
	}
	maps.Copy(m.Configuration, set)
	for _, k := range unset {
		delete(m.Configuration, k)
	}
	tx := snap.NewTransaction()
	tx.metadata = &m
	props, err := json.Marshal(set)
	if err != nil {
		return -1, err
	}
	op := Operation{Name: "SET TBLPROPERTIES", Parameters: map[string]string{"properties": string(props)}}
	if len(set) == 0 {
		unsetJSON, _ := json.Marshal(unset)
		op = Operation{Name: "UNSET TBLPROPERTIES", Parameters: map[string]string{"properties": string(unsetJSON), "ifExists": "true"}}
	}
	v, err := tx.Commit(ctx, op)
	var cpe *CheckpointError
	if err != nil && !errors.As(err, &cpe) {
		return -1, err
	}
	return v, nil
}
