package delta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// DataType is a Delta (Spark) data type: *PrimitiveType, *DecimalType,
// *ArrayType, *MapType or *StructType.
type DataType interface {
	// String is the type as Spark's simpleString renders it, e.g. "long",
	// "decimal(12,2)", "array<string>".
	String() string
	json.Marshaler
}

// Primitive type names as they appear in a schemaString.
const (
	TypeString       = "string"
	TypeLong         = "long"
	TypeInteger      = "integer"
	TypeShort        = "short"
	TypeByte         = "byte"
	TypeFloat        = "float"
	TypeDouble       = "double"
	TypeBoolean      = "boolean"
	TypeBinary       = "binary"
	TypeDate         = "date"
	TypeTimestamp    = "timestamp"
	TypeTimestampNtz = "timestamp_ntz"
)

func isPrimitiveName(name string) bool {
	switch name {
	case TypeString, TypeLong, TypeInteger, TypeShort, TypeByte, TypeFloat, TypeDouble,
		TypeBoolean, TypeBinary, TypeDate, TypeTimestamp, TypeTimestampNtz:
		return true
	}
	return false
}

// PrimitiveType is a type without parameters, named by one of the Type* constants.
type PrimitiveType struct{ Name string }

// DecimalType is decimal(precision, scale).
type DecimalType struct{ Precision, Scale int }

// ArrayType is array<element>.
type ArrayType struct {
	ElementType  DataType
	ContainsNull bool
}

// MapType is map<key, value>.
type MapType struct {
	KeyType           DataType
	ValueType         DataType
	ValueContainsNull bool
}

// StructField is one named field of a struct (or of the table schema).
type StructField struct {
	Name     string
	Type     DataType
	Nullable bool
	Metadata map[string]any
}

// StructType is a struct; a table schema is a StructType.
type StructType struct{ Fields []StructField }

// Primitive returns the primitive type with the given name.
func Primitive(name string) *PrimitiveType { return &PrimitiveType{Name: name} }

func (t *PrimitiveType) String() string { return t.Name }
func (t *DecimalType) String() string   { return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale) }
func (t *ArrayType) String() string     { return "array<" + t.ElementType.String() + ">" }
func (t *MapType) String() string {
	return "map<" + t.KeyType.String() + "," + t.ValueType.String() + ">"
}
func (t *StructType) String() string {
	parts := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		parts[i] = f.Name + ":" + f.Type.String()
	}
	return "struct<" + strings.Join(parts, ",") + ">"
}

// MarshalJSON renders the type as in a schemaString.
func (t *PrimitiveType) MarshalJSON() ([]byte, error) { return json.Marshal(t.Name) }

// MarshalJSON renders the type as in a schemaString.
func (t *DecimalType) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// MarshalJSON renders the type as in a schemaString.
func (t *ArrayType) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type         string   `json:"type"`
		ElementType  DataType `json:"elementType"`
		ContainsNull bool     `json:"containsNull"`
	}{"array", t.ElementType, t.ContainsNull})
}

// MarshalJSON renders the type as in a schemaString.
func (t *MapType) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type              string   `json:"type"`
		KeyType           DataType `json:"keyType"`
		ValueType         DataType `json:"valueType"`
		ValueContainsNull bool     `json:"valueContainsNull"`
	}{"map", t.KeyType, t.ValueType, t.ValueContainsNull})
}

type jsonField struct {
	Name     string          `json:"name"`
	Type     json.RawMessage `json:"type"`
	Nullable bool            `json:"nullable"`
	Metadata map[string]any  `json:"metadata"`
}

// MarshalJSON renders the type as in a schemaString.
func (t *StructType) MarshalJSON() ([]byte, error) {
	fields := make([]jsonField, len(t.Fields))
	for i, f := range t.Fields {
		tb, err := f.Type.MarshalJSON()
		if err != nil {
			return nil, err
		}
		md := f.Metadata
		if md == nil {
			md = map[string]any{}
		}
		fields[i] = jsonField{Name: f.Name, Type: tb, Nullable: f.Nullable, Metadata: md}
	}
	return json.Marshal(struct {
		Type   string      `json:"type"`
		Fields []jsonField `json:"fields"`
	}{"struct", fields})
}

// Field returns the field with the given name, matched exactly, or nil.
func (t *StructType) Field(name string) *StructField {
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i]
		}
	}
	return nil
}

// Names returns the field names in order.
func (t *StructType) Names() []string {
	out := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = f.Name
	}
	return out
}

// ParseSchema parses a Spark schemaString; the top level must be a struct.
func ParseSchema(schemaString string) (*StructType, error) {
	t, err := parseType(json.RawMessage(schemaString), "schema")
	if err != nil {
		return nil, err
	}
	st, ok := t.(*StructType)
	if !ok {
		return nil, fmt.Errorf("schema: top level is %s, not a struct", t)
	}
	return st, nil
}

// SchemaString renders a schema as a Spark schemaString.
func SchemaString(s *StructType) (string, error) {
	b, err := s.MarshalJSON()
	if err != nil {
		return "", fmt.Errorf("render schema: %w", err)
	}
	return string(b), nil
}

func parseType(raw json.RawMessage, path string) (DataType, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return parseSimpleType(name, path)
	}
	var head struct {
		Type              string          `json:"type"`
		Fields            []jsonField     `json:"fields"`
		ElementType       json.RawMessage `json:"elementType"`
		ContainsNull      bool            `json:"containsNull"`
		KeyType           json.RawMessage `json:"keyType"`
		ValueType         json.RawMessage `json:"valueType"`
		ValueContainsNull bool            `json:"valueContainsNull"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%s: not a type: %w", path, err)
	}
	switch head.Type {
	case "struct":
		st := &StructType{Fields: make([]StructField, 0, len(head.Fields))}
		for _, f := range head.Fields {
			if f.Name == "" {
				return nil, fmt.Errorf("%s: struct field without a name", path)
			}
			ft, err := parseType(f.Type, path+"."+f.Name)
			if err != nil {
				return nil, err
			}
			st.Fields = append(st.Fields, StructField{Name: f.Name, Type: ft, Nullable: f.Nullable, Metadata: f.Metadata})
		}
		return st, nil
	case "array":
		et, err := parseType(head.ElementType, path+"[]")
		if err != nil {
			return nil, err
		}
		return &ArrayType{ElementType: et, ContainsNull: head.ContainsNull}, nil
	case "map":
		kt, err := parseType(head.KeyType, path+".key")
		if err != nil {
			return nil, err
		}
		vt, err := parseType(head.ValueType, path+".value")
		if err != nil {
			return nil, err
		}
		return &MapType{KeyType: kt, ValueType: vt, ValueContainsNull: head.ValueContainsNull}, nil
	default:
		return nil, fmt.Errorf("%s: unknown type %q", path, head.Type)
	}
}

func parseSimpleType(name, path string) (DataType, error) {
	if isPrimitiveName(name) {
		return Primitive(name), nil
	}
	if strings.HasPrefix(name, "decimal") {
		if name == "decimal" {
			return &DecimalType{Precision: 10, Scale: 0}, nil
		}
		inner, ok := strings.CutPrefix(name, "decimal(")
		inner, ok2 := strings.CutSuffix(inner, ")")
		p, s, ok3 := strings.Cut(inner, ",")
		if ok && ok2 && ok3 {
			pi, err1 := strconv.Atoi(strings.TrimSpace(p))
			si, err2 := strconv.Atoi(strings.TrimSpace(s))
			if err1 == nil && err2 == nil && pi >= 1 && pi <= 38 && si >= 0 && si <= pi {
				return &DecimalType{Precision: pi, Scale: si}, nil
			}
		}
		return nil, fmt.Errorf("%s: bad decimal type %q", path, name)
	}
	return nil, fmt.Errorf("%s: unknown type %q", path, name)
}
