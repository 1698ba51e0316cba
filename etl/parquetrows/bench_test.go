package parquetrows

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

type benchRow struct {
	ID     int64     `parquet:"id"`
	Name   string    `parquet:"name"`
	Amount float64   `parquet:"amount"`
	Qty    *int32    `parquet:"qty,optional"`
	Flag   bool      `parquet:"flag"`
	At     time.Time `parquet:"at,timestamp(microsecond)"`
}

// writeBenchFile writes n flat rows, snappy-compressed, in row groups of
// 128k rows.
func writeBenchFile(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "flat.parquet")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := parquet.NewGenericWriter[benchRow](out, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(128<<10))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]benchRow, 0, 4096)
	for i := range n {
		r := benchRow{ID: int64(i), Name: "name-" + strconv.Itoa(i%1000), Amount: float64(i) / 100,
			Flag: i%3 == 0, At: base.Add(time.Duration(i) * time.Second)}
		if i%7 != 0 {
			q := int32(i % 100)
			r.Qty = &q
		}
		if batch = append(batch, r); len(batch) == cap(batch) {
			if _, err := w.Write(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := w.Write(batch); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkDecode decodes a generated flat file of a million rows, all
// columns and a projection of two.
func BenchmarkDecode(b *testing.B) {
	const rows = 1_000_000
	path := writeBenchFile(b, rows)
	for _, bc := range []struct {
		name    string
		columns []string
	}{{"all", nil}, {"id+amount", []string{"id", "amount"}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				fh, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				st, _ := fh.Stat()
				f, err := Open(fh, st.Size())
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, err := range f.Rows(bc.columns...) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				fh.Close()
				if n != rows {
					b.Fatalf("%d rows", n)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkDecodeTyped decodes the same file with the typed decoder, every
// column a ColumnReader of its own, in batches of 4096 rows.
func BenchmarkDecodeTyped(b *testing.B) {
	const rows = 1_000_000
	path := writeBenchFile(b, rows)
	for _, bc := range []struct {
		name    string
		columns []string
	}{{"all", []string{"id", "name", "amount", "qty", "flag", "at"}}, {"id+amount", []string{"id", "amount"}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				fh, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				st, _ := fh.Stat()
				f, err := Open(fh, st.Size())
				if err != nil {
					b.Fatal(err)
				}
				var v Vector
				for _, c := range bc.columns {
					r, err := f.NewColumnReader(c)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for {
						k, err := r.Read(&v, 4096)
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						n += k
					}
					if n != rows {
						b.Fatalf("%s: %d rows", c, n)
					}
					r.Close()
				}
				fh.Close()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
