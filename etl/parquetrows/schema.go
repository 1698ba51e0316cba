package parquetrows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// maxNesting bounds the depth of the schema tree, so that a corrupt footer
// cannot drive the recursive schema walk arbitrarily deep. Definition and
// repetition levels are bytes in parquet-go, which bounds them the same way.
const maxNesting = 100

// rawNode is one element of the flattened Parquet schema, with its children
// and its cumulative maximum levels.
type rawNode struct {
	elem     *format.SchemaElement
	path     string // dotted path from the root, for messages
	children []*rawNode
	def, rep int // maximum definition / repetition level at this node
	first    int // index of the first leaf column under the node
	leaves   int // number of leaf columns under the node
}

func (r *rawNode) isLeaf() bool { return r.elem.Type.Valid }

func (r *rawNode) repetition() format.FieldRepetitionType {
	if !r.elem.RepetitionType.Valid {
		return format.Required
	}
	return r.elem.RepetitionType.V
}

func (r *rawNode) converted() (deprecated.ConvertedType, bool) {
	return r.elem.ConvertedType.V, r.elem.ConvertedType.Valid
}

// parseSchema rebuilds the schema tree from the depth-first list of schema
// elements of the file footer. It returns the root and the leaves in column
// order.
func parseSchema(elems []format.SchemaElement) (*rawNode, []*rawNode, error) {
	if len(elems) == 0 {
		return nil, nil, errors.New("empty schema")
	}
	p := schemaParser{elems: elems}
	root := &rawNode{elem: &elems[0]}
	p.pos = 1
	if err := p.children(root, 0); err != nil {
		return nil, nil, err
	}
	if p.pos != len(elems) {
		return nil, nil, fmt.Errorf("schema has %d elements but the tree holds %d", len(elems), p.pos)
	}
	return root, p.leaves, nil
}

type schemaParser struct {
	elems  []format.SchemaElement
	pos    int
	leaves []*rawNode
}

func (p *schemaParser) children(n *rawNode, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("schema nested deeper than %d levels at %q", maxNesting, n.path)
	}
	count := n.elem.NumChildren.V
	if count <= 0 {
		return fmt.Errorf("group %q has no fields", n.path)
	}
	if int(count) > len(p.elems)-p.pos {
		return fmt.Errorf("group %q declares %d fields but the schema ends first", n.path, count)
	}
	n.first = len(p.leaves)
	for range count {
		if p.pos >= len(p.elems) {
			return fmt.Errorf("group %q: schema ends before its last field", n.path)
		}
		e := &p.elems[p.pos]
		p.pos++
		c := &rawNode{elem: e, def: n.def, rep: n.rep, path: e.Name}
		if n.path != "" {
			c.path = n.path + "." + e.Name
		}
		switch c.repetition() {
		case format.Optional:
			c.def++
		case format.Repeated:
			c.def++
			c.rep++
		case format.Required:
		default:
			return fmt.Errorf("field %q: invalid repetition type %d", c.path, c.repetition())
		}
		if c.isLeaf() {
			if e.NumChildren.Valid && e.NumChildren.V > 0 {
				return fmt.Errorf("field %q has both a physical type and fields", c.path)
			}
			c.first, c.leaves = len(p.leaves), 1
			p.leaves = append(p.leaves, c)
		} else if err := p.children(c, depth+1); err != nil {
			return err
		}
		n.children = append(n.children, c)
	}
	n.leaves = len(p.leaves) - n.first
	return nil
}

type nodeKind uint8

const (
	leafNode nodeKind = iota
	structNode
	listNode
	mapNode
)

// node is the logical schema tree used for assembly: leaves, structs, lists
// and maps, each with the definition level at which its value is non-null.
type node struct {
	kind  nodeKind
	name  string
	path  string
	def   int // value is non-null when the definition level is >= def
	first int // first leaf column under the node
	count int // number of leaf columns under the node

	// lists and maps
	rep     int // repetition level of the repeated field
	elemDef int // an element exists when the definition level is >= elemDef
	depth   int // number of enclosing lists and maps

	children []*node // struct fields; list element; map key and value (value may be nil)
	leaf     *leafDecoder
	typ      Type
}

// buildField turns a field of a group into a node, applying the rule that a
// repeated field outside of a LIST or MAP group is a required list of
// required elements.
func buildField(r *rawNode, depth int) (*node, error) {
	if r.repetition() != format.Repeated {
		return buildValue(r, r.def, depth)
	}
	if ct, ok := r.converted(); ok && ct == deprecated.MapKeyValue && !r.isLeaf() {
		// A repeated key/value group outside of a MAP group: a legacy map.
		return buildMapFrom(r, r, r.def-1, depth)
	}
	elem, err := buildValue(r, r.def, depth+1)
	if err != nil {
		return nil, err
	}
	return newList(r, r.def-1, r, elem, depth), nil
}

// buildValue turns r into a node whose value is non-null from definition
// level def, ignoring r's own repetition.
func buildValue(r *rawNode, def, depth int) (*node, error) {
	if r.isLeaf() {
		dec, typ, err := newLeafDecoder(r)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", r.path, err)
		}
		return &node{kind: leafNode, name: r.elem.Name, path: r.path, def: def,
			first: r.first, count: 1, leaf: dec, typ: typ}, nil
	}
	lt := r.elem.LogicalType.Value
	ct, hasCT := r.converted()
	switch {
	case isType[*format.ListType](lt) || (lt == nil && hasCT && ct == deprecated.List):
		return buildList(r, def, depth)
	case isType[*format.MapType](lt) || (lt == nil && hasCT && (ct == deprecated.Map || ct == deprecated.MapKeyValue)):
		return buildMap(r, def, depth)
	}
	n := &node{kind: structNode, name: r.elem.Name, path: r.path, def: def,
		first: r.first, count: r.leaves, typ: Type{Kind: KindStruct}}
	for _, c := range r.children {
		child, err := buildField(c, depth)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		n.typ.Fields = append(n.typ.Fields, columnOf(c, child))
	}
	return n, nil
}

func isType[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

// buildList applies the LIST rules of the Parquet specification, including
// its backward-compatibility rules for two-level lists.
func buildList(r *rawNode, def, depth int) (*node, error) {
	if len(r.children) != 1 || r.children[0].repetition() != format.Repeated {
		return nil, fmt.Errorf("column %q: a LIST group must hold exactly one repeated field", r.path)
	}
	rep := r.children[0]
	var (
		elem *node
		err  error
	)
	// The repeated field is itself the element when it is a primitive, a
	// group of several fields, or a group named "array" or "<list>_tuple"
	// (two-level lists); otherwise the list has the standard three-level
	// layout and the single field of the repeated group is the element.
	switch {
	case rep.isLeaf(), len(rep.children) > 1, rep.elem.Name == "array", rep.elem.Name == r.elem.Name+"_tuple":
		elem, err = buildValue(rep, rep.def, depth+1)
	default:
		elem, err = buildField(rep.children[0], depth+1)
	}
	if err != nil {
		return nil, err
	}
	return newList(r, def, rep, elem, depth), nil
}

func newList(r *rawNode, def int, rep *rawNode, elem *node, depth int) *node {
	n := &node{kind: listNode, name: r.elem.Name, path: r.path, def: def,
		first: rep.first, count: rep.leaves, rep: rep.rep, elemDef: rep.def, depth: depth,
		children: []*node{elem}}
	ec := Column{Name: elem.name, Nullable: elem.def > rep.def, Type: elem.typ}
	n.typ = Type{Kind: KindList, Elem: &ec}
	return n
}

// buildMap applies the MAP rules, accepting the legacy MAP_KEY_VALUE
// annotation and a key/value group without a value.
func buildMap(r *rawNode, def, depth int) (*node, error) {
	if len(r.children) != 1 || r.children[0].repetition() != format.Repeated || r.children[0].isLeaf() {
		return nil, fmt.Errorf("column %q: a MAP group must hold exactly one repeated group", r.path)
	}
	return buildMapFrom(r, r.children[0], def, depth)
}

// buildMapFrom builds the map named by r from its repeated key/value group kv.
func buildMapFrom(r, kv *rawNode, def, depth int) (*node, error) {
	if len(kv.children) > 2 {
		return nil, fmt.Errorf("column %q: the key/value group of a MAP has %d fields", r.path, len(kv.children))
	}
	n := &node{kind: mapNode, name: r.elem.Name, path: r.path, def: def,
		first: kv.first, count: kv.leaves, rep: kv.rep, elemDef: kv.def, depth: depth,
		typ: Type{Kind: KindMap}}
	for i, c := range kv.children {
		child, err := buildField(c, depth+1)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		col := columnOf(c, child)
		if i == 0 {
			n.typ.Key = &col
		} else {
			n.typ.Value = &col
		}
	}
	if len(n.children) == 1 {
		n.children = append(n.children, nil)
	}
	return n, nil
}

func columnOf(r *rawNode, n *node) Column {
	return Column{Name: r.elem.Name, Nullable: r.repetition() == format.Optional, Type: n.typ, FieldID: r.elem.FieldID}
}

// Kind is the kind of Go value a column decodes to.
type Kind uint8

// Kinds of columns.
const (
	KindNull      Kind = iota // always nil (logical type NULL / UNKNOWN)
	KindBool                  // bool
	KindInt32                 // int32
	KindInt64                 // int64
	KindUint64                // uint64
	KindFloat32               // float32
	KindFloat64               // float64
	KindString                // string
	KindBinary                // []byte
	KindDecimal               // Decimal
	KindDate                  // Date
	KindTimestamp             // time.Time
	KindTime                  // time.Duration since midnight
	KindList                  // List
	KindMap                   // Map
	KindStruct                // Struct
)

var kindNames = [...]string{"null", "boolean", "int32", "int64", "uint64", "float", "double",
	"string", "binary", "decimal", "date", "timestamp", "time", "list", "map", "struct"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Column describes a field: a top-level column, a struct field, a list
// element, or a map key or value.
type Column struct {
	Name     string
	Nullable bool
	Type     Type
	// FieldID is the field_id the writer recorded in the schema element
	// (Delta column mapping and Iceberg resolve columns by it); 0 when the
	// file records none.
	FieldID int32
}

// String renders the column as "name type", with " not null" when required.
func (c Column) String() string {
	s := c.Name + " " + c.Type.String()
	if !c.Nullable {
		s += " not null"
	}
	return s
}

// Type describes the type of a column as decoded by this package.
type Type struct {
	Kind Kind
	// Physical and Logical describe a leaf as stored: the physical type
	// ("INT32", "FIXED_LEN_BYTE_ARRAY(9)", "INT96", ...) and its annotation
	// ("DECIMAL(10,2)", "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", or a
	// legacy converted type such as "TIMESTAMP_MILLIS"); empty for groups.
	Physical, Logical string
	// Precision and Scale of a KindDecimal.
	Precision, Scale int32
	// Unit of a KindTimestamp or KindTime: "MILLIS", "MICROS" or "NANOS"
	// (INT96 timestamps report "NANOS").
	Unit string
	// AdjustedToUTC tells, for a KindTimestamp or KindTime, whether the
	// stored values are instants (isAdjustedToUTC=true, also the case of
	// legacy TIMESTAMP_MILLIS/MICROS and of INT96) or local date-times
	// without a time zone (isAdjustedToUTC=false; the decoded time.Time then
	// carries the local wall-clock reading in UTC).
	AdjustedToUTC bool
	// Elem is the element of a KindList.
	Elem *Column
	// Key and Value are the key and value of a KindMap; Value is nil when
	// the file's key/value group has no value field.
	Key, Value *Column
	// Fields are the fields of a KindStruct, in file order.
	Fields []Column
}

// String renders the type, for example "decimal(10,2)",
// "timestamp(micros,utc)", "list<int32>", "map<string,int64>" or
// "struct<a:string,b:int32>".
func (t Type) String() string {
	switch t.Kind {
	case KindDecimal:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case KindTimestamp, KindTime:
		zone := "local"
		if t.AdjustedToUTC {
			zone = "utc"
		}
		if t.Physical == "INT96" {
			zone = "int96"
		}
		return fmt.Sprintf("%s(%s,%s)", t.Kind, strings.ToLower(t.Unit), zone)
	case KindList:
		return "list<" + t.Elem.Type.String() + ">"
	case KindMap:
		v := "null"
		if t.Value != nil {
			v = t.Value.Type.String()
		}
		return "map<" + t.Key.Type.String() + "," + v + ">"
	case KindStruct:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + ":" + f.Type.String()
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return t.Kind.String()
}
