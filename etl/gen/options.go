package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Defaults and id ranges.
const (
	// OrdersPerDay is how many orders a day gets when Options.Days is 0.
	OrdersPerDay = 500
	// DefaultProducts is the number of products when Options.Products is 0.
	DefaultProducts = 1000
	// DefaultItemsPerOrder is the seed's mean: 40,803 items / 7,500 orders.
	DefaultItemsPerOrder = 40803.0 / 7500.0
	// MaxDirty is the largest accepted Options.Dirty.
	MaxDirty = 0.9
	// FirstOrderID is the first clean order_id (as in the seed).
	FirstOrderID = 10000
	// FreshIDBase is the first key given to dirty rows that need a key of
	// their own (counted per dataset); clean keys stay below it.
	FreshIDBase = 8_000_000_000
	// MissingIDBase is the first id used by reference defects: ids from
	// MissingIDBase to MissingIDBase+999,999,999 are never generated.
	MissingIDBase = 9_000_000_000
	maxDays       = 100_000
)

// Options say what to generate. Zero values take the defaults.
type Options struct {
	// Orders is the number of clean orders.
	Orders int
	// Days is the number of daily files per dataset; default
	// ceil(Orders/500). Orders are spread evenly (the first Orders%Days days
	// get one more).
	Days int
	// Products is the number of clean products; default 1000.
	Products int
	// Dirty is the share of dirty rows among the rows written per dataset,
	// 0..MaxDirty. Dirty rows are extra rows (see the package doc).
	Dirty float64
	// Seed makes the output: the same options give byte-identical files.
	Seed uint64
	// Start is the first day (only its year, month and day are used);
	// default 2025-04-01.
	Start time.Time
	// Gzip writes .csv.gz files instead of .csv.
	Gzip bool
	// ItemsPerOrder is the mean number of items per order, at least 1;
	// default 40803/7500 ≈ 5.44 (the seed).
	ItemsPerOrder float64
	// FirstOrderID and FirstItemID are the first clean keys (defaults
	// FirstOrderID and 1), so that later days can continue a lake's ids.
	FirstOrderID, FirstItemID int64
}

// OptionError is an option out of its range: the caller's mistake, which a
// command line reports as a usage error naming its flag.
type OptionError struct {
	Option string // the field of Options: "Orders", "Days", "Products", "Dirty", "ItemsPerOrder"
	Msg    string // the rule and the value, e.g. "must be >= 0, got -5"
}

func (e *OptionError) Error() string { return "gen: " + e.Option + " " + e.Msg }

// normalize fills defaults and validates.
func (o Options) normalize() (Options, error) {
	if o.Orders < 0 {
		return o, &OptionError{Option: "Orders", Msg: fmt.Sprintf("must be >= 0, got %d", o.Orders)}
	}
	if o.Days < 0 || o.Days > maxDays {
		return o, &OptionError{Option: "Days", Msg: fmt.Sprintf("must be in 0..%d, got %d", maxDays, o.Days)}
	}
	if o.Days == 0 {
		o.Days = (o.Orders + OrdersPerDay - 1) / OrdersPerDay
		if o.Days > maxDays {
			return o, &OptionError{Option: "Orders", Msg: fmt.Sprintf("must be at most %d (%d a day for at most %d days), got %d", maxDays*OrdersPerDay, OrdersPerDay, maxDays, o.Orders)}
		}
	}
	if o.Products < 0 || o.Products >= FreshIDBase {
		return o, &OptionError{Option: "Products", Msg: fmt.Sprintf("must be in 0..%d, got %d", FreshIDBase-1, o.Products)}
	}
	if o.Products == 0 {
		o.Products = DefaultProducts
	}
	if math.IsNaN(o.Dirty) || o.Dirty < 0 || o.Dirty > MaxDirty {
		return o, &OptionError{Option: "Dirty", Msg: fmt.Sprintf("must be in 0..%g, got %g", MaxDirty, o.Dirty)}
	}
	if o.ItemsPerOrder == 0 {
		o.ItemsPerOrder = DefaultItemsPerOrder
	}
	if math.IsNaN(o.ItemsPerOrder) || o.ItemsPerOrder < 1 || o.ItemsPerOrder > 1000 {
		return o, &OptionError{Option: "ItemsPerOrder", Msg: fmt.Sprintf("must be in 1..1000, got %g", o.ItemsPerOrder)}
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	} else {
		y, m, d := o.Start.Date()
		o.Start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return o, nil
}

// Random streams: each file draws clean rows and dirt from its own stream,
// so clean rows do not depend on Dirty.
const (
	streamProducts = iota + 1
	streamOrders
	streamItems
	streamCounts
	streamDirty
	streamCycle
)

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func newRand(seed uint64, stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(seed^splitmix(stream)), splitmix(stream<<40^index)))
}

// dayPlan is one day's clean orders and items.
type dayPlan struct {
	date       time.Time
	orders     int
	firstOrder int64
	items      int64
	firstItem  int64
}

// filePlan is one file's row counts.
type filePlan struct {
	dataset    string
	rel        string // path relative to the output dir, slash-separated
	date       string // YYYY-MM-DD; empty for products
	stream     uint64 // index of the file's dirt stream
	clean      int64
	dirty      int64
	dirtyStart int64 // dirty rows of the dataset in earlier files
}

type plan struct {
	opts  Options
	days  []dayPlan
	files []filePlan // in write order: products, then per day orders and items
	total int64      // rows of all files
}

// itemCount draws the number of items of one order: 1 + floor(U*(2m-1)),
// uniform 1..10 for the seed's mean.
func itemCount(r *rand.Rand, spread float64) int {
	return 1 + int(r.Float64()*spread)
}

func makePlan(o Options) (*plan, error) {
	p := &plan{opts: o}
	spread := 2*o.ItemsPerOrder - 1
	nextOrder, nextItem := int64(FirstOrderID), int64(1)
	if o.FirstOrderID > 0 {
		nextOrder = o.FirstOrderID
	}
	if o.FirstItemID > 0 {
		nextItem = o.FirstItemID
	}
	for d := 0; d < o.Days; d++ {
		dp := dayPlan{date: o.Start.AddDate(0, 0, d), orders: o.Orders / o.Days, firstOrder: nextOrder, firstItem: nextItem}
		if d < o.Orders%o.Days {
			dp.orders++
		}
		cr := newRand(o.Seed, streamCounts, uint64(d))
		for range dp.orders {
			dp.items += int64(itemCount(cr, spread))
		}
		nextOrder += int64(dp.orders)
		nextItem += dp.items
		p.days = append(p.days, dp)
	}
	if nextItem >= FreshIDBase {
		return nil, &OptionError{Option: "Orders", Msg: fmt.Sprintf("must be fewer: %d orders make %d items, which would reach the fresh id range (%d)", o.Orders, nextItem-1, int64(FreshIDBase))}
	}
	ext := ".csv"
	if o.Gzip {
		ext = ".csv.gz"
	}
	add := func(f filePlan) { f.stream = uint64(len(p.files)); p.files = append(p.files, f) }
	add(filePlan{dataset: Products, rel: "products" + ext, clean: int64(o.Products)})
	for _, dp := range p.days {
		date := dp.date.Format("2006-01-02")
		stamp := dp.date.Format("2006_01_02")
		add(filePlan{dataset: Orders, rel: "orders/orders_" + stamp + ext, date: date, clean: int64(dp.orders)})
		add(filePlan{dataset: OrderItems, rel: "order_items/order_items_" + stamp + ext, date: date, clean: dp.items})
	}
	// Spread dirty rows over a dataset's files so that the running total is
	// round(clean * q), with q = Dirty/(1-Dirty): Dirty of all rows written.
	q := o.Dirty / (1 - o.Dirty)
	cum := map[string]int64{}
	done := map[string]int64{}
	for i := range p.files {
		f := &p.files[i]
		cum[f.dataset] += f.clean
		want := int64(math.Round(float64(cum[f.dataset]) * q))
		f.dirtyStart = done[f.dataset]
		f.dirty = want - done[f.dataset]
		done[f.dataset] = want
		p.total += f.clean + f.dirty
	}
	return p, nil
}
