package delta

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// EncodingsProperty is the table property (metaData configuration) that
// chooses how lakeops encodes a table's Parquet data files. Set it with
// `lakeops table set-property URI lakeops.parquet.encodings=delta`; other
// engines ignore it.
const EncodingsProperty = "lakeops.parquet.encodings"

// Values of EncodingsProperty.
const (
	// EncodingsCompatible is the default: Parquet format 1.0 data pages
	// (DATA_PAGE), every column PLAIN or dictionary-encoded (a PLAIN
	// dictionary page, RLE_DICTIONARY data pages, and PLAIN pages once the
	// dictionary outgrows dictionaryMaxBytes, as parquet-mr falls back),
	// levels RLE, Snappy. Every Spark 3.x (Glue 3.0, 4.0, 5.0, EMR), Athena
	// engine v3, delta-rs and DuckDB read these files.
	EncodingsCompatible = "compatible"
	// EncodingsDelta writes DATA_PAGE_V2 pages with DELTA_BINARY_PACKED
	// integer, date and timestamp columns and DELTA_LENGTH_BYTE_ARRAY strings:
	// on the benchmark's order_items about 60% of the bytes of
	// EncodingsCompatible, for about the same CPU. Spark's vectorized reader
	// decodes them from 3.4 on (DELTA_BINARY_PACKED came in 3.3,
	// DELTA_LENGTH_BYTE_ARRAY in 3.4), so Glue 5.0 and EMR 6.12+, Athena
	// engine v3, delta-rs and DuckDB read them; Glue 3.0 and 4.0 do not.
	EncodingsDelta = "delta"
)

// dictionaryMaxBytes is the dictionary size beyond which a column chunk
// goes on in PLAIN (parquet-mr's default dictionary page size).
const dictionaryMaxBytes = 1 << 20

// TableEncodings returns the data file encodings a table's configuration
// asks for: EncodingsCompatible unless EncodingsProperty says otherwise.
func TableEncodings(configuration map[string]string) (string, error) {
	switch v := configuration[EncodingsProperty]; v {
	case "", EncodingsCompatible:
		return EncodingsCompatible, nil
	case EncodingsDelta:
		return EncodingsDelta, nil
	default:
		return "", fmt.Errorf("table property %s=%q: want %s or %s", EncodingsProperty, v, EncodingsCompatible, EncodingsDelta)
	}
}

// columnEncoding is how one column of a data file is encoded.
type columnEncoding int

const (
	encodePlain      columnEncoding = iota // PLAIN
	encodeDictionary                       // dictionary, falling back to PLAIN
	encodeDelta                            // the EncodingsDelta choice for the column's type
)

// sample summarises the first values of a column of a file: n non-null
// values, heads of runs (values unlike the one before), and among the
// heads the distinct values and those seen once (f1) and twice (f2).
type sample struct{ n, heads, distinct, f1, f2 int }

// dictionaryMaxValues is the most distinct values a column's dictionary is
// expected to need per row group for it to pay: indexes of at most 12
// bits instead of the values themselves.
const dictionaryMaxValues = 4096

// dictionaryPays decides PLAIN or a dictionary for a column from a sample
// of its first values, the way parquet-mr's fallback weighs them after a
// column's first page. A column whose values come in runs (the order_id,
// user_id and order_timestamp of the items of one order) is PLAIN: Snappy
// turns runs of equal values into a few bytes, cheaper than dictionary
// indexes. Otherwise the number of distinct values the row group will hold
// is estimated from the sample (Chao1: distinct + f1²/2f2, which sees that
// 640 distinct values among 1,024 come from a domain of about 1,000) and a
// dictionary is used when it stays within dictionaryMaxValues. On the
// benchmark's order_items this gave the smallest files and the least CPU
// of the rules tried (a dictionary for every column, for columns at most
// half distinct in the sample, for columns at most 1/16 distinct, none).
func dictionaryPays(s sample) bool {
	if s.n == 0 || s.heads*4 < s.n*3 {
		return false
	}
	est := s.distinct + s.f1*(s.f1-1)/(2*(s.f2+1))
	return est <= dictionaryMaxValues
}

// sampleOf summarises values given as run heads in scratch order (sorted
// in place).
func sampleOf[T cmp.Ordered](n int, heads []T) sample {
	s := sample{n: n, heads: len(heads)}
	slices.Sort(heads)
	for i := 0; i < len(heads); {
		j := i + 1
		for j < len(heads) && heads[j] == heads[i] {
			j++
		}
		s.distinct++
		switch j - i {
		case 1:
			s.f1++
		case 2:
			s.f2++
		}
		i = j
	}
	return s
}

// sampleInts summarises the non-null values of xs (nulls is nil when none
// is null), using scratch (returned for reuse).
func sampleInts(xs []int64, nulls []bool, scratch []int64) (sample, []int64) {
	scratch = scratch[:0]
	n := 0
	for i, x := range xs {
		if nulls != nil && nulls[i] {
			continue
		}
		if n == 0 || x != scratch[len(scratch)-1] {
			scratch = append(scratch, x)
		}
		n++
	}
	return sampleOf(n, scratch), scratch
}

// sampleStrings is sampleInts for strings.
func sampleStrings(ss []string, nulls []bool) sample {
	var heads []string
	n := 0
	for i, s := range ss {
		if nulls != nil && nulls[i] {
			continue
		}
		if n == 0 || s != heads[len(heads)-1] {
			heads = append(heads, s)
		}
		n++
	}
	return sampleOf(n, heads)
}

// parquetNode is the Parquet leaf of a column type, encoded as enc says.
// Booleans are always PLAIN (bit-packed); dictionaries do not pay for them.
func parquetNode(t DataType, enc columnEncoding) (parquet.Node, error) {
	node, deltaPacked, err := parquetType(t)
	if err != nil {
		return nil, err
	}
	if p, ok := t.(*PrimitiveType); ok && p.Name == TypeBoolean {
		enc = encodePlain
	}
	switch enc {
	case encodeDictionary:
		return parquet.Encoded(node, &parquet.RLEDictionary), nil
	case encodeDelta:
		if deltaPacked {
			return parquet.Encoded(node, &parquet.DeltaBinaryPacked), nil
		}
		return node, nil // parquet-go's defaults: DELTA_LENGTH_BYTE_ARRAY for byte arrays, else PLAIN
	default:
		return parquet.Encoded(node, &parquet.Plain), nil
	}
}

// parquetType is the Parquet type of a column type; deltaPacked tells the
// types EncodingsDelta writes DELTA_BINARY_PACKED.
func parquetType(t DataType) (node parquet.Node, deltaPacked bool, err error) {
	switch t := t.(type) {
	case *PrimitiveType:
		switch t.Name {
		case TypeLong:
			return parquet.Int(64), true, nil
		case TypeInteger:
			return parquet.Int(32), true, nil
		case TypeShort:
			return parquet.Int(16), false, nil
		case TypeByte:
			return parquet.Int(8), false, nil
		case TypeFloat:
			return parquet.Leaf(parquet.FloatType), false, nil
		case TypeDouble:
			return parquet.Leaf(parquet.DoubleType), false, nil
		case TypeBoolean:
			return parquet.Leaf(parquet.BooleanType), false, nil
		case TypeString:
			return parquet.String(), false, nil
		case TypeBinary:
			return parquet.Leaf(parquet.ByteArrayType), false, nil
		case TypeDate:
			return parquet.Date(), true, nil
		case TypeTimestamp:
			return parquet.Timestamp(parquet.Microsecond), true, nil
		}
	case *DecimalType:
		switch {
		case t.Precision <= 9:
			return parquet.Decimal(t.Scale, t.Precision, parquet.Int32Type), false, nil
		case t.Precision <= 18:
			return parquet.Decimal(t.Scale, t.Precision, parquet.Int64Type), false, nil
		default:
			return parquet.Decimal(t.Scale, t.Precision, parquet.FixedLenByteArrayType(decimalBytes(t.Precision))), false, nil
		}
	}
	return nil, false, fmt.Errorf("writing %s columns is not supported", t)
}

// decimalBytes is the smallest two's complement width that holds precision digits.
func decimalBytes(precision int) int {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	n := 1
	for new(big.Int).Lsh(big.NewInt(1), uint(8*n-1)).Cmp(limit) < 0 {
		n++
	}
	return n
}
