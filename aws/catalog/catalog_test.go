package catalog

import (
	"reflect"
	"testing"

	"github.com/lakeops/lakeops/etl/delta"
)

func TestDefFromDelta(t *testing.T) {
	// The order_items schema as the pipeline writes it (Spark schemaString).
	schema, err := delta.ParseSchema(`{"type":"struct","fields":[
		{"name":"id","type":"long","nullable":false,"metadata":{}},
		{"name":"order_id","type":"long","nullable":false,"metadata":{}},
		{"name":"days_since_prior_order","type":"integer","nullable":true,"metadata":{}},
		{"name":"reordered","type":"boolean","nullable":false,"metadata":{}},
		{"name":"order_timestamp","type":"timestamp","nullable":false,"metadata":{}},
		{"name":"total","type":"decimal(12,2)","nullable":true,"metadata":{}},
		{"name":"date","type":"date","nullable":false,"metadata":{}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	got := DefFromDelta("order_items", "s3://lake/silver_layer/order_items", schema, []string{"date"})
	want := TableDef{
		Name:     "order_items",
		Location: "s3://lake/silver_layer/order_items",
		Columns: []Column{
			{"id", "bigint"}, {"order_id", "bigint"}, {"days_since_prior_order", "int"},
			{"reordered", "boolean"}, {"order_timestamp", "timestamp"}, {"total", "decimal(12,2)"},
		},
		PartitionKeys: []Column{{"date", "date"}},
		Parameters:    DeltaParameters(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DefFromDelta = %+v\nwant %+v", got, want)
	}
	if _, err := Check(got); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestGlueTypeNested(t *testing.T) {
	cases := map[string]delta.DataType{
		"smallint":      delta.Primitive(delta.TypeShort),
		"tinyint":       delta.Primitive(delta.TypeByte),
		"float":         delta.Primitive(delta.TypeFloat),
		"double":        delta.Primitive(delta.TypeDouble),
		"binary":        delta.Primitive(delta.TypeBinary),
		"string":        delta.Primitive(delta.TypeString),
		"timestamp":     delta.Primitive(delta.TypeTimestampNtz),
		"array<bigint>": &delta.ArrayType{ElementType: delta.Primitive(delta.TypeLong)},
		"map<string,decimal(38,18)>": &delta.MapType{
			KeyType: delta.Primitive(delta.TypeString), ValueType: &delta.DecimalType{Precision: 38, Scale: 18},
		},
		"struct<a:int,b:array<date>>": &delta.StructType{Fields: []delta.StructField{
			{Name: "a", Type: delta.Primitive(delta.TypeInteger)},
			{Name: "b", Type: &delta.ArrayType{ElementType: delta.Primitive(delta.TypeDate)}},
		}},
	}
	for want, dt := range cases {
		if got := GlueType(dt); got != want {
			t.Errorf("GlueType(%s) = %s, want %s", dt, got, want)
		}
	}
}

func TestDefFromDeltaPartitionNotInSchema(t *testing.T) {
	got := DefFromDelta("t", "s3://b/t", nil, []string{"dt"})
	if !reflect.DeepEqual(got.PartitionKeys, []Column{{"dt", "string"}}) || got.Columns != nil {
		t.Errorf("DefFromDelta without schema = %+v", got)
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"orders": "orders", "Rejected_Orders": "rejected_orders", "t2": "t2"} {
		if got, err := NormalizeName(in); err != nil || got != want {
			t.Errorf("NormalizeName(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a b", "a/b", "a.b", "é", "a-b"} {
		if _, err := NormalizeName(bad); err == nil {
			t.Errorf("NormalizeName(%q): no error", bad)
		}
	}
}

func TestClone(t *testing.T) {
	a := TableDef{Name: "t", Columns: []Column{{"a", "int"}}, Parameters: map[string]string{"k": "v"}}
	b := a.Clone()
	b.Columns[0].Name = "x"
	b.Parameters["k"] = "w"
	if a.Columns[0].Name != "a" || a.Parameters["k"] != "v" {
		t.Errorf("Clone shares state: %+v", a)
	}
}
