package parquetrows

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// leafDecoder turns the values of one leaf column into Go values.
type leafDecoder struct {
	path           string
	maxDef, maxRep int
	decode         func(parquet.Value) any
	physical       Physical // the physical type, which says how Vector holds the values
	length         int      // bytes of a FIXED_LEN_BYTE_ARRAY value
}

// julianUnixEpoch is the Julian day number of 1970-01-01, the origin of the
// day count in INT96 timestamps.
const julianUnixEpoch = 2440588

var convertedNames = map[deprecated.ConvertedType]string{
	deprecated.UTF8: "UTF8", deprecated.Map: "MAP", deprecated.MapKeyValue: "MAP_KEY_VALUE",
	deprecated.List: "LIST", deprecated.Enum: "ENUM", deprecated.Decimal: "DECIMAL",
	deprecated.Date: "DATE", deprecated.TimeMillis: "TIME_MILLIS", deprecated.TimeMicros: "TIME_MICROS",
	deprecated.TimestampMillis: "TIMESTAMP_MILLIS", deprecated.TimestampMicros: "TIMESTAMP_MICROS",
	deprecated.Uint8: "UINT_8", deprecated.Uint16: "UINT_16", deprecated.Uint32: "UINT_32",
	deprecated.Uint64: "UINT_64", deprecated.Int8: "INT_8", deprecated.Int16: "INT_16",
	deprecated.Int32: "INT_32", deprecated.Int64: "INT_64", deprecated.Json: "JSON",
	deprecated.Bson: "BSON", deprecated.Interval: "INTERVAL",
}

// newLeafDecoder chooses the Go value of a leaf column from its physical
// type and its annotation: the logical type when present, else the legacy
// converted type.
func newLeafDecoder(r *rawNode) (*leafDecoder, Type, error) {
	e := r.elem
	phys := e.Type.V
	t := Type{Physical: phys.String()}
	if phys == format.FixedLenByteArray {
		t.Physical = fmt.Sprintf("FIXED_LEN_BYTE_ARRAY(%d)", e.TypeLength.V)
	}
	lt := e.LogicalType.Value
	ct, hasCT := r.converted()
	if lt != nil {
		t.Logical = lt.String()
	} else if hasCT {
		t.Logical = convertedNames[ct]
		if t.Logical == "" {
			t.Logical = fmt.Sprintf("ConvertedType(%d)", ct)
		}
	}
	if !hasCT {
		ct = -1 // no converted type
	}
	d := &leafDecoder{path: r.path, maxDef: r.def, maxRep: r.rep, length: int(e.TypeLength.V)}
	var ok bool
	if d.physical, ok = physicalOf(phys); !ok {
		return nil, t, fmt.Errorf("unknown physical type %d", phys)
	}
	fn, err := chooseDecoder(phys, int(e.TypeLength.V), lt, ct, e, &t)
	if err != nil {
		if t.Logical == "" {
			return nil, t, err
		}
		return nil, t, fmt.Errorf("%s annotated %s: %w", t.Physical, t.Logical, err)
	}
	d.decode = fn
	return d, t, nil
}

func chooseDecoder(phys format.Type, length int, lt format.LogicalTypeValue, ct deprecated.ConvertedType,
	e *format.SchemaElement, t *Type) (func(parquet.Value) any, error) {
	if isType[*format.NullType](lt) {
		t.Kind = KindNull
		return func(parquet.Value) any { return nil }, nil
	}
	if dt, ok := lt.(*format.DecimalType); ok || (lt == nil && ct == deprecated.Decimal) {
		if ok {
			t.Precision, t.Scale = dt.Precision, dt.Scale
		} else {
			if !e.Precision.Valid {
				return nil, fmt.Errorf("DECIMAL without a precision")
			}
			t.Precision, t.Scale = e.Precision.V, e.Scale.V
		}
		t.Kind = KindDecimal
		return decimalDecoder(phys, t.Precision, t.Scale)
	}
	switch phys {
	case format.Boolean:
		t.Kind = KindBool
		return func(v parquet.Value) any { return v.Boolean() }, needPlain(lt, ct)
	case format.Float:
		t.Kind = KindFloat32
		return func(v parquet.Value) any { return v.Float() }, needPlain(lt, ct)
	case format.Double:
		t.Kind = KindFloat64
		return func(v parquet.Value) any { return v.Double() }, needPlain(lt, ct)
	case format.Int96:
		t.Kind, t.Unit, t.AdjustedToUTC = KindTimestamp, "NANOS", true
		return func(v parquet.Value) any { return int96Time(v.Int96()) }, nil
	case format.Int32:
		return int32Decoder(lt, ct, t)
	case format.Int64:
		return int64Decoder(lt, ct, t)
	case format.ByteArray, format.FixedLenByteArray:
		return bytesDecoder(phys, length, lt, ct, t)
	}
	return nil, fmt.Errorf("unknown physical type %d", phys)
}

func needPlain(lt format.LogicalTypeValue, ct deprecated.ConvertedType) error {
	if lt != nil || ct >= 0 {
		return fmt.Errorf("annotation not valid for this physical type")
	}
	return nil
}

func int32Decoder(lt format.LogicalTypeValue, ct deprecated.ConvertedType, t *Type) (func(parquet.Value) any, error) {
	asInt32 := func(v parquet.Value) any { return v.Int32() }
	switch x := lt.(type) {
	case nil:
	case *format.IntType:
		if x.IsSigned || x.BitWidth < 32 {
			t.Kind = KindInt32
			return asInt32, nil
		}
		t.Kind = KindInt64
		return func(v parquet.Value) any { return int64(uint32(v.Int32())) }, nil
	case *format.DateType:
		t.Kind = KindDate
		return func(v parquet.Value) any { return Date(v.Int32()) }, nil
	case *format.TimeType:
		if _, ok := x.Unit.Value.(*format.MilliSeconds); !ok {
			return nil, fmt.Errorf("INT32 time must be in milliseconds")
		}
		t.Kind, t.Unit, t.AdjustedToUTC = KindTime, "MILLIS", x.IsAdjustedToUTC
		return func(v parquet.Value) any { return time.Duration(v.Int32()) * time.Millisecond }, nil
	default:
		return nil, fmt.Errorf("annotation not valid for this physical type")
	}
	switch ct {
	case -1, deprecated.Int8, deprecated.Int16, deprecated.Int32, deprecated.Uint8, deprecated.Uint16:
		t.Kind = KindInt32
		return asInt32, nil
	case deprecated.Uint32:
		t.Kind = KindInt64
		return func(v parquet.Value) any { return int64(uint32(v.Int32())) }, nil
	case deprecated.Date:
		t.Kind = KindDate
		return func(v parquet.Value) any { return Date(v.Int32()) }, nil
	case deprecated.TimeMillis:
		t.Kind, t.Unit, t.AdjustedToUTC = KindTime, "MILLIS", true
		return func(v parquet.Value) any { return time.Duration(v.Int32()) * time.Millisecond }, nil
	}
	return nil, fmt.Errorf("annotation not valid for this physical type")
}

func int64Decoder(lt format.LogicalTypeValue, ct deprecated.ConvertedType, t *Type) (func(parquet.Value) any, error) {
	asInt64 := func(v parquet.Value) any { return v.Int64() }
	switch x := lt.(type) {
	case nil:
	case *format.IntType:
		if x.IsSigned {
			t.Kind = KindInt64
			return asInt64, nil
		}
		t.Kind = KindUint64
		return func(v parquet.Value) any { return uint64(v.Int64()) }, nil
	case *format.TimestampType:
		t.Kind, t.AdjustedToUTC = KindTimestamp, x.IsAdjustedToUTC
		return timestampDecoder(x.Unit.Value, t)
	case *format.TimeType:
		t.Kind, t.AdjustedToUTC = KindTime, x.IsAdjustedToUTC
		switch x.Unit.Value.(type) {
		case *format.MicroSeconds:
			t.Unit = "MICROS"
			return func(v parquet.Value) any { return time.Duration(v.Int64()) * time.Microsecond }, nil
		case *format.NanoSeconds:
			t.Unit = "NANOS"
			return func(v parquet.Value) any { return time.Duration(v.Int64()) }, nil
		}
		return nil, fmt.Errorf("INT64 time must be in microseconds or nanoseconds")
	default:
		return nil, fmt.Errorf("annotation not valid for this physical type")
	}
	switch ct {
	case -1, deprecated.Int64, deprecated.Int32, deprecated.Int16, deprecated.Int8:
		t.Kind = KindInt64
		return asInt64, nil
	case deprecated.Uint64:
		t.Kind = KindUint64
		return func(v parquet.Value) any { return uint64(v.Int64()) }, nil
	case deprecated.TimestampMillis:
		t.Kind, t.AdjustedToUTC = KindTimestamp, true
		return timestampDecoder(&format.MilliSeconds{}, t)
	case deprecated.TimestampMicros:
		t.Kind, t.AdjustedToUTC = KindTimestamp, true
		return timestampDecoder(&format.MicroSeconds{}, t)
	case deprecated.TimeMicros:
		t.Kind, t.Unit, t.AdjustedToUTC = KindTime, "MICROS", true
		return func(v parquet.Value) any { return time.Duration(v.Int64()) * time.Microsecond }, nil
	}
	return nil, fmt.Errorf("annotation not valid for this physical type")
}

func timestampDecoder(unit format.TimeUnitValue, t *Type) (func(parquet.Value) any, error) {
	switch unit.(type) {
	case *format.MilliSeconds:
		t.Unit = "MILLIS"
		return func(v parquet.Value) any { return time.UnixMilli(v.Int64()).UTC() }, nil
	case *format.MicroSeconds:
		t.Unit = "MICROS"
		return func(v parquet.Value) any { return time.UnixMicro(v.Int64()).UTC() }, nil
	case *format.NanoSeconds:
		t.Unit = "NANOS"
		return func(v parquet.Value) any { return time.Unix(0, v.Int64()).UTC() }, nil
	}
	return nil, fmt.Errorf("timestamp without a known unit")
}

func bytesDecoder(phys format.Type, length int, lt format.LogicalTypeValue, ct deprecated.ConvertedType, t *Type) (func(parquet.Value) any, error) {
	asString := func(v parquet.Value) any { return string(v.ByteArray()) }
	asBytes := func(v parquet.Value) any { return append([]byte{}, v.ByteArray()...) }
	switch lt.(type) {
	case nil:
	case *format.StringType, *format.EnumType, *format.JsonType:
		t.Kind = KindString
		return asString, nil
	case *format.BsonType, *format.VariantType, *format.GeometryType, *format.GeographyType:
		t.Kind = KindBinary
		return asBytes, nil
	case *format.UUIDType:
		if phys != format.FixedLenByteArray || length != 16 {
			return nil, fmt.Errorf("UUID must be a FIXED_LEN_BYTE_ARRAY(16)")
		}
		t.Kind = KindString
		return func(v parquet.Value) any { return uuidString(v.ByteArray()) }, nil
	case *format.Float16Type:
		if phys != format.FixedLenByteArray || length != 2 {
			return nil, fmt.Errorf("FLOAT16 must be a FIXED_LEN_BYTE_ARRAY(2)")
		}
		t.Kind = KindFloat32
		return func(v parquet.Value) any { return float16(v.ByteArray()) }, nil
	default:
		return nil, fmt.Errorf("annotation not valid for this physical type")
	}
	switch ct {
	case -1, deprecated.Bson, deprecated.Interval:
		t.Kind = KindBinary
		return asBytes, nil
	case deprecated.UTF8, deprecated.Enum, deprecated.Json:
		t.Kind = KindString
		return asString, nil
	}
	return nil, fmt.Errorf("annotation not valid for this physical type")
}

func decimalDecoder(phys format.Type, precision, scale int32) (func(parquet.Value) any, error) {
	if precision <= 0 || scale < 0 || scale > precision {
		return nil, fmt.Errorf("invalid precision %d and scale %d", precision, scale)
	}
	mk := func(u *big.Int) any { return Decimal{Unscaled: u, Scale: scale, Precision: precision} }
	switch phys {
	case format.Int32:
		return func(v parquet.Value) any { return mk(big.NewInt(int64(v.Int32()))) }, nil
	case format.Int64:
		return func(v parquet.Value) any { return mk(big.NewInt(v.Int64())) }, nil
	case format.ByteArray, format.FixedLenByteArray:
		return func(v parquet.Value) any { return mk(twosComplement(v.ByteArray())) }, nil
	}
	return nil, fmt.Errorf("DECIMAL cannot be stored as %s", phys)
}

// twosComplement decodes a big-endian two's complement integer.
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n
}

// TwosComplementInt64 decodes a big-endian two's complement integer (the
// unscaled value of a binary decimal) when it fits in an int64; an empty
// one is 0.
func TwosComplementInt64(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	for len(b) > 8 { // leading bytes that only extend the sign may go
		if (b[0] != 0 || b[1]&0x80 != 0) && (b[0] != 0xff || b[1]&0x80 == 0) {
			return 0, false
		}
		b = b[1:]
	}
	var u int64
	if b[0]&0x80 != 0 {
		u = -1
	}
	for _, x := range b {
		u = u<<8 | int64(x)
	}
	return u, true
}

// int96Time decodes a legacy INT96 timestamp: nanoseconds within the day in
// the first eight bytes, then the Julian day number, all little-endian.
func int96Time(v deprecated.Int96) time.Time {
	nanos := int64(uint64(v[1])<<32 | uint64(v[0]))
	days := int64(int32(v[2])) - julianUnixEpoch
	return time.Unix(days*86400, nanos).UTC()
}

func uuidString(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// float16 decodes an IEEE 754 half-precision number stored little-endian.
func float16(b []byte) float32 {
	if len(b) != 2 {
		return float32(math.NaN())
	}
	h := uint16(b[0]) | uint16(b[1])<<8
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0: // zero or subnormal
		f := float32(frac) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
