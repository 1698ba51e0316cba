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

// CheckReadable refuses a table whose protocol or metadata needs a reader
// capability lakeops lacks. Reader version 3 is fine with an empty feature list.
func CheckReadable(p *Protocol, m *Metadata) error {
	switch p.MinReaderVersion {
	case 1:
	case 2:
		return &UnsupportedFeatureError{Feature: "columnMapping (reader version 2)", Reading: true}
	case 3:
		if len(p.ReaderFeatures) > 0 {
			fs := append([]string(nil), p.ReaderFeatures...)
			sort.Strings(fs)
			return &UnsupportedFeatureError{Feature: strings.Join(fs, ", "), Reading: true}
		}
	default:
		return &UnsupportedFeatureError{Feature: fmt.Sprintf("reader version %d", p.MinReaderVersion), Reading: true}
	}
	if m != nil {
		if mode := m.Configuration["delta.columnMapping.mode"]; mode != "" && mode != "none" {
			return &UnsupportedFeatureError{Feature: "columnMapping (mode " + mode + ")", Reading: true}
		}
	}
	return nil
}

// CheckWritable refuses writes to a table lakeops cannot write correctly:
// writer versions above 2, or column invariants (which need a SQL evaluator).
func CheckWritable(p *Protocol, schema *StructType) error {
	if err := CheckReadable(p, nil); err != nil {
		return err
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
