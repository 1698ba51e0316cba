package glue

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/catalog/catalogtest"
)

func TestSuite(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) catalog.Catalog {
		return New(newMemGlue(t, "lakeops", 1), Options{Database: "lakeops"})
	})
}

// wantTableInput is the TableInput, as JSON, that Register sends for
// catalogtest.Orders() with one extra parameter.
func wantTableInput() map[string]any {
	col := func(name, typ string) any { return map[string]any{"Name": name, "Type": typ} }
	return map[string]any{
		"Name":      "orders",
		"TableType": "EXTERNAL_TABLE",
		"Parameters": map[string]any{
			"table_type":                 "DELTA",
			"classification":             "delta",
			"EXTERNAL":                   "TRUE",
			"spark.sql.sources.provider": "delta",
			"lakeops.version":            "12",
		},
		"StorageDescriptor": map[string]any{
			"Location": "s3://lakeops-lake/silver_layer/orders",
			"Columns": []any{
				col("order_num", "bigint"), col("order_id", "bigint"), col("user_id", "bigint"),
				col("order_timestamp", "timestamp"), col("total_amount", "decimal(12,2)"),
			},
			"InputFormat":  "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
			"OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
			"SerdeInfo": map[string]any{
				"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
				"Parameters":           map[string]any{"serialization.format": "1"},
			},
		},
		"PartitionKeys": []any{col("date", "date")},
	}
}

func ordersDef() catalog.TableDef {
	def := catalogtest.Orders()
	def.Parameters["lakeops.version"] = "12"
	def.Parameters["table_type"] = "HIVE" // overridden: the Delta parameters win
	return def
}

func checkTableInput(t *testing.T, c call) {
	t.Helper()
	got := field(c.body, "TableInput")
	if want := wantTableInput(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s TableInput =\n%v\nwant\n%v", c.op, got, want)
	}
	if got := field(c.body, "DatabaseName"); got != "lakeops" {
		t.Errorf("%s DatabaseName = %v", c.op, got)
	}
}

func TestProtocolRegisterCreatesWhenNotFound(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTable", file: "get-table-not-found.json", status: 400},
		reply{op: "CreateTable", file: "create-table.json"},
	)
	c := New(f.config(), Options{Database: "lakeops"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	reqs := f.requests()
	want := map[string]any{"DatabaseName": "lakeops", "Name": "orders"}
	if !reflect.DeepEqual(reqs[0].body, want) {
		t.Errorf("GetTable body = %v, want %v", reqs[0].body, want)
	}
	checkTableInput(t, reqs[1])
	if _, ok := reqs[1].body["CatalogId"]; ok {
		t.Errorf("CatalogId sent without being configured")
	}
	f.done()
}

func TestProtocolRegisterUpdatesWhenFound(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTable", file: "get-table-orders.json"},
		reply{op: "UpdateTable", file: "update-table.json"},
	)
	c := New(f.config(), Options{Database: "lakeops", CatalogID: "123456789012"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	reqs := f.requests()
	if got := field(reqs[0].body, "CatalogId"); got != "123456789012" {
		t.Errorf("GetTable CatalogId = %v", got)
	}
	upd := reqs[1]
	checkTableInput(t, upd)
	if got := field(upd.body, "VersionId"); got != "3" {
		t.Errorf("UpdateTable VersionId = %v, want the version GetTable returned (3)", got)
	}
	if got := field(upd.body, "CatalogId"); got != "123456789012" {
		t.Errorf("UpdateTable CatalogId = %v", got)
	}
	f.done()
}

func TestProtocolRegisterCreateRaceFallsBackToUpdate(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTable", file: "get-table-not-found.json", status: 400},
		reply{op: "CreateTable", file: "create-table-already-exists.json", status: 400},
		reply{op: "UpdateTable", file: "update-table.json"},
	)
	c := New(f.config(), Options{Database: "lakeops"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	upd := f.requests()[2]
	checkTableInput(t, upd)
	if _, ok := upd.body["VersionId"]; ok {
		t.Errorf("UpdateTable after AlreadyExists sent a VersionId it never read: %v", upd.body["VersionId"])
	}
	f.done()
}

func TestProtocolRegisterUpdateRaceFallsBackToCreate(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTable", file: "get-table-orders.json"},
		reply{op: "UpdateTable", file: "get-table-not-found.json", status: 400},
		reply{op: "CreateTable", file: "create-table.json"},
	)
	c := New(f.config(), Options{Database: "lakeops"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	checkTableInput(t, f.requests()[2])
	f.done()
}

func TestProtocolRegisterConcurrentModification(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTable", file: "get-table-orders.json"},
		reply{op: "UpdateTable", file: "update-table-concurrent.json", status: 400},
	)
	err := New(f.config(), Options{Database: "lakeops"}).Register(t.Context(), ordersDef())
	var cm *types.ConcurrentModificationException
	if !errors.As(err, &cm) || !strings.Contains(err.Error(), "glue: update table lakeops.orders") {
		t.Errorf("err = %v, want a wrapped ConcurrentModificationException", err)
	}
	f.done()
}

func TestProtocolRegisterMissingDatabase(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTable", file: "create-table-database-not-found.json", status: 400},
		reply{op: "CreateTable", file: "create-table-database-not-found.json", status: 400},
	)
	err := New(f.config(), Options{Database: "lakeops"}).Register(t.Context(), ordersDef())
	if err == nil || !strings.Contains(err.Error(), "Database lakeops not found.") || !strings.Contains(err.Error(), "create table lakeops.orders") {
		t.Errorf("err = %v, want Glue's message with context", err)
	}
	if err != nil && strings.Contains(err.Error(), "not-a-secret") {
		t.Errorf("error leaks the secret key: %v", err)
	}
	f.done()
}

func TestProtocolRegisterRefusesNonS3Location(t *testing.T) {
	f := newFakeService(t, "AWSGlue.")
	def := ordersDef()
	def.Location = "/data/lake/silver_layer/orders"
	err := New(f.config(), Options{Database: "lakeops"}).Register(t.Context(), def)
	if err == nil || !strings.Contains(err.Error(), "s3://") {
		t.Errorf("err = %v, want a refusal of the file location", err)
	}
	if ops := f.ops(); len(ops) != 0 {
		t.Errorf("requests sent: %v", ops)
	}
}

func TestProtocolGetTablesPaginated(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "GetTables", file: "get-tables-page1.json"},
		reply{op: "GetTables", file: "get-tables-page2.json"},
	)
	c := New(f.config(), Options{Database: "lakeops", PageSize: 2})
	defs, err := c.Tables(t.Context())
	if err != nil {
		t.Fatalf("Tables: %v", err)
	}
	var names []string
	for _, d := range defs {
		names = append(names, d.Name)
	}
	if want := []string{"legacy_csv", "order_items", "orders", "products"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %v, want %v (both pages, sorted)", names, want)
	}
	orders := defs[2]
	wantOrders := catalogtest.Orders()
	if orders.Location != wantOrders.Location || !reflect.DeepEqual(orders.Columns, wantOrders.Columns) ||
		!reflect.DeepEqual(orders.PartitionKeys, wantOrders.PartitionKeys) || !reflect.DeepEqual(orders.Parameters, wantOrders.Parameters) {
		t.Errorf("orders = %+v\nwant %+v", orders, wantOrders)
	}
	if defs[0].Parameters["classification"] != "csv" || defs[3].PartitionKeys != nil {
		t.Errorf("legacy_csv / products = %+v / %+v", defs[0], defs[3])
	}
	reqs := f.requests()
	if got := field(reqs[0].body, "MaxResults"); got != float64(2) {
		t.Errorf("MaxResults = %v", got)
	}
	if _, ok := reqs[0].body["NextToken"]; ok {
		t.Errorf("first GetTables sent a NextToken")
	}
	if got := field(reqs[1].body, "NextToken"); got != "eyJsYXN0IjoiL2xha2VvcHMvb3JkZXJzIn0=" {
		t.Errorf("second GetTables NextToken = %v", got)
	}
	for _, r := range reqs {
		if field(r.body, "DatabaseName") != "lakeops" {
			t.Errorf("GetTables DatabaseName = %v", field(r.body, "DatabaseName"))
		}
	}
	f.done()
}

func TestProtocolDrop(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{op: "DeleteTable", file: "delete-table.json"},
		reply{op: "DeleteTable", file: "get-table-not-found.json", status: 400},
	)
	c := New(f.config(), Options{Database: "lakeops"})
	if err := c.Drop(t.Context(), "Orders"); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	if got := f.requests()[0].body; !reflect.DeepEqual(got, map[string]any{"DatabaseName": "lakeops", "Name": "orders"}) {
		t.Errorf("DeleteTable body = %v", got)
	}
	if err := c.Drop(t.Context(), "orders"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Drop of a missing table = %v, want ErrNotFound", err)
	}
	f.done()
}
