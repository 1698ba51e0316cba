package delta

import (
	"fmt"
	"sort"
	"strings"
)

// UnsupportedFeatureError reports a table that needs a protocol feature or
// version lakeops does not implement.
type UnsupportedFeatureError struct {
	Feature string // e.g. "deletionVectors", "columnMapping", "reader version 99"
	Reading bool   // true when reading is refused, false when only writing is
}

func (e *UnsupportedFeatureError) Error() string {
	if e.Reading {
		return "table needs reader feature " + e.Feature + ", which lakeops does not support"
	}
	return "table needs writer feature " + e.Feature + ", which lakeops does not support for writing"
}

// The versions lakeops writes.
const (
	WriterReaderVersion = 1
	WriterWriterVersion = 2
)

// The reader features lakeops reads (reader version 3 lists them by name).
const (
	FeatureColumnMapping       = "columnMapping"
	FeatureDeletionVectors     = "deletionVectors"
	FeatureTimestampNtz        = "timestampNtz"
	FeatureV2Checkpoint        = "v2Checkpoint"
	FeatureVacuumProtocolCheck = "vacuumProtocolCheck"
)

// ReadableFeature reports whether lakeops reads tables that list the reader
// feature name.
func ReadableFeature(name string) bool {
	switch name {
	case FeatureColumnMapping, FeatureDeletionVectors, FeatureTimestampNtz, FeatureV2Checkpoint, FeatureVacuumProtocolCheck:
		return true
	}
	return false
}

// CheckReadable refuses a table whose protocol or metadata needs a reader
// capability lakeops lacks: a reader version other than 1, 2 (column
// mapping) or 3, a reader feature not in ReadableFeature (all of them
// named), or a column mapping mode other than none, id and name.
func CheckReadable(p *Protocol, m *Metadata) error {
	switch p.MinReaderVersion {
	case 1, 2:
	case 3:
		var unknown []string
		for _, f := range p.ReaderFeatures {
			if !ReadableFeature(f) {
				unknown = append(unknown, f)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return &UnsupportedFeatureError{Feature: strings.Join(unknown, ", "), Reading: true}
		}
	default:
		return &UnsupportedFeatureError{Feature: fmt.Sprintf("reader version %d", p.MinReaderVersion), Reading: true}
	}
	if m != nil && supportsColumnMapping(p) {
		switch mode := m.Configuration[ColumnMappingModeKey]; mode {
		case "", ColumnMappingNone, ColumnMappingID, ColumnMappingName:
		default:
			return &UnsupportedFeatureError{Feature: "columnMapping (mode " + mode + ")", Reading: true}
		}
	}
	return nil
}

// CheckWritable refuses writes to a table lakeops cannot write correctly:
// reader versions above 1 (column mapping, deletion vectors and the other
// reader features are read, never written), writer versions above 2, or
// column invariants (which need a SQL evaluator).
func CheckWritable(p *Protocol, schema *StructType) error {
	if err := CheckReadable(p, nil); err != nil {
		return err
	}
	if p.MinReaderVersion > WriterReaderVersion {
		return &UnsupportedFeatureError{Feature: fmt.Sprintf("reader version %d (lakeops writes reader-1 tables)", p.MinReaderVersion)}
	}
	if p.MinWriterVersion > WriterWriterVersion {
		return &UnsupportedFeatureError{Feature: fmt.Sprintf("writer version %d", p.MinWriterVersion)}
	}
	if schema != nil && hasInvariants(schema) {
		return &UnsupportedFeatureError{Feature: "invariants (delta.invariants column metadata)"}
	}
	return nil
}

func hasInvariants(t DataType) bool {
	switch t := t.(type) {
	case *StructType:
		for _, f := range t.Fields {
			if _, ok := f.Metadata["delta.invariants"]; ok || hasInvariants(f.Type) {
				return true
			}
		}
	case *ArrayType:
		return hasInvariants(t.ElementType)
	case *MapType:
		return hasInvariants(t.KeyType) || hasInvariants(t.ValueType)
	}
	return false
}
