// Package dataset defines the three raw datasets of the lake (products,
// orders, order_items): their columns and types, keys and partitions, how a
// file's dataset is told from its name and confirmed by its header, and the
// row rules that turn a CSV record into typed values or reason codes.
package dataset

import (
	"fmt"
	"path"
	"strings"

	"github.com/lakeops/lakeops/etl/delta"
)

// Type is the type of a dataset column.
type Type int

// Column types.
const (
	Long Type = iota + 1
	Int
	String
	Timestamp // microseconds since the epoch, UTC
	Decimal   // decimal(12,2): unscaled hundredths
	Date      // days since the epoch
	Bool
)

// Column is one column of a dataset.
type Column struct {
	Name     string
	Type     Type
	Optional bool
}

// Dataset describes one raw dataset and its silver table.
type Dataset struct {
	Name      string
	Columns   []Column
	Key       int // index of the key column
	Partition int // index of the partition column, -1 for none
	Timestamp int // index of order_timestamp, -1 for none
	Date      int // index of date, -1 for none
}

// Names of the datasets, in the order a run processes them (references point backwards).
const (
	Products   = "products"
	Orders     = "orders"
	OrderItems = "order_items"
)

// All returns the datasets in processing order.
func All() []*Dataset {
	return []*Dataset{
		{Name: Products, Key: 0, Partition: -1, Timestamp: -1, Date: -1, Columns: []Column{
			{Name: "product_id", Type: Long}, {Name: "department_id", Type: Long},
			{Name: "department", Type: String}, {Name: "product_name", Type: String}}},
		{Name: Orders, Key: 1, Partition: 5, Timestamp: 3, Date: 5, Columns: []Column{
			{Name: "order_num", Type: Long, Optional: true}, {Name: "order_id", Type: Long}, {Name: "user_id", Type: Long},
			{Name: "order_timestamp", Type: Timestamp}, {Name: "total_amount", Type: Decimal}, {Name: "date", Type: Date}}},
		{Name: OrderItems, Key: 0, Partition: 8, Timestamp: 7, Date: 8, Columns: []Column{
			{Name: "id", Type: Long}, {Name: "order_id", Type: Long}, {Name: "user_id", Type: Long},
			{Name: "days_since_prior_order", Type: Int, Optional: true}, {Name: "product_id", Type: Long},
			{Name: "add_to_cart_order", Type: Int}, {Name: "reordered", Type: Bool},
			{Name: "order_timestamp", Type: Timestamp}, {Name: "date", Type: Date}}},
	}
}

// ByName returns the dataset with the given name.
func ByName(name string) (*Dataset, error) {
	for _, d := range All() {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("unknown dataset %q (want products, orders or order_items)", name)
}

// Order is the position of a dataset in processing order.
func Order(name string) int {
	for i, d := range All() {
		if d.Name == name {
			return i
		}
	}
	return len(All())
}

// Index returns the index of a column, or -1.
func (d *Dataset) Index(name string) int {
	for i, c := range d.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// KeyName is the name of the key column.
func (d *Dataset) KeyName() string { return d.Columns[d.Key].Name }

// PartitionColumns are the silver table's partition columns.
func (d *Dataset) PartitionColumns() []string {
	if d.Partition < 0 {
		return nil
	}
	return []string{d.Columns[d.Partition].Name}
}

// Schema is the silver table's Delta schema.
func (d *Dataset) Schema() *delta.StructType {
	st := &delta.StructType{}
	for _, c := range d.Columns {
		var t delta.DataType
		switch c.Type {
		case Long:
			t = delta.Primitive(delta.TypeLong)
		case Int:
			t = delta.Primitive(delta.TypeInteger)
		case String:
			t = delta.Primitive(delta.TypeString)
		case Timestamp:
			t = delta.Primitive(delta.TypeTimestamp)
		case Decimal:
			t = &delta.DecimalType{Precision: 12, Scale: 2}
		case Date:
			t = delta.Primitive(delta.TypeDate)
		case Bool:
			t = delta.Primitive(delta.TypeBoolean)
		}
		st.Fields = append(st.Fields, delta.StructField{Name: c.Name, Type: t, Nullable: c.Optional})
	}
	return st
}

// Detect tells a raw file's dataset from its folder or file name
// (products*, orders*, order_items*, case-insensitive). The file name wins
// over the folder; "order_items" is checked before "orders".
func Detect(key string) (*Dataset, bool) {
	base := strings.ToLower(path.Base(key))
	if d := detectName(base); d != nil {
		return d, true
	}
	dir := path.Dir(key)
	for dir != "." && dir != "/" && dir != "" {
		if d := detectName(strings.ToLower(path.Base(dir))); d != nil {
			return d, true
		}
		dir = path.Dir(dir)
	}
	return nil, false
}

func detectName(name string) *Dataset {
	for _, n := range []string{OrderItems, Orders, Products} {
		if strings.HasPrefix(name, n) {
			d, _ := ByName(n)
			return d
		}
	}
	return nil
}

// IsRawFile reports whether a key names a raw CSV file (.csv or .csv.gz).
func IsRawFile(key string) bool {
	k := strings.ToLower(key)
	return strings.HasSuffix(k, ".csv") || strings.HasSuffix(k, ".csv.gz")
}
