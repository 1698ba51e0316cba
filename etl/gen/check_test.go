package gen

// An independent checker of the row rules (ARCHITECTURE.md), written with
// encoding/csv and the standard library only, to hold the manifest to what a
// pipeline would find in the generated files.

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type checkCol struct {
	name     string
	typ      string // long, int, string, decimal, bool, timestamp, date
	optional bool
}

type checkDataset struct {
	cols []checkCol
	key  int
}

var (
	checkSets = map[string]checkDataset{
		Products: {key: 0, cols: []checkCol{{"product_id", "long", false}, {"department_id", "long", false},
			{"department", "string", false}, {"product_name", "string", false}}},
		Orders: {key: 1, cols: []checkCol{{"order_num", "long", true}, {"order_id", "long", false},
			{"user_id", "long", false}, {"order_timestamp", "timestamp", false}, {"total_amount", "decimal", false},
			{"date", "date", false}}},
		OrderItems: {key: 0, cols: []checkCol{{"id", "long", false}, {"order_id", "long", false},
			{"user_id", "long", false}, {"days_since_prior_order", "int", true}, {"product_id", "long", false},
			{"add_to_cart_order", "int", false}, {"reordered", "bool", false},
			{"order_timestamp", "timestamp", false}, {"date", "date", false}}},
	}
	decimalRE = regexp.MustCompile(`^-?[0-9]{1,10}(\.[0-9]{1,2})?$`)
)

type checkRow struct {
	file    string
	fields  []string
	vals    map[string]string
	ts      time.Time
	reasons []string
}

// readAll returns a generated file's content, gunzipped if needed.
func readAll(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return b
}

// checkRecord applies the per-row rules to one parsed record.
func checkRecord(ds checkDataset, header, rec []string, r *checkRow) {
	if len(rec) != len(header) {
		r.reasons = append(r.reasons, ReasonMalformed)
		return
	}
	if !utf8.ValidString(strings.Join(rec, ",")) {
		r.reasons = append(r.reasons, ReasonEncoding)
	}
	r.vals = map[string]string{}
	var date time.Time
	for i, c := range ds.cols {
		v := rec[i]
		r.vals[c.name] = v
		if v == "" {
			if !c.optional {
				r.reasons = append(r.reasons, "required:"+c.name)
			}
			continue
		}
		bad := "type:" + c.name
		ok := true
		switch c.typ {
		case "long", "int":
			bits := 64
			if c.typ == "int" {
				bits = 32
			}
			n, err := strconv.ParseInt(v, 10, bits)
			ok = err == nil
			low := map[string]int64{"add_to_cart_order": 1, "days_since_prior_order": 0}
			if floor, ranged := low[c.name]; ok && ranged && n < floor {
				r.reasons = append(r.reasons, "range:"+c.name)
			}
		case "decimal":
			ok = decimalRE.MatchString(v)
			if f, err := strconv.ParseFloat(v, 64); ok && err == nil && f <= 0 {
				r.reasons = append(r.reasons, "range:"+c.name)
			}
		case "bool":
			ok = slices.Contains([]string{"0", "1", "true", "false"}, strings.ToLower(v))
		case "timestamp":
			var err error
			r.ts, err = time.Parse("2006-01-02T15:04:05", v)
			ok, bad = err == nil, "timestamp:"+c.name
		case "date":
			var err error
			date, err = time.Parse("2006-01-02", v)
			ok, bad = err == nil, "date:"+c.name
		}
		if !ok {
			r.reasons = append(r.reasons, bad)
		}
	}
	if !r.ts.IsZero() && !date.IsZero() && r.ts.Format("2006-01-02") != date.Format("2006-01-02") {
		r.reasons = append(r.reasons, ReasonMismatch)
	}
}

// checkFiles runs the row rules, dedup and references over the files of a
// manifest, as one pipeline run would, and returns per file the reason
// counts found and the rows read, failing on a row with more than one reason.
func checkFiles(t *testing.T, m *Manifest) (map[string]map[string]int64, map[string]int64) {
	t.Helper()
	rows := map[string][]*checkRow{}
	read := map[string]int64{}
	for _, f := range m.Files {
		ds := checkSets[f.Dataset]
		cr := csv.NewReader(bytes.NewReader(readAll(t, filepath.Join(m.Dir, f.Path))))
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil {
			t.Fatalf("%s: header: %v", f.Path, err)
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			r := &checkRow{file: f.Path, fields: rec}
			var pe *csv.ParseError
			switch {
			case errors.As(err, &pe):
				r.reasons = []string{ReasonMalformed}
			case err != nil:
				t.Fatalf("%s: %v", f.Path, err)
			default:
				checkRecord(ds, header, rec, r)
			}
			read[f.Path]++
			rows[f.Dataset] = append(rows[f.Dataset], r)
		}
	}
	// Dedup over the rows that pass every other rule: the greatest
	// order_timestamp wins, ties (and products) go to the last row.
	for name, ds := range checkSets {
		survivor := map[string]*checkRow{}
		for _, r := range rows[name] {
			if len(r.reasons) > 0 {
				continue
			}
			k := r.fields[ds.key]
			if s := survivor[k]; s == nil || !r.ts.Before(s.ts) {
				survivor[k] = r
			}
		}
		for _, r := range rows[name] {
			if len(r.reasons) > 0 {
				continue
			}
			if s := survivor[r.fields[ds.key]]; s != r {
				if slices.Equal(s.fields, r.fields) {
					r.reasons = append(r.reasons, ReasonDuplicate)
				} else {
					r.reasons = append(r.reasons, ReasonSuperseded)
				}
			}
		}
	}
	accepted := func(name, col string) map[string]bool {
		set := map[string]bool{}
		for _, r := range rows[name] {
			if len(r.reasons) == 0 {
				set[r.vals[col]] = true
			}
		}
		return set
	}
	products, orders := accepted(Products, "product_id"), accepted(Orders, "order_id")
	for _, r := range rows[OrderItems] {
		if len(r.reasons) > 0 {
			continue
		}
		if !orders[r.vals["order_id"]] {
			r.reasons = append(r.reasons, "reference:order_id")
		}
		if !products[r.vals["product_id"]] {
			r.reasons = append(r.reasons, "reference:product_id")
		}
	}
	found := map[string]map[string]int64{}
	for _, name := range []string{Products, Orders, OrderItems} {
		for _, r := range rows[name] {
			if len(r.reasons) > 1 {
				t.Errorf("%s: row %q breaks more than one rule: %v", r.file, strings.Join(r.fields, ","), r.reasons)
			}
			if found[r.file] == nil {
				found[r.file] = map[string]int64{}
			}
			for _, code := range r.reasons {
				found[r.file][code]++
			}
		}
	}
	return found, read
}
