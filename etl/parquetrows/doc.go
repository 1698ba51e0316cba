// Package parquetrows decodes Parquet files written by any engine — Spark
// (parquet-mr), Arrow (parquet-cpp), parquet-go and others — into rows of
// plain Go values.
//
// Files are opened with parquet-go, which handles the footer, pages,
// encodings and compression. The rows themselves are assembled here, from the
// repetition and definition levels of each leaf column, driven by the file's
// own schema tree: the Parquet logical-type annotations (and the legacy
// converted types) decide the Go value of each leaf, and the LIST and MAP
// annotations, including the backward-compatibility rules of the Parquet
// specification for two-level lists and legacy maps, decide how groups nest.
//
// # Value model
//
// Every value in a row is one of:
//
//   - nil, for a null at any level;
//   - bool (BOOLEAN);
//   - int32 (INT32 without annotation, INT(8|16|32,signed), INT(8|16,unsigned));
//   - int64 (INT64 without annotation, INT(64,signed), INT(32,unsigned));
//   - uint64 (INT(64,unsigned));
//   - float32 (FLOAT, FLOAT16), float64 (DOUBLE);
//   - string (BYTE_ARRAY annotated STRING/UTF8, ENUM or JSON; UUID as its
//     canonical 36-character text);
//   - []byte (BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY without annotation, BSON,
//     INTERVAL); the slice is owned by the caller;
//   - [Decimal] (DECIMAL stored as INT32, INT64, FIXED_LEN_BYTE_ARRAY or
//     BYTE_ARRAY);
//   - [Date] (DATE);
//   - time.Time in UTC (TIMESTAMP of any unit, whether or not isAdjustedToUTC —
//     see [Type.AdjustedToUTC] — and legacy INT96 timestamps);
//   - time.Duration since midnight (TIME);
//   - [List] (LIST groups, legacy two-level lists, and bare repeated fields);
//   - [Map] (MAP and MAP_KEY_VALUE groups), entries in file order;
//   - [Struct] (any other group), fields in file order.
//
// # Reading
//
// [Open] reads the footer; [File.Columns] describes the top-level columns;
// [File.NewReader] (or [File.Rows]) streams the rows, row group after row
// group, optionally projected to some top-level columns so that the others
// are never read nor decoded. Each projected column chunk of the current row
// group is read with a single ReadAt, which suits remote storage; memory use
// is bounded by those chunks and a few pages of decoded values per column,
// not by the file.
//
// # Damaged files
//
// Decoding a damaged file returns an error naming the row group, the row and
// the column; it does not panic (a panic inside parquet-go is turned into an
// error). Before parquet-go allocates what a damaged file claims, the footer
// and the page headers are checked against the bytes actually present, as
// are the sizes declared inside snappy, zstd and LZ4_RAW data. Encrypted
// files are not supported.
package parquetrows
