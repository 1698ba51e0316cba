package gen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func generate(t testing.TB, dir string, o Options) *Manifest {
	t.Helper()
	m, err := Generate(context.Background(), dir, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lines returns a file's lines without the trailing empty one.
func lines(t testing.TB, path string) []string {
	t.Helper()
	return strings.Split(strings.TrimSuffix(string(readAll(t, path)), "\n"), "\n")
}

func TestDeterministic(t *testing.T) {
	o := Options{Orders: 1200, Dirty: 0.2, Seed: 7, Gzip: true}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	ma := generate(t, a, o)
	generate(t, b, o)
	o.Seed = 8
	generate(t, c, o)
	differ := 0
	for _, f := range ma.Files {
		x, err := os.ReadFile(filepath.Join(a, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, f.Path))
		z, _ := os.ReadFile(filepath.Join(c, f.Path))
		if !bytes.Equal(x, y) {
			t.Errorf("%s: same seed, different bytes", f.Path)
		}
		if !bytes.Equal(x, z) {
			differ++
		}
	}
	if differ != len(ma.Files) {
		t.Errorf("another seed changed %d of %d files", differ, len(ma.Files))
	}
}

// seedFormats describes every column of the seed's files by a pattern.
var seedFormats = map[string][]string{
	Products: {`[1-9][0-9]*`, `[1-6]`, `Books|Clothing|Electronics|Home|Sports|Toys`, `Product_[1-9][0-9]*_[A-Z][a-z]*`},
	Orders: {`[1-9][0-9]?|100`, `[1-9][0-9]*`, `[1-9][0-9]{3}`, `2025-04-[0-9]{2}T[0-2][0-9]:[0-5][0-9]:00`,
		`[1-9][0-9]*\.[0-9][1-9]?`, `2025-04-[0-9]{2}`},
	OrderItems: {`[1-9][0-9]*`, `[1-9][0-9]*`, `[1-9][0-9]{3}`, `[0-9]|[1-2][0-9]|30`, `[1-9][0-9]*`, `[1-9]|10`, `[01]`,
		`2025-04-[0-9]{2}T[0-2][0-9]:[0-5][0-9]:00`, `2025-04-[0-9]{2}`},
}

// checkFormats checks a file's header and the format of every cell.
func checkFormats(t *testing.T, path, dataset, header string) []string {
	t.Helper()
	ls := lines(t, path)
	if ls[0] != header {
		t.Fatalf("%s: header %q, want %q", path, ls[0], header)
	}
	var res []*regexp.Regexp
	for _, p := range seedFormats[dataset] {
		res = append(res, regexp.MustCompile(`^(`+p+`)$`))
	}
	for _, l := range ls[1:] {
		f := strings.Split(l, ",")
		if len(f) != len(res) {
			t.Fatalf("%s: %d fields in %q", path, len(f), l)
		}
		for i, re := range res {
			if !re.MatchString(f[i]) {
				t.Fatalf("%s: field %d of %q does not match %s", path, i+1, l, re)
			}
		}
	}
	return ls[1:]
}

func atoi(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSeedShape generates the seed's scale and compares its shape with the
// seed files (testdata/seed), which also prove the formats checked.
func TestSeedShape(t *testing.T) {
	seed := filepath.Join("..", "..", "testdata", "seed")
	if _, err := os.Stat(seed); err == nil {
		checkShape(t, seed, false)
	} else {
		t.Logf("no seed files at %s: %v", seed, err)
	}
	dir := t.TempDir()
	m := generate(t, dir, Options{Orders: 7500, Seed: 42})
	if m.Days != 15 || len(m.Files) != 31 || m.Totals.Rejected != 0 || m.Totals.Accepted != m.Totals.Rows {
		t.Fatalf("manifest: days %d, files %d, totals %+v", m.Days, len(m.Files), m.Totals)
	}
	checkShape(t, dir, true)
}

func checkShape(t *testing.T, dir string, generated bool) {
	products := checkFormats(t, filepath.Join(dir, "products.csv"), Products, ProductsHeader)
	if len(products) != 1000 {
		t.Fatalf("%s: %d products", dir, len(products))
	}
	for i, l := range products {
		if id := atoi(t, strings.Split(l, ",")[0]); id != int64(i+1) {
			t.Fatalf("%s: product %d has id %d", dir, i+1, id)
		}
	}
	type ord struct{ user, ts, date string }
	orders := map[string]ord{}
	nextOrder, nextItem := int64(FirstOrderID), int64(1)
	for d := 1; d <= 15; d++ {
		stamp := fmt.Sprintf("2025_04_%02d", d)
		date := strings.ReplaceAll(stamp, "_", "-")
		ol := checkFormats(t, filepath.Join(dir, "orders", "orders_"+stamp+".csv"), Orders, OrdersHeader)
		if len(ol) != 500 {
			t.Fatalf("%s: %s: %d orders", dir, date, len(ol))
		}
		for _, l := range ol {
			f := strings.Split(l, ",")
			if atoi(t, f[1]) != nextOrder || f[5] != date || f[3][:10] != date {
				t.Fatalf("%s: order %q: want id %d on %s", dir, l, nextOrder, date)
			}
			nextOrder++
			orders[f[1]] = ord{f[2], f[3], f[5]}
		}
		il := checkFormats(t, filepath.Join(dir, "order_items", "order_items_"+stamp+".csv"), OrderItems, OrderItemsHeader)
		atc := map[string]int64{}
		for _, l := range il {
			f := strings.Split(l, ",")
			o, ok := orders[f[1]]
			if atoi(t, f[0]) != nextItem || !ok || o != (ord{f[2], f[7], f[8]}) || f[8] != date {
				t.Fatalf("%s: item %q: want id %d of an order of %s with its user, time and date", dir, l, nextItem, date)
			}
			if p := atoi(t, f[4]); p < 1 || p > 1000 {
				t.Fatalf("%s: item %q: no such product", dir, l)
			}
			if atc[f[1]]++; atoi(t, f[5]) != atc[f[1]] {
				t.Fatalf("%s: item %q: add_to_cart_order not in sequence", dir, l)
			}
			nextItem++
		}
	}
	items := nextItem - 1
	if math.Abs(float64(items)-40803)/40803 > 0.03 {
		t.Fatalf("%s: %d items, want about 40803", dir, items)
	}
	if generated {
		t.Logf("%d items (seed: 40803)", items)
	}
}

func TestDirtyManifestMatchesChecker(t *testing.T) {
	dir := t.TempDir()
	m := generate(t, dir, Options{Orders: 3000, Dirty: 0.25, Seed: 3, Products: 500})
	found, read := checkFiles(t, m)
	for _, f := range m.Files {
		if read[f.Path] != f.Rows {
			t.Errorf("%s: read %d rows, manifest says %d", f.Path, read[f.Path], f.Rows)
		}
		if f.Accepted+f.Rejected != f.Rows || sum(f.Defects) != f.Rejected {
			t.Errorf("%s: manifest does not add up: %+v", f.Path, f)
		}
		if !maps.Equal(found[f.Path], f.Defects) && len(found[f.Path])+len(f.Defects) > 0 {
			t.Errorf("%s: checker found %v, manifest says %v", f.Path, found[f.Path], f.Defects)
		}
	}
	for _, ds := range []string{Products, Orders, OrderItems} {
		c := m.Datasets[ds]
		for _, code := range Defects(ds) {
			if c.Defects[code] == 0 {
				t.Errorf("%s: no %s defect", ds, code)
			}
		}
		if share := float64(c.Rejected) / float64(c.Rows); math.Abs(share-0.25) > 0.002 {
			t.Errorf("%s: dirty share %.4f, want 0.25", ds, share)
		}
	}
	if m.Datasets[Products].Accepted != 500 || m.Datasets[Orders].Accepted != 3000 {
		t.Errorf("clean rows: %+v", m.Datasets)
	}
}

func sum(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// TestEasyKinds counts what needs no row rules: CSV parse failures, empty
// cells of required columns, lines equal to an earlier line of the file.
func TestEasyKinds(t *testing.T) {
	dir := t.TempDir()
	m := generate(t, dir, Options{Orders: 1500, Dirty: 0.4, Seed: 11})
	for _, f := range m.Files {
		ls := lines(t, filepath.Join(dir, f.Path))
		seen := map[string]bool{}
		var dups, malformed, required int64
		want := map[string]int64{}
		for code, n := range f.Defects {
			if strings.HasPrefix(code, "required:") {
				want["required"] += n
			}
		}
		for _, l := range ls[1:] {
			if seen[l] {
				dups++
			}
			seen[l] = true
			cells := strings.Split(l, ",")
			if strings.Contains(l, `"`) || len(cells) != strings.Count(ls[0], ",")+1 {
				malformed++
				continue
			}
			for i, c := range cells {
				if c == "" && !(f.Dataset == Orders && i == 0) && !(f.Dataset == OrderItems && i == 3) {
					required++
				}
			}
		}
		if dups != f.Defects[ReasonDuplicate] || malformed != f.Defects[ReasonMalformed] || required != want["required"] {
			t.Errorf("%s: duplicates %d, malformed %d, required %d; manifest %v", f.Path, dups, malformed, required, f.Defects)
		}
	}
}

func TestCleanRowsDoNotDependOnDirt(t *testing.T) {
	clean, dirty := t.TempDir(), t.TempDir()
	mc := generate(t, clean, Options{Orders: 1000, Seed: 5, Products: 300})
	md := generate(t, dirty, Options{Orders: 1000, Seed: 5, Products: 300, Dirty: 0.5})
	if md.Totals.Accepted != mc.Totals.Rows || md.Totals.Rejected != md.Totals.Rows-mc.Totals.Rows {
		t.Fatalf("clean totals %+v, dirty totals %+v", mc.Totals, md.Totals)
	}
	for _, f := range mc.Files {
		want, got := lines(t, filepath.Join(clean, f.Path)), lines(t, filepath.Join(dirty, f.Path))
		i := 0
		for _, l := range got {
			if i < len(want) && l == want[i] {
				i++
			}
		}
		if i != len(want) {
			t.Errorf("%s: clean rows are not a subsequence of the dirty file (%d of %d found)", f.Path, i, len(want))
		}
	}
}

func TestGzipSameContent(t *testing.T) {
	plain, gz := t.TempDir(), t.TempDir()
	generate(t, plain, Options{Orders: 600, Seed: 9, Dirty: 0.1})
	m := generate(t, gz, Options{Orders: 600, Seed: 9, Dirty: 0.1, Gzip: true})
	for _, f := range m.Files {
		if !strings.HasSuffix(f.Path, ".csv.gz") {
			t.Fatalf("%s: not .csv.gz", f.Path)
		}
		if !bytes.Equal(readAll(t, filepath.Join(gz, f.Path)), readAll(t, filepath.Join(plain, strings.TrimSuffix(f.Path, ".gz")))) {
			t.Errorf("%s: content differs from the plain file", f.Path)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{Orders: -1}, {Orders: 10, Dirty: 0.95}, {Orders: 10, Dirty: math.NaN()},
		{Orders: 10, Days: -1}, {Orders: 10, ItemsPerOrder: 0.5}, {Orders: 10, Products: -3}} {
		if _, err := Generate(context.Background(), t.TempDir(), o, nil); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	// Fewer orders than days, a custom start, one item per order.
	dir := t.TempDir()
	start := time.Date(2024, 2, 28, 15, 0, 0, 0, time.FixedZone("X", 5*3600))
	m := generate(t, dir, Options{Orders: 3, Days: 4, Products: 5, Dirty: 0.5, Start: start, ItemsPerOrder: 1})
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	want := []string{"products.csv"}
	for _, d := range []string{"2024_02_28", "2024_02_29", "2024_03_01", "2024_03_02"} {
		want = append(want, "orders/orders_"+d+".csv", "order_items/order_items_"+d+".csv")
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("files %v, want %v", paths, want)
	}
	if f, _ := m.File("order_items/order_items_2024_03_02.csv"); f.Rows != 0 {
		t.Errorf("a day without orders has %d item rows", f.Rows)
	}
	if c := m.Datasets[OrderItems]; c.Accepted != 3 || c.Rejected != 3 {
		t.Errorf("items: %+v", c)
	}
	if m.Start != "2024-02-28" {
		t.Errorf("start %s", m.Start)
	}
}

func TestCancelAndProgress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var last Progress
	_, err := Generate(ctx, t.TempDir(), Options{Orders: 40000, Seed: 1}, func(p Progress) {
		last = p
		if p.Files == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "orders_2025_04_02") {
		t.Fatalf("err = %v", err)
	}
	var calls int
	dir := t.TempDir()
	m, err := Generate(context.Background(), dir, Options{Orders: 20000, Seed: 1, Dirty: 0.1}, func(p Progress) {
		calls++
		if p.Rows < last.Rows && p.TotalRows == last.TotalRows {
			t.Errorf("progress went back: %+v after %+v", p, last)
		}
		last = p
	})
	if err != nil {
		t.Fatal(err)
	}
	if last.Rows != m.Totals.Rows || last.TotalRows != m.Totals.Rows || last.Files != last.TotalFiles || calls < 10 {
		t.Fatalf("last progress %+v after %d calls, totals %+v", last, calls, m.Totals)
	}
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := m.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte(`"totals"`)) || !bytes.Contains(b, []byte(`"reference:order_id"`)) {
		t.Fatalf("manifest JSON: %.300s", b)
	}
	if err := m.WriteJSON(filepath.Join(dir, "no", "such", "dir", "m.json")); err == nil {
		t.Fatal("no error writing into a missing folder")
	}
}

func BenchmarkGenerate5MItems(b *testing.B) {
	dir := b.TempDir()
	o := Options{Orders: int(math.Ceil(5_000_000 / DefaultItemsPerOrder)), Seed: 1}
	var m *Manifest
	for b.Loop() {
		var err error
		if m, err = Generate(context.Background(), dir, o, nil); err != nil {
			b.Fatal(err)
		}
	}
	items := m.Datasets[OrderItems].Rows
	b.ReportMetric(float64(items), "items")
	b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
