// Package catalog registers the lake's Delta tables in a metadata catalog so
// that SQL engines find them: the Catalog interface, owned here by its
// consumers (the pipeline after a load, the Tables view, the local flow
// runner's crawler step), with an AWS implementation on the Glue Data Catalog
// (package glue) and a local one that keeps the definitions in the lake
// (package local).
//
// A TableDef uses Hive/Glue type names (bigint, int, string, boolean, date,
// timestamp, decimal(12,2), array<string>, ...); DefFromDelta builds one from
// a Delta table's schema. Table names are case-insensitive and kept in lower
// case, as Glue does.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// ErrNotFound reports that a table is not in the catalog. Test with errors.Is.
var ErrNotFound = errors.New("table not found in catalog")

// Column is a column name and its Hive/Glue type name.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// TableDef describes one table in a catalog.
type TableDef struct {
	Name     string `json:"name"`
	Location string `json:"location"` // s3://bucket/prefix/table, or a file path / file:// URI for a local lake
	// Columns are the data columns; partition columns are in PartitionKeys only.
	Columns       []Column          `json:"columns"`
	PartitionKeys []Column          `json:"partition_keys,omitempty"`
	Parameters    map[string]string `json:"parameters,omitempty"`
}

// Clone returns a deep copy of t.
func (t TableDef) Clone() TableDef {
	c := t
	c.Columns = append([]Column(nil), t.Columns...)
	c.PartitionKeys = append([]Column(nil), t.PartitionKeys...)
	c.Parameters = maps.Clone(t.Parameters)
	return c
}

// Catalog is the set of registered tables.
type Catalog interface {
	// Register creates the table, or replaces its definition when it exists.
	Register(ctx context.Context, t TableDef) error
	// Tables lists every table, sorted by name.
	Tables(ctx context.Context) ([]TableDef, error)
	// Drop removes a table's definition (never its data); ErrNotFound if absent.
	Drop(ctx context.Context, name string) error
}

// NormalizeName returns name in lower case, or an error if it is not a valid
// table name: 1 to 255 characters from a-z, 0-9 and '_' (upper case letters
// are accepted and lowered). Athena and Glue accept these names unquoted.
func NormalizeName(name string) (string, error) {
	if name == "" || len(name) > 255 {
		return "", fmt.Errorf("catalog: invalid table name %q: must be 1 to 255 characters", name)
	}
	b := []byte(name)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case c >= 'A' && c <= 'Z':
			b[i] = c + ('a' - 'A')
		default:
			return "", fmt.Errorf("catalog: invalid table name %q: only letters, digits and '_' are allowed", name)
		}
	}
	return string(b), nil
}

// Check validates a definition before it is registered and returns it with
// its name normalized.
func Check(t TableDef) (TableDef, error) {
	name, err := NormalizeName(t.Name)
	if err != nil {
		return t, err
	}
	t.Name = name
	if t.Location == "" {
		return t, fmt.Errorf("catalog: table %s: no location", name)
	}
	seen := make(map[string]bool, len(t.Columns)+len(t.PartitionKeys))
	for _, cols := range [][]Column{t.Columns, t.PartitionKeys} {
		for _, c := range cols {
			if c.Name == "" || c.Type == "" {
				return t, fmt.Errorf("catalog: table %s: column %q has no name or no type", name, c.Name)
			}
			key := strings.ToLower(c.Name) // Hive column names are case-insensitive
			if seen[key] {
				return t, fmt.Errorf("catalog: table %s: column %q appears twice", name, c.Name)
			}
			seen[key] = true
		}
	}
	return t, nil
}
