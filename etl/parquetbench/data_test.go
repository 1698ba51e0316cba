package parquetbench

import (
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The order_items row shape, in file column order. The date partition
// column is kept apart: it names the file's partition and is not written
// into it.
const (
	numRows  = 1_000_000
	numDates = 15

	// inputBytesPerRow is the in-memory size of one row's written columns:
	// five int64 (id, order_id, user_id, product_id, order_timestamp), two
	// int32 (days_since_prior_order, add_to_cart_order), one bool
	// (reordered) and one bool for days_since_prior_order's validity. It is
	// what MB/s is measured against.
	inputBytesPerRow = 5*8 + 2*4 + 1 + 1
)

// columnNames returns the written columns in schema order.
func columnNames() []string {
	return []string{
		"id", "order_id", "user_id", "days_since_prior_order", "product_id",
		"add_to_cart_order", "reordered", "order_timestamp",
	}
}

// dataset is the order_items rows as columnar Go slices, with the row
// indexes of each date partition.
type dataset struct {
	id        []int64
	orderID   []int64
	userID    []int64
	days      []int32 // days_since_prior_order; meaningful where daysValid
	daysValid []bool
	productID []int64
	addToCart []int32
	reordered []bool
	ts        []int64 // order_timestamp, microseconds since the epoch, UTC
	date      []int32 // partition column, days since the epoch

	parts []partition // one per date, in date order
}

// partition is the rows of one date and what a reader must find in its file.
type partition struct {
	date int32   // days since the epoch
	rows []int32 // row indexes into the dataset, ascending

	count       int64
	sumID       int64
	minTS       int64
	maxTS       int64
	nonNullDays int64
}

// Day returns the partition date as a UTC time.
func (p *partition) Day() time.Time { return time.Unix(int64(p.date)*86400, 0).UTC() }

// newDataset generates n order_items rows deterministically: orders of 1 to
// 19 items, each order on one of numDates dates (orders of the dates
// interleaved, as a stream would deliver them) at a random microsecond of
// that day, with an Instacart-like spread of users, products, reorders and
// a null days_since_prior_order for about one order in 16.
func newDataset(n int) *dataset {
	d := &dataset{
		id:        make([]int64, 0, n),
		orderID:   make([]int64, 0, n),
		userID:    make([]int64, 0, n),
		days:      make([]int32, 0, n),
		daysValid: make([]bool, 0, n),
		productID: make([]int64, 0, n),
		addToCart: make([]int32, 0, n),
		reordered: make([]bool, 0, n),
		ts:        make([]int64, 0, n),
		date:      make([]int32, 0, n),
	}
	r := rand.New(rand.NewPCG(20240301, 15))
	firstDate := int32(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	const microsPerDay = 86400 * 1_000_000
	for orderID := int64(3_000_000); len(d.id) < n; orderID++ {
		items := 1 + r.IntN(19)
		userID := 1 + r.Int64N(206_209)
		days, daysValid := int32(r.IntN(31)), r.IntN(16) != 0
		if !daysValid {
			days = 0
		}
		date := firstDate + int32(r.IntN(numDates))
		ts := int64(date)*microsPerDay + r.Int64N(microsPerDay)
		for item := 0; item < items && len(d.id) < n; item++ {
			d.id = append(d.id, int64(len(d.id))+1)
			d.orderID = append(d.orderID, orderID)
			d.userID = append(d.userID, userID)
			d.days = append(d.days, days)
			d.daysValid = append(d.daysValid, daysValid)
			d.productID = append(d.productID, 1+r.Int64N(49_688))
			d.addToCart = append(d.addToCart, int32(item+1))
			d.reordered = append(d.reordered, r.IntN(100) < 59)
			d.ts = append(d.ts, ts)
			d.date = append(d.date, date)
		}
	}
	d.parts = make([]partition, numDates)
	for i := range d.parts {
		d.parts[i] = partition{date: firstDate + int32(i), minTS: 1<<63 - 1, maxTS: -1 << 63}
	}
	for i := range d.id {
		p := &d.parts[d.date[i]-firstDate]
		p.rows = append(p.rows, int32(i))
		p.count++
		p.sumID += d.id[i]
		p.minTS = min(p.minTS, d.ts[i])
		p.maxTS = max(p.maxTS, d.ts[i])
		if d.daysValid[i] {
			p.nonNullDays++
		}
	}
	return d
}

// inputBytes is the in-memory size of the written columns of all rows.
func (d *dataset) inputBytes() int64 { return int64(len(d.id)) * inputBytesPerRow }

// fileWriter writes the rows of one partition as one Parquet file to w. A
// fileWriter may keep buffers between calls, as a pipeline writing many
// files would; it is not safe for concurrent use.
type fileWriter interface {
	WriteFile(w io.Writer, d *dataset, p *partition) error
}

// countingWriter discards what is written to it and counts the bytes.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// heapSampler polls the bytes of heap objects (live objects and garbage not
// yet swept: what the process holds) and keeps the largest value seen.
type heapSampler struct {
	stop chan struct{}
	done chan uint64
}

const heapObjectsMetric = "/memory/classes/heap/objects:bytes"

// heapObjects returns the bytes of heap objects now.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: heapObjectsMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapBaseline collects garbage and returns the bytes of heap objects left.
func heapBaseline() uint64 {
	runtime.GC()
	return heapObjects()
}

// startHeapSampler polls every 500µs until stopped.
func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan uint64, 1)}
	go func() {
		s := []metrics.Sample{{Name: heapObjectsMetric}}
		var peak uint64
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-h.stop:
				h.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Stop ends the polling and returns the peak.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	return <-h.done
}

// peakHeap runs f once while sampling the heap and returns the peak bytes
// of heap objects above what was held before f started. With the default
// GOGC that peak would mostly measure GC pacing (garbage piles up to the size
// of the live heap, here the dataset, before a GC), so f runs with the GC
// target at 2% above the live heap: the peak is then about the most memory
// that f keeps live at once, and the garbage it makes shows in -benchmem's
// B/op instead.
func peakHeap(f func() error) (uint64, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(2))
	base := heapBaseline()
	s := startHeapSampler()
	err := f()
	peak := s.Stop()
	return peak - min(peak, base), err
}
