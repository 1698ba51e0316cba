package glue

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/catalog/catalogtest"
	"github.com/lakeops/lakeops/aws/internal/awsfake"
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
				"Parameters":           map[string]any{"serialization.format": "1", "path": "s3://lakeops-lake/silver_layer/orders"},
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

func checkTableInput(t *testing.T, c awsfake.Call) {
	t.Helper()
	got := field(c.Body, "TableInput")
	if want := wantTableInput(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s TableInput =\n%v\nwant\n%v", c.Op, got, want)
	}
	if got := field(c.Body, "DatabaseName"); got != "lakeops" {
		t.Errorf("%s DatabaseName = %v", c.Op, got)
	}
}

func TestProtocolRegisterCreatesWhenNotFound(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "get-table-not-found.json", Status: 400},
		reply{Op: "CreateTable", File: "create-table.json"},
	)
	c := New(f.Config(), Options{Database: "lakeops"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	reqs := f.Requests()
	want := map[string]any{"DatabaseName": "lakeops", "Name": "orders"}
	if !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("GetTable body = %v, want %v", reqs[0].Body, want)
	}
	checkTableInput(t, reqs[1])
	if _, ok := reqs[1].Body["CatalogId"]; ok {
		t.Errorf("CatalogId sent without being configured")
	}
	f.Done()
}

func TestProtocolRegisterUpdatesWhenFound(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "get-table-orders.json"},
		reply{Op: "UpdateTable", File: "update-table.json"},
	)
	c := New(f.Config(), Options{Database: "lakeops", CatalogID: "123456789012"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	reqs := f.Requests()
	if got := field(reqs[0].Body, "CatalogId"); got != "123456789012" {
		t.Errorf("GetTable CatalogId = %v", got)
	}
	upd := reqs[1]
	checkTableInput(t, upd)
	if got := field(upd.Body, "VersionId"); got != "3" {
		t.Errorf("UpdateTable VersionId = %v, want the version GetTable returned (3)", got)
	}
	if got := field(upd.Body, "CatalogId"); got != "123456789012" {
		t.Errorf("UpdateTable CatalogId = %v", got)
	}
	f.Done()
}

func TestProtocolRegisterCreateRaceFallsBackToUpdate(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "get-table-not-found.json", Status: 400},
		reply{Op: "CreateTable", File: "create-table-already-exists.json", Status: 400},
		reply{Op: "UpdateTable", File: "update-table.json"},
	)
	c := New(f.Config(), Options{Database: "lakeops"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	upd := f.Requests()[2]
	checkTableInput(t, upd)
	if _, ok := upd.Body["VersionId"]; ok {
		t.Errorf("UpdateTable after AlreadyExists sent a VersionId it never read: %v", upd.Body["VersionId"])
	}
	f.Done()
}

func TestProtocolRegisterUpdateRaceFallsBackToCreate(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "get-table-orders.json"},
		reply{Op: "UpdateTable", File: "get-table-not-found.json", Status: 400},
		reply{Op: "CreateTable", File: "create-table.json"},
	)
	c := New(f.Config(), Options{Database: "lakeops"})
	if err := c.Register(t.Context(), ordersDef()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	checkTableInput(t, f.Requests()[2])
	f.Done()
}

func TestProtocolRegisterConcurrentModification(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "get-table-orders.json"},
		reply{Op: "UpdateTable", File: "update-table-concurrent.json", Status: 400},
	)
	err := New(f.Config(), Options{Database: "lakeops"}).Register(t.Context(), ordersDef())
	var cm *types.ConcurrentModificationException
	if !errors.As(err, &cm) || !strings.Contains(err.Error(), "glue: update table lakeops.orders") {
		t.Errorf("err = %v, want a wrapped ConcurrentModificationException", err)
	}
	f.Done()
}

func TestProtocolRegisterMissingDatabase(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTable", File: "create-table-database-not-found.json", Status: 400},
		reply{Op: "CreateTable", File: "create-table-database-not-found.json", Status: 400},
	)
	err := New(f.Config(), Options{Database: "lakeops"}).Register(t.Context(), ordersDef())
	if err == nil || !strings.Contains(err.Error(), "Database lakeops not found.") || !strings.Contains(err.Error(), "create table lakeops.orders") {
		t.Errorf("err = %v, want Glue's message with context", err)
	}
	if err != nil && strings.Contains(err.Error(), "not-a-secret") {
		t.Errorf("error leaks the secret key: %v", err)
	}
	f.Done()
}

func TestProtocolRegisterRefusesNonS3Location(t *testing.T) {
	f := newFakeService(t, "AWSGlue.")
	def := ordersDef()
	def.Location = "/data/lake/silver_layer/orders"
	err := New(f.Config(), Options{Database: "lakeops"}).Register(t.Context(), def)
	if err == nil || !strings.Contains(err.Error(), "s3://") {
		t.Errorf("err = %v, want a refusal of the file location", err)
	}
	if ops := f.Ops(); len(ops) != 0 {
		t.Errorf("requests sent: %v", ops)
	}
}

func TestProtocolGetTablesPaginated(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "GetTables", File: "get-tables-page1.json"},
		reply{Op: "GetTables", File: "get-tables-page2.json"},
	)
	c := New(f.Config(), Options{Database: "lakeops", PageSize: 2})
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
	reqs := f.Requests()
	if got := field(reqs[0].Body, "MaxResults"); got != float64(2) {
		t.Errorf("MaxResults = %v", got)
	}
	if _, ok := reqs[0].Body["NextToken"]; ok {
		t.Errorf("first GetTables sent a NextToken")
	}
	if got := field(reqs[1].Body, "NextToken"); got != "eyJsYXN0IjoiL2xha2VvcHMvb3JkZXJzIn0=" {
		t.Errorf("second GetTables NextToken = %v", got)
	}
	for _, r := range reqs {
		if field(r.Body, "DatabaseName") != "lakeops" {
			t.Errorf("GetTables DatabaseName = %v", field(r.Body, "DatabaseName"))
		}
	}
	f.Done()
}

func TestProtocolDrop(t *testing.T) {
	f := newFakeService(t, "AWSGlue.",
		reply{Op: "DeleteTable", File: "delete-table.json"},
		reply{Op: "DeleteTable", File: "get-table-not-found.json", Status: 400},
	)
	c := New(f.Config(), Options{Database: "lakeops"})
	if err := c.Drop(t.Context(), "Orders"); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	if got := f.Requests()[0].Body; !reflect.DeepEqual(got, map[string]any{"DatabaseName": "lakeops", "Name": "orders"}) {
		t.Errorf("DeleteTable body = %v", got)
	}
	if err := c.Drop(t.Context(), "orders"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Drop of a missing table = %v, want ErrNotFound", err)
	}
	f.Done()
}
