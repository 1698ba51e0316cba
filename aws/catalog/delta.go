package catalog

import (
	"strings"

	"github.com/lakeops/lakeops/etl/delta"
)

// DeltaParameters are the table parameters that mark a Glue table as a Delta
// Lake table that Athena reads natively (table_type=DELTA) and Spark
// recognizes (spark.sql.sources.provider=delta). A new map on every call.
func DeltaParameters() map[string]string {
	return map[string]string{
		"table_type":                 "DELTA",
		"classification":             "delta",
		"EXTERNAL":                   "TRUE",
		"spark.sql.sources.provider": "delta",
	}
}

// DefFromDelta describes a Delta table for a catalog: the schema's fields
// become Columns in schema order, except the partition columns, which become
// PartitionKeys in partitionColumns' order; types are mapped with GlueType;
// Parameters are DeltaParameters. A partition column missing from the schema
// is typed string (Delta stores partition values as strings).
func DefFromDelta(name, location string, schema *delta.StructType, partitionColumns []string) TableDef {
	def := TableDef{Name: name, Location: location, Parameters: DeltaParameters()}
	isPart := make(map[string]bool, len(partitionColumns))
	for _, p := range partitionColumns {
		isPart[p] = true
	}
	if schema != nil {
		for _, f := range schema.Fields {
			if !isPart[f.Name] {
				def.Columns = append(def.Columns, Column{Name: f.Name, Type: GlueType(f.Type)})
			}
		}
	}
	for _, p := range partitionColumns {
		typ := "string"
		if schema != nil {
			if f := schema.Field(p); f != nil {
				typ = GlueType(f.Type)
			}
		}
		def.PartitionKeys = append(def.PartitionKeys, Column{Name: p, Type: typ})
	}
	return def
}

// GlueType maps a Delta (Spark) type to its Hive/Glue type name:
//
//	long → bigint, integer → int, short → smallint, byte → tinyint,
//	float, double, boolean, string, binary, date → the same name,
//	timestamp, timestamp_ntz → timestamp, decimal(p,s) → decimal(p,s),
//	array<T>, map<K,V>, struct<name:T,...> with their element types mapped.
//
// An unknown type keeps Delta's name.
func GlueType(t delta.DataType) string {
	switch t := t.(type) {
	case *delta.PrimitiveType:
		switch t.Name {
		case delta.TypeLong:
			return "bigint"
		case delta.TypeInteger:
			return "int"
		case delta.TypeShort:
			return "smallint"
		case delta.TypeByte:
			return "tinyint"
		case delta.TypeTimestamp, delta.TypeTimestampNtz:
			return "timestamp"
		default: // string, float, double, boolean, binary, date
			return t.Name
		}
	case *delta.DecimalType:
		return t.String()
	case *delta.ArrayType:
		return "array<" + GlueType(t.ElementType) + ">"
	case *delta.MapType:
		return "map<" + GlueType(t.KeyType) + "," + GlueType(t.ValueType) + ">"
	case *delta.StructType:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + ":" + GlueType(f.Type)
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	case nil:
		return "string"
	default:
		return t.String()
	}
}
