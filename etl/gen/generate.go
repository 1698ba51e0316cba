package gen

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Progress reports how far Generate is.
type Progress struct {
	File       string // the file being written, relative to the output dir
	Files      int    // files finished
	TotalFiles int
	Rows       int64 // data rows written so far, all files
	TotalRows  int64 // data rows Generate will write
}

const (
	progressEvery = 1 << 16 // rows between progress reports
	cancelEvery   = 1 << 14 // rows between context checks
	bufferSize    = 256 << 10
)

// generator holds one Generate call's state.
type generator struct {
	ctx      context.Context
	dir      string
	plan     *plan
	names    names
	specs    map[string]*spec
	cycle    map[string]int // per dataset, where its defect cycle starts
	progress func(Progress)
	rows     int64
	files    int
}

// Generate writes seed-shaped CSV files under dir (created if needed):
// products.csv, orders/orders_YYYY_MM_DD.csv and
// order_items/order_items_YYYY_MM_DD.csv (.csv.gz with Gzip), overwriting
// files of the same name and leaving other files alone. progress, if not
// nil, is called from the calling goroutine now and then and once at the end.
// On error the file being written is removed; files already finished stay.
func Generate(ctx context.Context, dir string, opts Options, progress func(Progress)) (*Manifest, error) {
	o, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	p, err := makePlan(o)
	if err != nil {
		return nil, err
	}
	g := &generator{ctx: ctx, dir: dir, plan: p, names: newNames(), progress: progress,
		specs: map[string]*spec{}, cycle: map[string]int{}}
	for i, ds := range []string{Products, Orders, OrderItems} {
		sp := newSpec(ds)
		g.specs[ds] = &sp
		g.cycle[ds] = newRand(o.Seed, streamCycle, uint64(i)).IntN(len(sp.defects))
	}
	m := &Manifest{Dir: dir, Seed: o.Seed, Orders: o.Orders, Days: o.Days, Products: o.Products,
		ItemsPerOrder: o.ItemsPerOrder, Dirty: o.Dirty, Start: o.Start.Format("2006-01-02"), Gzip: o.Gzip,
		Datasets: map[string]*Counts{}}
	for _, sub := range []string{"", "orders", "order_items"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("create the output folder: %w", err)
		}
	}
	g.report("")
	pr := newRand(o.Seed, streamProducts, 0)
	fm, err := g.writeFile(p.files[0], []byte(ProductsHeader+"\n"), &productSource{n: &g.names, spec: g.specs[Products],
		r: pr, next: g.names.newProduct(pr, 1), left: p.files[0].clean})
	if err != nil {
		return nil, err
	}
	m.Files = append(m.Files, fm)
	spread := 2*o.ItemsPerOrder - 1
	var orders []order
	for di, dp := range p.days {
		d := newDay(dp.date)
		or := newRand(o.Seed, streamOrders, uint64(di))
		orders = orders[:0]
		for j := range dp.orders {
			orders = append(orders, newOrder(or, dp.firstOrder+int64(j)))
		}
		fm, err := g.writeFile(p.files[1+2*di], []byte(OrdersHeader+"\n"), &orderSource{spec: g.specs[Orders], day: &d, orders: orders})
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, fm)
		src := newItemSource(g.specs[OrderItems], &d, orders, o.Products, spread,
			newRand(o.Seed, streamItems, uint64(di)), newRand(o.Seed, streamCounts, uint64(di)), dp.firstItem, dp.items)
		if fm, err = g.writeFile(p.files[2+2*di], []byte(OrderItemsHeader+"\n"), src); err != nil {
			return nil, err
		}
		m.Files = append(m.Files, fm)
	}
	for i := range m.Files {
		f := &m.Files[i]
		c := m.Datasets[f.Dataset]
		if c == nil {
			c = &Counts{}
			m.Datasets[f.Dataset] = c
		}
		c.add(f)
		m.Totals.add(f)
	}
	return m, nil
}

func (g *generator) report(file string) {
	if g.progress != nil {
		g.progress(Progress{File: file, Files: g.files, TotalFiles: len(g.plan.files), Rows: g.rows, TotalRows: g.plan.total})
	}
}

// writeFile writes one file: header, then clean and dirty rows as planned.
func (g *generator) writeFile(fp filePlan, header []byte, src source) (fm FileManifest, err error) {
	fm = FileManifest{Path: fp.rel, Dataset: fp.dataset, Date: fp.date, Rows: fp.clean + fp.dirty,
		Accepted: fp.clean, Rejected: fp.dirty}
	if err := g.ctx.Err(); err != nil {
		return fm, fmt.Errorf("%s: %w", fp.rel, err)
	}
	path := filepath.Join(g.dir, filepath.FromSlash(fp.rel))
	f, err := os.Create(path)
	if err != nil {
		return fm, err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(path)
		}
	}()
	var gz *gzip.Writer
	bw := bufio.NewWriterSize(f, bufferSize)
	if g.plan.opts.Gzip {
		gz, _ = gzip.NewWriterLevel(f, gzip.BestSpeed) // a valid level cannot fail
		bw = bufio.NewWriterSize(gz, bufferSize)
	}
	if _, err := bw.Write(header); err != nil {
		return fm, fmt.Errorf("write %s: %w", path, err)
	}
	sp := g.specs[fp.dataset]
	dirt := newRand(g.plan.opts.Seed, streamDirty, fp.stream)
	sl := slots{r: dirt, places: fp.clean + fp.dirty - 1, dirty: fp.dirty, first: true}
	dirtyIndex := fp.dirtyStart
	for range fp.clean + fp.dirty {
		b := bw.AvailableBuffer()
		if sl.nextDirty() {
			want := sp.defects[(int64(g.cycle[fp.dataset])+dirtyIndex)%int64(len(sp.defects))]
			var code string
			b, code = src.appendDirty(b, want, FreshIDBase+dirtyIndex, dirt)
			dirtyIndex++
			if fm.Defects == nil {
				fm.Defects = map[string]int64{}
			}
			fm.Defects[code]++
		} else {
			b = src.appendClean(b)
		}
		if _, err := bw.Write(b); err != nil {
			return fm, fmt.Errorf("write %s: %w", path, err)
		}
		g.rows++
		if g.rows%cancelEvery == 0 {
			if err := g.ctx.Err(); err != nil {
				return fm, fmt.Errorf("%s: %w", fp.rel, err)
			}
			if g.rows%progressEvery == 0 {
				g.report(fp.rel)
			}
		}
	}
	err = bw.Flush()
	if gz != nil {
		err = errors.Join(err, gz.Close())
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return fm, fmt.Errorf("write %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return fm, err
	}
	fm.Bytes = st.Size()
	g.files++
	g.report(fp.rel)
	return fm, nil
}
