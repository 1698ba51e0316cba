package glue

import (
	"context"
	"reflect"
	"testing"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
)

// productsFromDelta creates a real, unpartitioned Delta table and describes
// it for the catalog from its snapshot, as `table register` does.
func productsFromDelta(t *testing.T) (catalog.TableDef, *delta.StructType) {
	t.Helper()
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	schema := &delta.StructType{Fields: []delta.StructField{
		{Name: "product_id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "department_id", Type: delta.Primitive(delta.TypeInteger), Nullable: true},
		{Name: "department", Type: delta.Primitive(delta.TypeString), Nullable: true},
		{Name: "price", Type: &delta.DecimalType{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "added", Type: delta.Primitive(delta.TypeTimestamp), Nullable: true},
	}}
	snap, err := delta.NewTable(st, "silver_layer/products").Create(context.Background(), delta.CreateOptions{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	return catalog.DefFromDelta("products", "s3://lakeops-lake/silver_layer/products", snap.Schema(), snap.PartitionColumns()), schema
}

// checkResolvable asserts, one by one, what Athena, Glue Spark jobs and EMR
// need of a Delta table's Glue entry.
func checkResolvable(t *testing.T, op string, in map[string]any, location string, wantCols []any, wantParts []any) {
	t.Helper()
	params, _ := in["Parameters"].(map[string]any)
	for k, want := range map[string]string{"table_type": "DELTA", "spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"} {
		if params[k] != want {
			t.Errorf("%s: Parameters[%s] = %v, want %s", op, k, params[k], want)
		}
	}
	if got := field(in, "TableType"); got != "EXTERNAL_TABLE" {
		t.Errorf("%s: TableType = %v", op, got)
	}
	if got := field(in, "StorageDescriptor", "Location"); got != location {
		t.Errorf("%s: Location = %v, want %s", op, got, location)
	}
	if got := field(in, "StorageDescriptor", "SerdeInfo", "Parameters", "path"); got != location {
		t.Errorf("%s: SerDe parameter path = %v, want %s (Spark's Hive catalog reads the location there)", op, got, location)
	}
	parts, present := in["PartitionKeys"]
	if !present || parts == nil {
		t.Errorf("%s: PartitionKeys absent, want a list (Athena wants [] for an unpartitioned table)", op)
	} else if !reflect.DeepEqual(parts, wantParts) {
		t.Errorf("%s: PartitionKeys = %v, want %v", op, parts, wantParts)
	}
	if got := field(in, "StorageDescriptor", "Columns"); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("%s: Columns = %v, want %v", op, got, wantCols)
	}
}

func TestProtocolRegisterUnpartitionedDeltaTable(t *testing.T) {
	def, schema := productsFromDelta(t)
	col := func(name, typ string) any { return map[string]any{"Name": name, "Type": typ} }
	wantCols := []any{col("product_id", "bigint"), col("department_id", "int"), col("department", "string"),
		col("price", "decimal(10,2)"), col("added", "timestamp")}
	if len(wantCols) != len(schema.Fields) {
		t.Fatal("every column of the Delta schema must be expected")
	}
	for _, tc := range []struct {
		name   string
		script []reply
		op     int // index of the request carrying the TableInput
	}{
		{"create", []reply{{Op: "GetTable", File: "get-table-not-found.json", Status: 400}, {Op: "CreateTable", File: "create-table.json"}}, 1},
		{"update", []reply{{Op: "GetTable", File: "get-table-products.json"}, {Op: "UpdateTable", File: "update-table.json"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeService(t, "AWSGlue.", tc.script...)
			if err := New(f.Config(), Options{Database: "lakeops"}).Register(t.Context(), def); err != nil {
				t.Fatalf("Register: %v", err)
			}
			req := f.Requests()[tc.op]
			in, _ := req.Body["TableInput"].(map[string]any)
			checkResolvable(t, req.Op, in, "s3://lakeops-lake/silver_layer/products", wantCols, []any{})
			if tc.name == "update" && field(req.Body, "VersionId") != "7" {
				t.Errorf("UpdateTable VersionId = %v, want 7", field(req.Body, "VersionId"))
			}
			f.Done()
		})
	}
}

func TestProtocolRegisterPartitionedIsResolvable(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "get-table-not-found.json", Status: 400},
		reply{Op: "CreateTable", File: "create-table.json"},
	)
	if err := New(f.Config(), Options{Database: "lakeops"}).Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	want := wantTableInput()
	in, _ := f.Requests()[1].Body["TableInput"].(map[string]any)
	checkResolvable(t, "CreateTable", in, "s3://lakeops-lake/silver_layer/orders",
		field(want, "StorageDescriptor", "Columns").([]any), want["PartitionKeys"].([]any))
	f.Done()
}
