// Package demo makes the demo lake of `lakeops demo`: the original lab's
// sample files (embedded, MIT — see LICENSE.seed-repo in the archive) plus
// generated later days with some dirt of every kind, as new raw files.
package demo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/gen"
)

//go:embed seed.tar.gz
var seedArchive []byte

// The seed's extent: later generated days continue its ids and dates.
const (
	seedOrders   = 7500
	seedItems    = 40803
	seedLastDay  = "2025-04-15"
	extraDays    = 5
	extraDirty   = 0.03
	extraOrders  = 2500
	firstOrderID = 10000
)

// Result says what Create did.
type Result struct {
	Dir      string
	Created  bool // false when the lake already had raw files
	RawFiles int
}

// Create makes a demo lake in dir, or leaves an existing one as it is
// (a lake whose bronze_layer already holds files).
func Create(ctx context.Context, dir string) (Result, error) {
	res := Result{Dir: dir}
	bronze := filepath.Join(dir, "bronze_layer")
	if entries, err := os.ReadDir(bronze); err == nil && len(entries) > 0 {
		return res, nil
	}
	if err := os.MkdirAll(bronze, 0o755); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	n, err := extractSeed(bronze)
	if err != nil {
		return res, err
	}
	// Later days continue the seed's ids and dates; their products.csv
	// (the same 1,000 products) is left out.
	tmp, err := os.MkdirTemp(dir, ".demo-gen-")
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(tmp)
	start, _ := time.Parse("2006-01-02", seedLastDay)
	m, err := gen.Generate(ctx, tmp, gen.Options{Orders: extraOrders, Days: extraDays, Dirty: extraDirty, Seed: 2025,
		Start: start.AddDate(0, 0, 1), FirstOrderID: firstOrderID + seedOrders, FirstItemID: seedItems + 1}, nil)
	if err != nil {
		return res, fmt.Errorf("demo: generate later days: %w", err)
	}
	for _, f := range m.Files {
		if f.Dataset == "products" {
			continue
		}
		if err := os.Rename(filepath.Join(tmp, f.Path), filepath.Join(bronze, f.Path)); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		n++
	}
	res.Created, res.RawFiles = true, n
	return res, nil
}

// extractSeed writes the embedded seed files under dir and returns how many CSVs it wrote.
func extractSeed(dir string) (int, error) {
	zr, err := gzip.NewReader(bytes.NewReader(seedArchive))
	if err != nil {
		return 0, fmt.Errorf("demo: seed archive: %w", err)
	}
	tr := tar.NewReader(zr)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("demo: seed archive: %w", err)
		}
		name := filepath.Clean(h.Name)
		if h.Typeflag != tar.TypeReg || strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			continue
		}
		target := filepath.Join(dir, name)
		if !strings.HasSuffix(name, ".csv") {
			target = filepath.Join(filepath.Dir(dir), name) // the licence sits at the lake root, not among raw files
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return n, err
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return n, fmt.Errorf("demo: seed archive %s: %w", name, err)
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return n, fmt.Errorf("demo: %w", err)
		}
		if strings.HasSuffix(name, ".csv") {
			n++
		}
	}
}
