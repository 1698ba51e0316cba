// Package pipelinetest helps the tests of the pipeline and of the flows
// that run it compare a load with one run: RawZone writes a raw zone with
// dirt of every kind and keys repeated across files, Dump renders what a
// load leaves in a lake's tables so that two lakes can be compared.
package pipelinetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// Zone describes a raw zone RawZone wrote.
type Zone struct {
	Files    int            // raw files written
	Repeats  map[string]int // rows of the late files, by dataset
	Manifest *gen.Manifest  // gen's own files
}

// RawZone generates gen's files with opts (dirt of every kind when
// opts.Dirty > 0) in a temporary folder under tmp and puts them under
// bronze_layer/ of st, plus late files (products_late.csv,
// orders/orders_late_NN.csv, order_items/order_items_late_NN.csv) that
// sort after the others and repeat every stride-th clean row of the
// earlier files: an identical copy (the earlier row is a duplicate), a
// later timestamp with another value (the earlier is superseded), an
// earlier timestamp (the late copy is superseded), or the same timestamp
// with another value (a tie: the later wins). late is the number of late
// files for orders and for order_items.
func RawZone(ctx context.Context, tmp string, st storage.Store, opts gen.Options, late, stride int) (*Zone, error) {
	dir, err := os.MkdirTemp(tmp, "rawzone-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	m, err := gen.Generate(ctx, dir, opts, nil)
	if err != nil {
		return nil, err
	}
	z := &Zone{Repeats: map[string]int{}, Manifest: m}
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".csv") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		z.Files++
		return st.Put(ctx, "bronze_layer/"+filepath.ToSlash(rel), bytes.NewReader(b))
	})
	if err != nil {
		return nil, err
	}
	for _, ds := range dataset.All() {
		files, err := filepath.Glob(filepath.Join(dir, ds.Name+"*.csv"))
		if err != nil {
			return nil, err
		}
		sub, _ := filepath.Glob(filepath.Join(dir, ds.Name, "*.csv"))
		files = append(files, sub...)
		sort.Strings(files)
		outs := make([][][]string, max(late, 1))
		if ds.Name == dataset.Products {
			outs = outs[:1]
		}
		var header []string
		n := 0
		for _, p := range files {
			recs, err := readCSV(p)
			if err != nil {
				return nil, err
			}
			header = recs[0]
			for _, rec := range recs[1:] {
				v, ok := repeat(ds, rec, n, stride)
				if !ok {
					continue
				}
				n++
				outs[n%len(outs)] = append(outs[n%len(outs)], v)
			}
		}
		for i, rows := range outs {
			key := fmt.Sprintf("bronze_layer/%s/%s_late_%02d.csv", ds.Name, ds.Name, i+1)
			if ds.Name == dataset.Products {
				key = "bronze_layer/products_late.csv"
			}
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			_ = w.Write(header)
			_ = w.WriteAll(rows)
			if err := st.Put(ctx, key, &buf); err != nil {
				return nil, err
			}
			z.Files++
			z.Repeats[ds.Name] += len(rows)
		}
	}
	return z, nil
}

func readCSV(p string) ([][]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out [][]string
	for {
		rec, err := r.Read()
		if err != nil {
			break // EOF, or a malformed dirty row: the rest of a file is enough
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no header", p)
	}
	return out, nil
}

const tsLayout = "2006-01-02T15:04:05"

// repeat makes the late copy of a clean record, or reports false for a
// record that is not taken (not every stride-th, dirty, or at a day's edge).
func repeat(ds *dataset.Dataset, rec []string, n, stride int) ([]string, bool) {
	if len(rec) != len(ds.Columns) {
		return nil, false
	}
	key, err := strconv.ParseInt(rec[ds.Key], 10, 64)
	if err != nil || key >= gen.FreshIDBase || key%int64(stride) != 0 {
		return nil, false
	}
	out := append([]string(nil), rec...)
	variant := n % 4
	if ds.Timestamp < 0 { // products: the last in input order wins
		if variant != 0 {
			out[ds.Index("product_name")] += "_v2"
		}
		return out, true
	}
	ts, err := time.Parse(tsLayout, rec[ds.Timestamp])
	if err != nil || ts.Hour() == 0 && ts.Minute() == 0 || ts.Hour() == 23 && ts.Minute() == 59 {
		return nil, false
	}
	switch variant {
	case 1:
		ts = ts.Add(time.Minute)
	case 2:
		ts = ts.Add(-time.Minute)
	}
	out[ds.Timestamp] = ts.Format(tsLayout)
	if variant != 0 {
		switch ds.Name {
		case dataset.Orders:
			amt, err := strconv.ParseFloat(rec[ds.Index("total_amount")], 64)
			if err != nil || amt <= 0 {
				return nil, false
			}
			out[ds.Index("total_amount")] = strconv.FormatFloat(amt+1, 'f', 2, 64)
		case dataset.OrderItems:
			i := ds.Index("reordered")
			out[i] = map[string]string{"0": "1", "1": "0"}[rec[i]]
			if out[i] == "" {
				return nil, false
			}
		}
	}
	return out, true
}

// Dump renders what loads left in a lake, minus run ids and times: every
// silver row, every rejected row (file, line, reasons, raw text, status)
// and the files the ingest log records as loaded, each dataset's lines
// sorted so that equal multisets give equal text.
func Dump(ctx context.Context, lk *lake.Lake) (string, error) {
	var b strings.Builder
	for _, ds := range dataset.All() {
		var lines []string
		snap, err := lk.Silver(ds.Name).Snapshot(ctx)
		if err != nil {
			return "", fmt.Errorf("silver %s: %w", ds.Name, err)
		}
		for row, err := range snap.Rows(ctx) {
			if err != nil {
				return "", err
			}
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = rowfmt.Text(v)
			}
			lines = append(lines, strings.Join(cells, ","))
		}
		rows, err := rejects.Read(ctx, lk, ds.Name, rejects.Filter{})
		if err != nil {
			return "", fmt.Errorf("rejects %s: %w", ds.Name, err)
		}
		for _, r := range rows {
			lines = append(lines, fmt.Sprintf("REJECT %s:%d %v %q %s", r.File, r.Line, r.Reasons, r.Raw, r.Status))
		}
		sort.Strings(lines)
		fmt.Fprintf(&b, "== %s (%d)\n%s\n", ds.Name, len(lines), strings.Join(lines, "\n"))
	}
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil {
		return "", err
	}
	ingested := map[string]bool{}
	for _, e := range entries {
		if e.Status == ledger.StatusSucceeded {
			ingested[e.File] = true
		}
	}
	files := make([]string, 0, len(ingested))
	for f := range ingested {
		files = append(files, f)
	}
	sort.Strings(files)
	fmt.Fprintf(&b, "== ingested (%d)\n%s\n", len(files), strings.Join(files, "\n"))
	return b.String(), nil
}

// FirstDiff names the first line where two dumps differ.
func FirstDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(gl), len(wl))
}

// Reasons counts the reason codes of a lake's rejected rows (all datasets).
func Reasons(ctx context.Context, lk *lake.Lake) (map[string]int, error) {
	out := map[string]int{}
	for _, ds := range dataset.All() {
		rows, err := rejects.Read(ctx, lk, ds.Name, rejects.Filter{})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			for _, c := range r.Reasons {
				out[c]++
			}
		}
	}
	return out, nil
}
