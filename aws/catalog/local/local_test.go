package local_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/catalog/catalogtest"
	"github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
)

func newStore(t *testing.T) *folder.Store {
	t.Helper()
	s, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSuite(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) catalog.Catalog { return local.New(newStore(t)) })
}

func TestStoredAsJSONInTheLake(t *testing.T) {
	s := newStore(t)
	c := local.New(s)
	def := catalogtest.Orders()
	def.Location = s.Dir() + "/silver_layer/orders" // a local lake: a file path
	if err := c.Register(t.Context(), def); err != nil {
		t.Fatal(err)
	}
	b, err := storage.ReadAll(t.Context(), s, "_lakeops/catalog/orders.json")
	if err != nil {
		t.Fatalf("definition not at _lakeops/catalog/orders.json: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	if got["name"] != "orders" || got["location"] != def.Location {
		t.Errorf("stored %s", b)
	}
	cols, _ := got["columns"].([]any)
	first, _ := cols[0].(map[string]any)
	if len(cols) != 5 || first["name"] != "order_num" || first["type"] != "bigint" {
		t.Errorf("stored columns %v", got["columns"])
	}
	parts, _ := got["partition_keys"].([]any)
	if len(parts) != 1 {
		t.Errorf("stored partition keys %v", got["partition_keys"])
	}
}

func TestTablesIgnoresOtherObjects(t *testing.T) {
	s := newStore(t)
	c := local.New(s)
	if err := c.Register(t.Context(), catalogtest.Products()); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"_lakeops/catalog/README.txt", "_lakeops/catalog/old/orders.json", "_lakeops/catalog.json"} {
		if err := s.Put(t.Context(), key, strings.NewReader("{not json")); err != nil {
			t.Fatal(err)
		}
	}
	defs, err := c.Tables(t.Context())
	if err != nil {
		t.Fatalf("Tables: %v", err)
	}
	if len(defs) != 1 || defs[0].Name != "products" {
		t.Errorf("Tables = %+v", defs)
	}
}

func TestCorruptDefinitionNamed(t *testing.T) {
	s := newStore(t)
	if err := s.Put(t.Context(), "_lakeops/catalog/orders.json", strings.NewReader("{truncated")); err != nil {
		t.Fatal(err)
	}
	_, err := local.New(s).Tables(t.Context())
	if err == nil || !strings.Contains(err.Error(), "_lakeops/catalog/orders.json") {
		t.Errorf("Tables over a corrupt definition = %v, want an error naming the object", err)
	}
}
