package delta

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// Column mapping: the table property delta.columnMapping.mode, honoured when
// the protocol supports the columnMapping feature (reader version 2, or 3
// with the feature listed). In mode "name" data files name every column,
// nested ones included, by its delta.columnMapping.physicalName; in mode
// "id" they are found by the Parquet field_id given by delta.columnMapping.id.
// Partition values are keyed by physical name in both modes. Results always
// carry the logical (schema) names.
const (
	ColumnMappingModeKey    = "delta.columnMapping.mode"
	ColumnMappingNone       = "none"
	ColumnMappingID         = "id"
	ColumnMappingName       = "name"
	physicalNameKey         = "delta.columnMapping.physicalName"
	columnMappingFieldIDKey = "delta.columnMapping.id"
)

func supportsColumnMapping(p *Protocol) bool {
	switch p.MinReaderVersion {
	case 2:
		return true
	case 3:
		for _, f := range p.ReaderFeatures {
			if f == FeatureColumnMapping {
				return true
			}
		}
	}
	return false
}

// ColumnMappingMode is the column mapping mode in force: ColumnMappingID,
// ColumnMappingName, or "" when data files use the logical names.
func ColumnMappingMode(p *Protocol, m *Metadata) string {
	if p == nil || m == nil || !supportsColumnMapping(p) {
		return ""
	}
	switch mode := m.Configuration[ColumnMappingModeKey]; mode {
	case ColumnMappingID, ColumnMappingName:
		return mode
	}
	return ""
}

// PhysicalName is the name of a field in data files and partition values
// under column mapping mode (its logical name when mode is "").
func PhysicalName(f StructField, mode string) string {
	if mode == "" {
		return f.Name
	}
	if s, ok := f.Metadata[physicalNameKey].(string); ok && s != "" {
		return s
	}
	return f.Name
}

// FieldID is the column mapping id of a field (delta.columnMapping.id).
func FieldID(f StructField) (int32, bool) {
	var n float64
	switch v := f.Metadata[columnMappingFieldIDKey].(type) {
	case float64:
		n = v
	case json.Number:
		x, err := v.Float64()
		if err != nil {
			return 0, false
		}
		n = x
	default:
		return 0, false
	}
	if n != math.Trunc(n) || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}

// checkColumnMapping checks that every field, nested ones included, has what
// the mode resolves it by.
func checkColumnMapping(t DataType, mode, path string) error {
	switch t := t.(type) {
	case *StructType:
		for _, f := range t.Fields {
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			switch mode {
			case ColumnMappingName:
				if s, ok := f.Metadata[physicalNameKey].(string); !ok || s == "" {
					return fmt.Errorf("column %s has no %s (column mapping mode name)", p, physicalNameKey)
				}
			case ColumnMappingID:
				if _, ok := FieldID(f); !ok {
					return fmt.Errorf("column %s has no valid %s (column mapping mode id)", p, columnMappingFieldIDKey)
				}
			}
			if err := checkColumnMapping(f.Type, mode, p); err != nil {
				return err
			}
		}
	case *ArrayType:
		return checkColumnMapping(t.ElementType, mode, path+"[]")
	case *MapType:
		if err := checkColumnMapping(t.KeyType, mode, path+".key"); err != nil {
			return err
		}
		return checkColumnMapping(t.ValueType, mode, path+".value")
	}
	return nil
}

// FieldMapping tells where a logical field is in one data file, down to
// its nested fields.
type FieldMapping struct {
	Field StructField // the logical field (for array elements and map keys and values, a field named element, key or value)
	// Source is the field's name in the file; "" when the file lacks it
	// (the field then reads as null).
	Source string
	// Fields map the fields of a struct, in schema order; Elem, Key and
	// Value the element of an array and the key and value of a map.
	Fields           []FieldMapping
	Elem, Key, Value *FieldMapping
	// Renames is false when the field and everything in it has the same
	// names in the file as in the schema.
	Renames bool
}

// MapFields resolves logical fields against the top-level columns of a data
// file (or the fields of a struct in it). With mode "" fields are found by
// name, with ColumnMappingName by physical name, with ColumnMappingID by
// field id. A nil file is allowed in modes "" and name: every field is then
// taken to be in the file under the name the mode gives it.
func MapFields(fields []StructField, mode string, file []parquetrows.Column) []FieldMapping {
	out := make([]FieldMapping, len(fields))
	for i, f := range fields {
		out[i] = mapField(f, mode, file)
	}
	return out
}

func mapField(f StructField, mode string, file []parquetrows.Column) FieldMapping {
	m := FieldMapping{Field: f}
	var col *parquetrows.Column
	switch {
	case mode == ColumnMappingID:
		if id, ok := FieldID(f); ok {
			for i := range file {
				if file[i].FieldID == id {
					col = &file[i]
					break
				}
			}
		}
	case file == nil:
		m.Source = PhysicalName(f, mode)
	default:
		name := PhysicalName(f, mode)
		for i := range file {
			if file[i].Name == name {
				col = &file[i]
				break
			}
		}
	}
	if col != nil {
		m.Source = col.Name
	}
	var ft *parquetrows.Type
	if col != nil {
		ft = &col.Type
	}
	if m.Source != "" {
		mapNested(&m, f.Type, mode, ft)
	}
	m.Renames = m.Renames || (m.Source != "" && m.Source != f.Name)
	return m
}

// mapNested maps the nested fields of m's type t against the file's type ft
// (nil when the file is not known).
func mapNested(m *FieldMapping, t DataType, mode string, ft *parquetrows.Type) {
	switch t := t.(type) {
	case *StructType:
		var cols []parquetrows.Column
		if ft != nil {
			cols = ft.Fields
			if cols == nil {
				cols = []parquetrows.Column{} // not a struct in the file: nothing maps
			}
		}
		m.Fields = MapFields(t.Fields, mode, cols)
		for _, c := range m.Fields {
			m.Renames = m.Renames || c.Renames || c.Source == ""
		}
	case *ArrayType:
		var et *parquetrows.Type
		if ft != nil && ft.Elem != nil {
			et = &ft.Elem.Type
		}
		e := FieldMapping{Field: StructField{Name: "element", Type: t.ElementType, Nullable: t.ContainsNull}, Source: "element"}
		mapNested(&e, t.ElementType, mode, et)
		m.Elem = &e
		m.Renames = m.Renames || e.Renames
	case *MapType:
		var kt, vt *parquetrows.Type
		if ft != nil && ft.Key != nil {
			kt = &ft.Key.Type
		}
		if ft != nil && ft.Value != nil {
			vt = &ft.Value.Type
		}
		k := FieldMapping{Field: StructField{Name: "key", Type: t.KeyType}, Source: "key"}
		v := FieldMapping{Field: StructField{Name: "value", Type: t.ValueType, Nullable: t.ValueContainsNull}, Source: "value"}
		mapNested(&k, t.KeyType, mode, kt)
		mapNested(&v, t.ValueType, mode, vt)
		m.Key, m.Value = &k, &v
		m.Renames = m.Renames || k.Renames || v.Renames
	}
}

// Logical turns a value decoded from the data file into the shape of the
// logical type: struct fields taken from their source names and renamed,
// fields the file lacks set to null.
func (m *FieldMapping) Logical(v any) any {
	if !m.Renames || v == nil {
		return v
	}
	switch x := v.(type) {
	case parquetrows.Struct:
		if m.Fields == nil {
			return v
		}
		out := make(parquetrows.Struct, len(m.Fields))
		for i := range m.Fields {
			c := &m.Fields[i]
			out[i].Name = c.Field.Name
			if c.Source != "" {
				if fv, ok := x.Get(c.Source); ok {
					out[i].Value = c.Logical(fv)
				}
			}
		}
		return out
	case parquetrows.List:
		if m.Elem == nil {
			return v
		}
		out := make(parquetrows.List, len(x))
		for i, e := range x {
			out[i] = m.Elem.Logical(e)
		}
		return out
	case parquetrows.Map:
		if m.Key == nil {
			return v
		}
		out := make(parquetrows.Map, len(x))
		for i, e := range x {
			out[i] = parquetrows.MapEntry{Key: m.Key.Logical(e.Key), Value: m.Value.Logical(e.Value)}
		}
		return out
	}
	return v
}
