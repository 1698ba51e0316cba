package parquetbench

import (
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// orderItem is the parquet-go schema of the written columns. A struct schema
// keeps the declaration order of its fields (a parquet.Group sorts its
// fields by name). The pointer makes days_since_prior_order OPTIONAL; every
// other column is REQUIRED. The timestamp tag on an int64 field makes a
// TIMESTAMP(MICROS, isAdjustedToUTC=true) column of the raw microseconds,
// without converting through time.Time.
type orderItem struct {
	ID                  int64  `parquet:"id"`
	OrderID             int64  `parquet:"order_id"`
	UserID              int64  `parquet:"user_id"`
	DaysSincePriorOrder *int32 `parquet:"days_since_prior_order"`
	ProductID           int64  `parquet:"product_id"`
	AddToCartOrder      int32  `parquet:"add_to_cart_order"`
	Reordered           bool   `parquet:"reordered"`
	OrderTimestamp      int64  `parquet:"order_timestamp,timestamp(microsecond:utc)"`
}

// orderItemDict is orderItem with dictionary encoding on the columns with
// repeated values, the parquet-go counterpart of arrow's default.
type orderItemDict struct {
	ID                  int64  `parquet:"id"`
	OrderID             int64  `parquet:"order_id,dict"`
	UserID              int64  `parquet:"user_id,dict"`
	DaysSincePriorOrder *int32 `parquet:"days_since_prior_order,dict"`
	ProductID           int64  `parquet:"product_id,dict"`
	AddToCartOrder      int32  `parquet:"add_to_cart_order,dict"`
	Reordered           bool   `parquet:"reordered"`
	OrderTimestamp      int64  `parquet:"order_timestamp,timestamp(microsecond:utc),dict"`
}

// parquetGoOptions are the writer options every parquet-go variant uses.
func parquetGoOptions() []parquet.WriterOption {
	return []parquet.WriterOption{parquet.Compression(&parquet.Snappy)}
}

// batchRows is how many rows the row-oriented variants hand the writer per
// call.
const batchRows = 4096

// pqGeneric writes with parquet.GenericWriter[orderItem]: rows are gathered
// into a reused []orderItem batch. The writer itself is reused across files
// with Reset.
type pqGeneric struct {
	w     *parquet.GenericWriter[orderItem]
	batch []orderItem
}

func (g *pqGeneric) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if g.w == nil {
		g.w = parquet.NewGenericWriter[orderItem](out, parquetGoOptions()...)
		g.batch = make([]orderItem, 0, batchRows)
	} else {
		g.w.Reset(out)
	}
	for start := 0; start < len(p.rows); start += batchRows {
		batch := g.batch[:0]
		for _, i := range p.rows[start:min(start+batchRows, len(p.rows))] {
			var days *int32
			if d.daysValid[i] {
				days = &d.days[i]
			}
			batch = append(batch, orderItem{
				ID: d.id[i], OrderID: d.orderID[i], UserID: d.userID[i],
				DaysSincePriorOrder: days, ProductID: d.productID[i],
				AddToCartOrder: d.addToCart[i], Reordered: d.reordered[i],
				OrderTimestamp: d.ts[i],
			})
		}
		if _, err := g.w.Write(batch); err != nil {
			return err
		}
	}
	return g.w.Close()
}

// pqGenericDict is pqGeneric on orderItemDict.
type pqGenericDict struct {
	w     *parquet.GenericWriter[orderItemDict]
	batch []orderItemDict
}

func (g *pqGenericDict) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if g.w == nil {
		g.w = parquet.NewGenericWriter[orderItemDict](out, parquetGoOptions()...)
		g.batch = make([]orderItemDict, 0, batchRows)
	} else {
		g.w.Reset(out)
	}
	for start := 0; start < len(p.rows); start += batchRows {
		batch := g.batch[:0]
		for _, i := range p.rows[start:min(start+batchRows, len(p.rows))] {
			var days *int32
			if d.daysValid[i] {
				days = &d.days[i]
			}
			batch = append(batch, orderItemDict{
				ID: d.id[i], OrderID: d.orderID[i], UserID: d.userID[i],
				DaysSincePriorOrder: days, ProductID: d.productID[i],
				AddToCartOrder: d.addToCart[i], Reordered: d.reordered[i],
				OrderTimestamp: d.ts[i],
			})
		}
		if _, err := g.w.Write(batch); err != nil {
			return err
		}
	}
	return g.w.Close()
}

// pqRows writes parquet.Row values with Writer.WriteRows, the way
// etl/delta's FileWriter does today, but into reused row buffers.
type pqRows struct {
	w    *parquet.Writer
	rows []parquet.Row
}

func (r *pqRows) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if r.w == nil {
		r.w = parquet.NewWriter(out, append(parquetGoOptions(), parquet.SchemaOf(orderItem{}))...)
		r.rows = make([]parquet.Row, batchRows)
		for j := range r.rows {
			r.rows[j] = make(parquet.Row, 0, len(columnNames()))
		}
	} else {
		r.w.Reset(out)
	}
	for start := 0; start < len(p.rows); start += batchRows {
		idx := p.rows[start:min(start+batchRows, len(p.rows))]
		for j, i := range idx {
			days := parquet.NullValue().Level(0, 0, 3)
			if d.daysValid[i] {
				days = parquet.Int32Value(d.days[i]).Level(0, 1, 3)
			}
			r.rows[j] = append(r.rows[j][:0],
				parquet.Int64Value(d.id[i]).Level(0, 0, 0),
				parquet.Int64Value(d.orderID[i]).Level(0, 0, 1),
				parquet.Int64Value(d.userID[i]).Level(0, 0, 2),
				days,
				parquet.Int64Value(d.productID[i]).Level(0, 0, 4),
				parquet.Int32Value(d.addToCart[i]).Level(0, 0, 5),
				parquet.BooleanValue(d.reordered[i]).Level(0, 0, 6),
				parquet.Int64Value(d.ts[i]).Level(0, 0, 7),
			)
		}
		if _, err := r.w.WriteRows(r.rows[:len(idx)]); err != nil {
			return err
		}
	}
	return r.w.Close()
}

// pqColumns fills a parquet.Buffer column by column through the typed
// writers of its column buffers (parquet.Int64Writer and friends), then
// hands the whole buffer to Writer.WriteRowGroup, which encodes it column by
// column. The OPTIONAL column has no typed writer: it takes parquet.Value
// with definition levels (1 for a value, 0 for null).
type pqColumns struct {
	w   *parquet.Writer
	buf *parquet.Buffer
	i64 []int64
	i32 []int32
	b   []bool
	v   []parquet.Value
}

func (c *pqColumns) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if c.w == nil {
		schema := parquet.SchemaOf(orderItem{})
		c.w = parquet.NewWriter(out, append(parquetGoOptions(), schema)...)
		c.buf = parquet.NewBuffer(schema)
	} else {
		c.w.Reset(out)
		c.buf.Reset()
	}
	n := len(p.rows)
	c.i64, c.i32, c.b, c.v = grow(c.i64, n), grow(c.i32, n), grow(c.b, n), grow(c.v, n)
	cols := c.buf.ColumnBuffers()
	writeInt64s := func(col int, src []int64) error {
		for j, i := range p.rows {
			c.i64[j] = src[i]
		}
		w, ok := cols[col].(parquet.Int64Writer)
		if !ok {
			return fmt.Errorf("column %d: %T is no parquet.Int64Writer", col, cols[col])
		}
		_, err := w.WriteInt64s(c.i64)
		return err
	}
	for _, x := range []struct {
		col int
		src []int64
	}{{0, d.id}, {1, d.orderID}, {2, d.userID}, {4, d.productID}, {7, d.ts}} {
		if err := writeInt64s(x.col, x.src); err != nil {
			return err
		}
	}
	for j, i := range p.rows {
		if d.daysValid[i] {
			c.v[j] = parquet.Int32Value(d.days[i]).Level(0, 1, 3)
		} else {
			c.v[j] = parquet.NullValue().Level(0, 0, 3)
		}
	}
	if _, err := cols[3].WriteValues(c.v); err != nil {
		return err
	}
	for j, i := range p.rows {
		c.i32[j] = d.addToCart[i]
		c.b[j] = d.reordered[i]
	}
	i32w, ok := cols[5].(parquet.Int32Writer)
	if !ok {
		return fmt.Errorf("column 5: %T is no parquet.Int32Writer", cols[5])
	}
	if _, err := i32w.WriteInt32s(c.i32); err != nil {
		return err
	}
	bw, ok := cols[6].(parquet.BooleanWriter)
	if !ok {
		return fmt.Errorf("column 6: %T is no parquet.BooleanWriter", cols[6])
	}
	if _, err := bw.WriteBooleans(c.b); err != nil {
		return err
	}
	if _, err := c.w.WriteRowGroup(c.buf); err != nil {
		return err
	}
	return c.w.Close()
}

// grow returns s resized to n, reallocating only when its capacity is short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// pqColumnWriters writes each column straight to the writer's
// ColumnWriters with WriteRowValues, from parquet.Value built per column
// (with definition levels on the OPTIONAL column).
type pqColumnWriters struct {
	w *parquet.Writer
	v []parquet.Value
}

func (c *pqColumnWriters) WriteFile(out io.Writer, d *dataset, p *partition) error {
	if c.w == nil {
		c.w = parquet.NewWriter(out, append(parquetGoOptions(), parquet.SchemaOf(orderItem{}))...)
	} else {
		c.w.Reset(out)
	}
	cols := c.w.ColumnWriters()
	for start := 0; start < len(p.rows); start += batchRows {
		idx := p.rows[start:min(start+batchRows, len(p.rows))]
		v := grow(c.v, len(idx))
		c.v = v
		int64s := func(src []int64) []parquet.Value {
			for j, i := range idx {
				v[j] = parquet.Int64Value(src[i])
			}
			return v
		}
		columns := []func() []parquet.Value{
			func() []parquet.Value { return int64s(d.id) },
			func() []parquet.Value { return int64s(d.orderID) },
			func() []parquet.Value { return int64s(d.userID) },
			func() []parquet.Value {
				for j, i := range idx {
					if d.daysValid[i] {
						v[j] = parquet.Int32Value(d.days[i]).Level(0, 1, 3)
					} else {
						v[j] = parquet.NullValue().Level(0, 0, 3)
					}
				}
				return v
			},
			func() []parquet.Value { return int64s(d.productID) },
			func() []parquet.Value {
				for j, i := range idx {
					v[j] = parquet.Int32Value(d.addToCart[i])
				}
				return v
			},
			func() []parquet.Value {
				for j, i := range idx {
					v[j] = parquet.BooleanValue(d.reordered[i])
				}
				return v
			},
			func() []parquet.Value { return int64s(d.ts) },
		}
		for col, values := range columns {
			if _, err := cols[col].WriteRowValues(values()); err != nil {
				return err
			}
		}
	}
	return c.w.Close()
}
