// Package parquetbench benchmarks the candidate Parquet writers on the
// pipeline's row shape; the result decides which one etl/delta uses.
//
// The candidates are github.com/parquet-go/parquet-go and the pqarrow writer
// of github.com/apache/arrow-go/v18. Both write the order_items dataset
// (about 1,000,000 rows generated in memory as columnar Go slices, spread over
// 15 dates) partitioned by date, one Snappy-compressed file per date, with the
// date partition column left out of the files. The package holds only tests:
// the benchmarks (go test -run XXX -bench . -benchmem) measure the writers,
// and the tests read every written file back with DuckDB to check that the
// values and column types are the ones generated. RESULTS.md records the
// figures and the recommendation.
package parquetbench
