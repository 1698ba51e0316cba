// Package interop checks what lakeops writes with readers that are not its
// writer's library (parquet-go): arrow-go's Parquet page reader for page
// versions, encodings and codecs (CheckPages), and DuckDB for the values
// of checkpoints (CheckpointNulls). Tests use it on data files, rejects,
// ingest logs and checkpoints alike.
package interop

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// PageSummary counts what CheckPages saw in one file.
type PageSummary struct {
	DataPages, DictionaryPages int
	Encodings                  map[string]int // data page value encodings, by name
}

// CheckPages opens a Parquet file with arrow-go's page reader and reports
// every page that an engine limited to Parquet format 1.0 and Spark 3.1's
// vectorized reader could not decode: data pages must be DATA_PAGE (v1)
// with PLAIN, PLAIN_DICTIONARY or RLE_DICTIONARY values and RLE (or the
// old BIT_PACKED) levels, dictionary pages PLAIN or PLAIN_DICTIONARY, and
// every column chunk Snappy-compressed.
func CheckPages(data []byte) (PageSummary, error) {
	sum := PageSummary{Encodings: map[string]int{}}
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		return sum, fmt.Errorf("open: %w", err)
	}
	defer r.Close()
	var problems []string
	for g := 0; g < r.NumRowGroups(); g++ {
		rg := r.RowGroup(g)
		for c := 0; c < rg.NumColumns(); c++ {
			meta, err := rg.MetaData().ColumnChunk(c)
			if err != nil {
				return sum, fmt.Errorf("row group %d column %d: %w", g, c, err)
			}
			col := meta.PathInSchema().String()
			if meta.Compression() != compress.Codecs.Snappy {
				problems = append(problems, fmt.Sprintf("%s: codec %s, want SNAPPY", col, meta.Compression()))
			}
			pr, err := rg.GetColumnPageReader(c)
			if err != nil {
				return sum, fmt.Errorf("row group %d column %s: %w", g, col, err)
			}
			for pr.Next() {
				switch p := pr.Page().(type) {
				case *file.DictionaryPage:
					sum.DictionaryPages++
					if e := parquet.Encoding(p.Encoding()); e != parquet.Encodings.Plain && e != parquet.Encodings.PlainDict {
						problems = append(problems, fmt.Sprintf("%s: dictionary page encoded %s", col, e))
					}
				case *file.DataPageV1:
					sum.DataPages++
					e := parquet.Encoding(p.Encoding())
					sum.Encodings[e.String()]++
					if e != parquet.Encodings.Plain && e != parquet.Encodings.PlainDict && e != parquet.Encodings.RLEDict {
						problems = append(problems, fmt.Sprintf("%s: data page encoded %s", col, e))
					}
					for _, le := range []parquet.Encoding{p.DefinitionLevelEncoding(), p.RepetitionLevelEncoding()} {
						if le != parquet.Encodings.RLE && le != parquet.Encodings.BitPacked {
							problems = append(problems, fmt.Sprintf("%s: levels encoded %s", col, le))
						}
					}
				case *file.DataPageV2:
					sum.DataPages++
					problems = append(problems, fmt.Sprintf("%s: DATA_PAGE_V2 page (encoded %s)", col, parquet.Encoding(p.Encoding())))
				default:
					problems = append(problems, fmt.Sprintf("%s: unexpected page type %v", col, p.Type()))
				}
			}
			if err := pr.Err(); err != nil {
				return sum, fmt.Errorf("row group %d column %s: read pages: %w", g, col, err)
			}
		}
	}
	if len(problems) > 0 {
		return sum, fmt.Errorf("%d incompatible pages or chunks: %s", len(problems), strings.Join(dedupe(problems), "; "))
	}
	return sum, nil
}

// dedupe keeps the first of equal messages, with a count.
func dedupe(msgs []string) []string {
	count := map[string]int{}
	var order []string
	for _, m := range msgs {
		if count[m] == 0 {
			order = append(order, m)
		}
		count[m]++
	}
	for i, m := range order {
		if n := count[m]; n > 1 {
			order[i] = fmt.Sprintf("%s (%d times)", m, n)
		}
	}
	return order
}
