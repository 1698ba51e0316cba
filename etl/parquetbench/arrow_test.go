package parquetbench

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// arrowSchema is the arrow schema of the written columns. Nullable: false
// makes a REQUIRED Parquet column, so only days_since_prior_order is
// OPTIONAL, as in orderItem. A timestamp type with a time zone (any) is
// written as TIMESTAMP(MICROS, isAdjustedToUTC=true); without one it would be
// isAdjustedToUTC=false.
func arrowSchema() *arrow.Schema {
	i64, i32 := arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: i64},
		{Name: "order_id", Type: i64},
		{Name: "user_id", Type: i64},
		{Name: "days_since_prior_order", Type: i32, Nullable: true},
		{Name: "product_id", Type: i64},
		{Name: "add_to_cart_order", Type: i32},
		{Name: "reordered", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "order_timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	}, nil)
}

// arrowWriter builds one arrow record per file with a reused
// array.RecordBuilder (Reserve, then UnsafeAppend per value) and writes it
// with pqarrow.FileWriter.Write as a single row group. A pqarrow.FileWriter
// cannot be reset, so each file gets a new one.
type arrowWriter struct {
	dictionary bool // dictionary encoding, arrow's default

	mem    memory.Allocator
	schema *arrow.Schema
	rb     *array.RecordBuilder
}

func (a *arrowWriter) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if a.rb == nil {
		a.mem = memory.NewGoAllocator()
		a.schema = arrowSchema()
		a.rb = array.NewRecordBuilder(a.mem, a.schema)
	}
	rec, err := a.record(d, p)
	if err != nil {
		return err
	}
	defer rec.Release()
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(a.mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(a.dictionary),
	)
	fw, err := pqarrow.NewFileWriter(a.schema, out, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(a.mem)))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		return err
	}
	return fw.Close()
}

// record builds the arrow record of the partition's rows.
func (a *arrowWriter) record(d *dataset, p *partition) (arrow.RecordBatch, error) {
	a.rb.Reserve(len(p.rows))
	id, ok1 := a.rb.Field(0).(*array.Int64Builder)
	orderID, ok2 := a.rb.Field(1).(*array.Int64Builder)
	userID, ok3 := a.rb.Field(2).(*array.Int64Builder)
	days, ok4 := a.rb.Field(3).(*array.Int32Builder)
	productID, ok5 := a.rb.Field(4).(*array.Int64Builder)
	addToCart, ok6 := a.rb.Field(5).(*array.Int32Builder)
	reordered, ok7 := a.rb.Field(6).(*array.BooleanBuilder)
	ts, ok8 := a.rb.Field(7).(*array.TimestampBuilder)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) {
		return nil, fmt.Errorf("unexpected arrow builders for schema %s", a.schema)
	}
	for _, i := range p.rows {
		id.UnsafeAppend(d.id[i])
		orderID.UnsafeAppend(d.orderID[i])
		userID.UnsafeAppend(d.userID[i])
		if d.daysValid[i] {
			days.UnsafeAppend(d.days[i])
		} else {
			days.UnsafeAppendBoolToBitmap(false)
		}
		productID.UnsafeAppend(d.productID[i])
		addToCart.UnsafeAppend(d.addToCart[i])
		reordered.UnsafeAppend(d.reordered[i])
		ts.UnsafeAppend(arrow.Timestamp(d.ts[i]))
	}
	return a.rb.NewRecordBatch(), nil
}

// arrowArrays skips the builders: it gathers the partition's values into
// reused Go slices and wraps them as arrow arrays without copying
// (memory.NewBufferBytes over the slices' bytes), with validity and boolean
// bitmaps packed by hand. The written file is the same as arrowWriter's
// with dictionary false.
type arrowArrays struct {
	mem    memory.Allocator
	schema *arrow.Schema

	i64        [5][]int64 // id, order_id, user_id, product_id, order_timestamp
	days, cart []int32
	daysValid  []byte // validity bitmap of days
	reordered  []byte // value bitmap of reordered
}

func (a *arrowArrays) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if a.schema == nil {
		a.mem = memory.NewGoAllocator()
		a.schema = arrowSchema()
	}
	n := len(p.rows)
	for k, src := range [5][]int64{d.id, d.orderID, d.userID, d.productID, d.ts} {
		a.i64[k] = grow(a.i64[k], n)
		dst := a.i64[k]
		for j, i := range p.rows {
			dst[j] = src[i]
		}
	}
	a.days, a.cart = grow(a.days, n), grow(a.cart, n)
	a.daysValid, a.reordered = grow(a.daysValid, (n+7)/8), grow(a.reordered, (n+7)/8)
	clear(a.daysValid)
	clear(a.reordered)
	nulls := 0
	for j, i := range p.rows {
		a.days[j], a.cart[j] = d.days[i], d.addToCart[i]
		if d.daysValid[i] {
			a.daysValid[j/8] |= 1 << (j % 8)
		} else {
			nulls++
		}
		if d.reordered[i] {
			a.reordered[j/8] |= 1 << (j % 8)
		}
	}
	i64Array := func(t arrow.DataType, s []int64) arrow.Array {
		buf := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(s))
		data := array.NewData(t, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		defer data.Release()
		return array.MakeFromData(data)
	}
	i32Array := func(s []int32, validity []byte, nulls int) arrow.Array {
		var valid *memory.Buffer
		if validity != nil {
			valid = memory.NewBufferBytes(validity)
		}
		buf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(s))
		data := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{valid, buf}, nil, nulls, 0)
		defer data.Release()
		return array.MakeFromData(data)
	}
	boolData := array.NewData(arrow.FixedWidthTypes.Boolean, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(a.reordered)}, nil, 0, 0)
	defer boolData.Release()
	cols := []arrow.Array{
		i64Array(arrow.PrimitiveTypes.Int64, a.i64[0]),
		i64Array(arrow.PrimitiveTypes.Int64, a.i64[1]),
		i64Array(arrow.PrimitiveTypes.Int64, a.i64[2]),
		i32Array(a.days, a.daysValid, nulls),
		i64Array(arrow.PrimitiveTypes.Int64, a.i64[3]),
		i32Array(a.cart, nil, 0),
		array.MakeFromData(boolData),
		i64Array(a.schema.Field(7).Type, a.i64[4]),
	}
	rec := array.NewRecordBatch(a.schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(a.mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(false),
	)
	fw, err := pqarrow.NewFileWriter(a.schema, out, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(a.mem)))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		return err
	}
	return fw.Close()
}
