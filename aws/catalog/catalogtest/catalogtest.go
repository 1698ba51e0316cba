// Package catalogtest is the behaviour suite every catalog.Catalog must pass:
// one set of tests, run against the local catalog and against the Glue
// catalog (on a fake Glue that speaks its wire protocol), so that callers see
// the same semantics on both.
package catalogtest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/etl/delta"
)

// Run runs the suite. newCatalog must return a new, empty catalog each call;
// it is called from parallel subtests.
func Run(t *testing.T, newCatalog func(t *testing.T) catalog.Catalog) {
	tests := []struct {
		name string
		fn   func(*testing.T, catalog.Catalog)
	}{
		{"RegisterAndList", testRegisterAndList},
		{"RegisterReplaces", testRegisterReplaces},
		{"NamesLowered", testNamesLowered},
		{"InvalidDefinitions", testInvalidDefinitions},
		{"Drop", testDrop},
		{"Empty", testEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newCatalog(t))
		})
	}
}

// Orders is the orders table of the lake, as DefFromDelta describes it.
func Orders() catalog.TableDef {
	schema := &delta.StructType{Fields: []delta.StructField{
		{Name: "order_num", Type: delta.Primitive(delta.TypeLong), Nullable: true},
		{Name: "order_id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "user_id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "order_timestamp", Type: delta.Primitive(delta.TypeTimestamp)},
		{Name: "total_amount", Type: &delta.DecimalType{Precision: 12, Scale: 2}},
		{Name: "date", Type: delta.Primitive(delta.TypeDate)},
	}}
	return catalog.DefFromDelta("orders", "s3://lakeops-lake/silver_layer/orders", schema, []string{"date"})
}

// Products is the products table of the lake, unpartitioned.
func Products() catalog.TableDef {
	schema := &delta.StructType{Fields: []delta.StructField{
		{Name: "product_id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "department_id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "department", Type: delta.Primitive(delta.TypeString)},
		{Name: "product_name", Type: delta.Primitive(delta.TypeString)},
	}}
	return catalog.DefFromDelta("products", "s3://lakeops-lake/silver_layer/products", schema, nil)
}

func register(t *testing.T, c catalog.Catalog, def catalog.TableDef) {
	t.Helper()
	if err := c.Register(t.Context(), def); err != nil {
		t.Fatalf("Register(%s): %v", def.Name, err)
	}
}

func tables(t *testing.T, c catalog.Catalog) []catalog.TableDef {
	t.Helper()
	defs, err := c.Tables(t.Context())
	if err != nil {
		t.Fatalf("Tables: %v", err)
	}
	return defs
}

// same compares definitions on what every catalog keeps: name, location,
// columns, partition keys, and the given parameters (a catalog may add its own).
func same(t *testing.T, got, want catalog.TableDef) {
	t.Helper()
	if got.Name != want.Name || got.Location != want.Location ||
		!reflect.DeepEqual(got.Columns, want.Columns) || !reflect.DeepEqual(got.PartitionKeys, want.PartitionKeys) {
		t.Errorf("table = %+v\nwant %+v", got, want)
	}
	for k, v := range want.Parameters {
		if got.Parameters[k] != v {
			t.Errorf("table %s parameter %s = %q, want %q", want.Name, k, got.Parameters[k], v)
		}
	}
}

func testRegisterAndList(t *testing.T, c catalog.Catalog) {
	register(t, c, Products())
	register(t, c, Orders())
	defs := tables(t, c)
	if len(defs) != 2 {
		t.Fatalf("%d tables, want 2: %+v", len(defs), defs)
	}
	same(t, defs[0], Orders()) // sorted by name
	same(t, defs[1], Products())
	if defs[0].Parameters["table_type"] != "DELTA" {
		t.Errorf("orders parameters %v lack table_type=DELTA", defs[0].Parameters)
	}
}

func testRegisterReplaces(t *testing.T, c catalog.Catalog) {
	register(t, c, Orders())
	changed := Orders()
	changed.Columns = append(changed.Columns, catalog.Column{Name: "coupon", Type: "string"})
	changed.Parameters["delta.lastUpdateVersion"] = "7"
	register(t, c, changed)
	defs := tables(t, c)
	if len(defs) != 1 {
		t.Fatalf("%d tables after re-register, want 1", len(defs))
	}
	same(t, defs[0], changed)
}

func testNamesLowered(t *testing.T, c catalog.Catalog) {
	def := Products()
	def.Name = "Products"
	register(t, c, def)
	defs := tables(t, c)
	if len(defs) != 1 || defs[0].Name != "products" {
		t.Fatalf("tables = %+v, want one named products", defs)
	}
	if err := c.Drop(t.Context(), "PRODUCTS"); err != nil {
		t.Errorf("Drop(PRODUCTS): %v", err)
	}
}

func testInvalidDefinitions(t *testing.T, c catalog.Catalog) {
	bad := map[string]func(*catalog.TableDef){
		"empty name":       func(d *catalog.TableDef) { d.Name = "" },
		"name with slash":  func(d *catalog.TableDef) { d.Name = "../orders" },
		"name with dash":   func(d *catalog.TableDef) { d.Name = "order-items" },
		"no location":      func(d *catalog.TableDef) { d.Location = "" },
		"untyped column":   func(d *catalog.TableDef) { d.Columns[0].Type = "" },
		"duplicate column": func(d *catalog.TableDef) { d.PartitionKeys = append(d.PartitionKeys, d.Columns[0]) },
	}
	for what, mutate := range bad {
		def := Orders()
		mutate(&def)
		if err := c.Register(t.Context(), def); err == nil {
			t.Errorf("Register with %s: no error", what)
		}
	}
	if defs := tables(t, c); len(defs) != 0 {
		t.Errorf("invalid definitions were registered: %+v", defs)
	}
}

func testDrop(t *testing.T, c catalog.Catalog) {
	register(t, c, Orders())
	register(t, c, Products())
	if err := c.Drop(t.Context(), "orders"); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	defs := tables(t, c)
	if len(defs) != 1 || defs[0].Name != "products" {
		t.Errorf("after Drop: %+v", defs)
	}
	if err := c.Drop(t.Context(), "orders"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("second Drop = %v, want ErrNotFound", err)
	}
}

func testEmpty(t *testing.T, c catalog.Catalog) {
	if defs := tables(t, c); len(defs) != 0 {
		t.Errorf("new catalog has tables: %+v", defs)
	}
	if err := c.Drop(t.Context(), "nothing"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Drop on an empty catalog = %v, want ErrNotFound", err)
	}
}
