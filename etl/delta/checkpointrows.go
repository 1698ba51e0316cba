package delta

import (
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// The checkpoint schema is the one Spark writes (see the checkpoints in
// testdata/delta-conformance): one optional struct column per action kind,
// every field optional, in Spark's order; maps as MAP groups of repeated
// key_value groups with required keys, lists as LIST groups of optional
// elements; integers and booleans without logical types, strings UTF8.
// The deletion vector and row tracking fields of newer Spark versions are
// left out, as lakeops writes neither feature (older Spark has none of them).
//
// Rows are built value by value with explicit definition levels, so that
// "absent" and "zero" never mix: a field the protocol requires is always
// written as a value (false, 0 and "" included), an empty map or list is
// written present and empty, and only what is absent is NULL.

func ckptString() parquet.Node {
	return parquet.Optional(parquet.Encoded(parquet.String(), &parquet.Plain))
}
func ckptLong() parquet.Node {
	return parquet.Optional(parquet.Encoded(parquet.Leaf(unannotated{parquet.Int64Type}), &parquet.Plain))
}
func ckptInt() parquet.Node {
	return parquet.Optional(parquet.Encoded(parquet.Leaf(unannotated{parquet.Int32Type}), &parquet.Plain))
}
func ckptBool() parquet.Node {
	return parquet.Optional(parquet.Encoded(parquet.Leaf(parquet.BooleanType), &parquet.Plain))
}
func ckptMap() parquet.Node {
	return parquet.Optional(parquet.Map(parquet.Encoded(parquet.String(), &parquet.Plain), ckptString()))
}
func ckptList() parquet.Node { return parquet.Optional(parquet.List(ckptString())) }

// unannotated is a physical type without a logical or converted type, as
// parquet-mr writes Spark's long and int columns (parquet-go would mark
// them INT(64, signed) and INT(32, signed)).
type unannotated struct{ parquet.Type }

func (unannotated) LogicalType() *format.LogicalType         { return nil }
func (unannotated) ConvertedType() *deprecated.ConvertedType { return nil }

// ckptField is a named node of a checkpoint struct.
type ckptField struct {
	name string
	node parquet.Node
}

func ckptStruct(fields ...ckptField) parquet.Node {
	g := parquet.Group{}
	order := make([]string, len(fields))
	for i, f := range fields {
		g[f.name] = f.node
		order[i] = f.name
	}
	return parquet.Optional(OrderedGroup{Group: g, Order: order})
}

// checkpointSchema is the Parquet schema of the checkpoints lakeops writes.
func checkpointSchema() *parquet.Schema {
	txn := ckptStruct(ckptField{"appId", ckptString()}, ckptField{"version", ckptLong()}, ckptField{"lastUpdated", ckptLong()})
	add := ckptStruct(ckptField{"path", ckptString()}, ckptField{"partitionValues", ckptMap()}, ckptField{"size", ckptLong()},
		ckptField{"modificationTime", ckptLong()}, ckptField{"dataChange", ckptBool()}, ckptField{"tags", ckptMap()},
		ckptField{"stats", ckptString()})
	remove := ckptStruct(ckptField{"path", ckptString()}, ckptField{"deletionTimestamp", ckptLong()}, ckptField{"dataChange", ckptBool()},
		ckptField{"extendedFileMetadata", ckptBool()}, ckptField{"partitionValues", ckptMap()}, ckptField{"size", ckptLong()})
	format := ckptStruct(ckptField{"provider", ckptString()}, ckptField{"options", ckptMap()})
	metaData := ckptStruct(ckptField{"id", ckptString()}, ckptField{"name", ckptString()}, ckptField{"description", ckptString()},
		ckptField{"format", format}, ckptField{"schemaString", ckptString()}, ckptField{"partitionColumns", ckptList()},
		ckptField{"configuration", ckptMap()}, ckptField{"createdTime", ckptLong()})
	protocol := ckptStruct(ckptField{"minReaderVersion", ckptInt()}, ckptField{"minWriterVersion", ckptInt()},
		ckptField{"readerFeatures", ckptList()}, ckptField{"writerFeatures", ckptList()})
	root := parquet.Group{"txn": txn, "add": add, "remove": remove, "metaData": metaData, "protocol": protocol}
	return parquet.NewSchema("spark_schema", OrderedGroup{Group: root, Order: []string{"txn", "add", "remove", "metaData", "protocol"}})
}

// Leaf columns of each action struct in checkpointSchema, to write NULL
// for the actions a row does not hold.
const (
	txnLeaves      = 3
	addLeaves      = 9 // path, partitionValues key and value, size, modificationTime, dataChange, tags key and value, stats
	removeLeaves   = 7 // path, deletionTimestamp, dataChange, extendedFileMetadata, partitionValues key and value, size
	metaDataLeaves = 11
	protocolLeaves = 4
)

// levelRow builds one checkpoint row: values in column order, each with
// its repetition and definition level. def arguments are the definition
// level at which the field's parent is present.
type levelRow struct {
	row parquet.Row
	col int
}

// nulls writes NULL in the next n columns: their nearest present
// ancestor has definition level def.
func (r *levelRow) nulls(n, def int) {
	for range n {
		r.row = append(r.row, parquet.NullValue().Level(0, def, r.col))
		r.col++
	}
}

// leaf writes an optional leaf: v, or NULL when present is false.
func (r *levelRow) leaf(v parquet.Value, present bool, def int) {
	if present {
		r.row = append(r.row, v.Level(0, def+1, r.col))
	} else {
		r.row = append(r.row, parquet.NullValue().Level(0, def, r.col))
	}
	r.col++
}

func (r *levelRow) str(s string, def int) { r.leaf(parquet.ByteArrayValue([]byte(s)), true, def) }
func (r *levelRow) long(n int64, def int) { r.leaf(parquet.Int64Value(n), true, def) }
func (r *levelRow) boolean(b bool, def int) {
	r.leaf(parquet.BooleanValue(b), true, def)
}
func (r *levelRow) optStr(s string, def int) { r.leaf(parquet.ByteArrayValue([]byte(s)), s != "", def) }
func (r *levelRow) optLong(p *int64, def int) {
	if p == nil {
		r.leaf(parquet.Value{}, false, def)
		return
	}
	r.long(*p, def)
}

// strMap writes an optional map<string,string>: NULL when present is
// false, else its entries sorted by key (none for an empty map).
func (r *levelRow) strMap(m map[string]*string, present bool, def int) {
	if !present || len(m) == 0 {
		if present {
			def++ // the map is there, without entries
		}
		r.nulls(2, def)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		r.row = append(r.row, parquet.ByteArrayValue([]byte(k)).Level(min(i, 1), def+2, r.col))
	}
	r.col++
	for i, k := range keys {
		if v := m[k]; v != nil {
			r.row = append(r.row, parquet.ByteArrayValue([]byte(*v)).Level(min(i, 1), def+3, r.col))
		} else {
			r.row = append(r.row, parquet.NullValue().Level(min(i, 1), def+2, r.col))
		}
	}
	r.col++
}

// strList writes an optional array<string>: NULL when present is false.
func (r *levelRow) strList(l []string, present bool, def int) {
	if !present || len(l) == 0 {
		if present {
			def++
		}
		r.nulls(1, def)
		return
	}
	for i, s := range l {
		r.row = append(r.row, parquet.ByteArrayValue([]byte(s)).Level(min(i, 1), def+3, r.col))
	}
	r.col++
}

func ptrMap(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

// The rows of each action. Each starts with NULL for the actions before it
// and ends with NULL for those after it.

func txnRow(t Txn) parquet.Row {
	r := &levelRow{}
	r.str(t.AppID, 1)
	r.long(t.Version, 1)
	r.optLong(t.LastUpdated, 1)
	r.nulls(addLeaves+removeLeaves+metaDataLeaves+protocolLeaves, 0)
	return r.row
}

// addRow writes an add of the checkpoint: dataChange false, as Spark does.
func addRow(a *Add) parquet.Row {
	r := &levelRow{}
	r.nulls(txnLeaves, 0)
	r.str(a.Path, 1)
	r.strMap(a.PartitionValues, true, 1)
	r.long(a.Size, 1)
	r.long(a.ModificationTime, 1)
	r.boolean(false, 1)
	r.strMap(ptrMap(a.Tags), len(a.Tags) > 0, 1)
	r.optStr(a.Stats, 1)
	r.nulls(removeLeaves+metaDataLeaves+protocolLeaves, 0)
	return r.row
}

// removeRow writes a tombstone: dataChange false, partitionValues and size
// whenever extendedFileMetadata says they are there.
func removeRow(rm *Remove) parquet.Row {
	r := &levelRow{}
	r.nulls(txnLeaves+addLeaves, 0)
	r.str(rm.Path, 1)
	r.optLong(rm.DeletionTimestamp, 1)
	r.boolean(false, 1)
	r.boolean(rm.ExtendedFileMetadata, 1)
	r.strMap(rm.PartitionValues, rm.ExtendedFileMetadata || rm.PartitionValues != nil, 1)
	r.optLong(rm.Size, 1)
	r.nulls(metaDataLeaves+protocolLeaves, 0)
	return r.row
}

func metaDataRow(m *Metadata) parquet.Row {
	r := &levelRow{}
	r.nulls(txnLeaves+addLeaves+removeLeaves, 0)
	r.str(m.ID, 1)
	r.optStr(m.Name, 1)
	r.optStr(m.Description, 1)
	r.str(m.Format.Provider, 2) // format is present: provider's parent is at level 2
	r.strMap(ptrMap(m.Format.Options), true, 2)
	r.str(m.SchemaString, 1)
	r.strList(m.PartitionColumns, true, 1)
	r.strMap(ptrMap(m.Configuration), true, 1)
	r.optLong(m.CreatedTime, 1)
	r.nulls(protocolLeaves, 0)
	return r.row
}

// protocolRow writes the protocol; the feature lists are present exactly
// when the versions call for them (reader 3, writer 7), as the protocol asks.
func protocolRow(p *Protocol) parquet.Row {
	r := &levelRow{}
	r.nulls(txnLeaves+addLeaves+removeLeaves+metaDataLeaves, 0)
	r.leaf(parquet.Int32Value(int32(p.MinReaderVersion)), true, 1)
	r.leaf(parquet.Int32Value(int32(p.MinWriterVersion)), true, 1)
	r.strList(p.ReaderFeatures, p.MinReaderVersion >= 3, 1)
	r.strList(p.WriterFeatures, p.MinWriterVersion >= 7, 1)
	return r.row
}
