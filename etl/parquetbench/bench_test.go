package parquetbench

import (
	"github.com/lakeops/lakeops/etl/internal/cputime"
	"testing"
)

// variant is one way of writing the dataset with one library.
type variant struct {
	name string
	new  func() fileWriter
}

// parquetGoVariants are the parquet-go ways of writing; generic is the
// fastest (see RESULTS.md).
func parquetGoVariants() []variant {
	return []variant{
		{"generic", func() fileWriter { return &pqGeneric{} }},
		{"columns", func() fileWriter { return &pqColumns{} }},
		{"rows", func() fileWriter { return &pqRows{} }},
		{"colwriters", func() fileWriter { return &pqColumnWriters{} }},
		{"generic-dict", func() fileWriter { return &pqGenericDict{} }},
	}
}

// arrowVariants are the pqarrow ways of writing: from array builders with
// arrow's default dictionary encoding and with plain encoding like
// parquet-go's default, and plain from arrays wrapped around Go slices.
func arrowVariants() []variant {
	return []variant{
		{"dict", func() fileWriter { return &arrowWriter{dictionary: true} }},
		{"plain", func() fileWriter { return &arrowWriter{dictionary: false} }},
		{"plain-arrays", func() fileWriter { return &arrowArrays{} }},
	}
}

// BenchmarkWriteParquetGo writes all rows partitioned by date with
// parquet-go, one file per date.
func BenchmarkWriteParquetGo(b *testing.B) {
	benchmarkVariants(b, newDataset(numRows), parquetGoVariants())
}

// BenchmarkWriteArrow writes all rows partitioned by date with arrow-go's
// pqarrow writer, one file per date.
func BenchmarkWriteArrow(b *testing.B) {
	benchmarkVariants(b, newDataset(numRows), arrowVariants())
}

// benchmarkVariants runs one sub-benchmark per variant. An op writes every
// partition of d to a counting io.Discard. Besides the -benchmem figures it
// reports:
//   - cpu-ms/op: the CPU time (user and system, all threads, so the GC's
//     work included) the process used per op, which waiting for a busy CPU
//     does not inflate as it does ns/op,
//   - out-MB: the bytes written per op (all files),
//   - peak-heap-MB: the largest heap above the heap held before (the
//     dataset), sampled during one extra op by a new fileWriter that is
//     neither timed nor counted by -benchmem, run with GOGC=2 so that
//     garbage barely accumulates: about the most memory the writer keeps
//     live at once (see peakHeap).
func benchmarkVariants(b *testing.B, d *dataset, variants []variant) {
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			fw := v.new()
			var out countingWriter
			b.SetBytes(d.inputBytes())
			b.ReportAllocs()
			writeAll := func(fw fileWriter) error {
				out.n = 0
				for i := range d.parts {
					if err := fw.WriteFile(&out, d, &d.parts[i]); err != nil {
						return err
					}
				}
				return nil
			}
			cpu0, ok := cputime.Process()
			for b.Loop() {
				if err := writeAll(fw); err != nil {
					b.Fatal(err)
				}
			}
			if cpu1, _ := cputime.Process(); ok {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
			}
			// b.Loop has stopped the timer: this op is neither timed nor
			// counted by -benchmem. It starts from a new fileWriter so that
			// the buffers a writer keeps between files count too.
			peak, err := peakHeap(func() error { return writeAll(v.new()) })
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(out.n)/1e6, "out-MB")
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
		})
	}
}
