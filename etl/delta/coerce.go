package delta

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// Coerce converts a value decoded from Parquet to the Go type of a table
// column type, checking ranges (a file may store a narrower or wider type
// than the schema names, e.g. INT32 for "short").
func Coerce(v any, t DataType) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t := t.(type) {
	case *PrimitiveType:
		return coercePrimitive(v, t.Name)
	case *DecimalType:
		d, ok := v.(parquetrows.Decimal)
		if !ok {
			n, isInt := asInt64(v)
			if !isInt {
				return nil, fmt.Errorf("%T value for a %s column", v, t)
			}
			d = parquetrows.Decimal{Unscaled: big.NewInt(n), Precision: int32(t.Precision)}
		}
		u, err := rescale(d, t.Scale)
		if err != nil {
			return nil, err
		}
		return parquetrows.Decimal{Unscaled: u, Scale: int32(t.Scale), Precision: int32(t.Precision)}, nil
	case *ArrayType:
		l, ok := v.(parquetrows.List)
		if !ok {
			return nil, fmt.Errorf("%T value for an array column", v)
		}
		out := make(parquetrows.List, len(l))
		for i, e := range l {
			c, err := Coerce(e, t.ElementType)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = c
		}
		return out, nil
	case *MapType:
		m, ok := v.(parquetrows.Map)
		if !ok {
			return nil, fmt.Errorf("%T value for a map column", v)
		}
		out := make(parquetrows.Map, len(m))
		for i, e := range m {
			k, err := Coerce(e.Key, t.KeyType)
			if err != nil {
				return nil, fmt.Errorf("map key: %w", err)
			}
			val, err := Coerce(e.Value, t.ValueType)
			if err != nil {
				return nil, fmt.Errorf("map value: %w", err)
			}
			out[i] = parquetrows.MapEntry{Key: k, Value: val}
		}
		return out, nil
	case *StructType:
		s, ok := v.(parquetrows.Struct)
		if !ok {
			return nil, fmt.Errorf("%T value for a struct column", v)
		}
		out := make(parquetrows.Struct, len(t.Fields))
		for i, f := range t.Fields {
			out[i].Name = f.Name
			if fv, ok := s.Get(f.Name); ok {
				c, err := Coerce(fv, f.Type)
				if err != nil {
					return nil, fmt.Errorf("field %s: %w", f.Name, err)
				}
				out[i].Value = c
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown column type %s", t)
}

func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

func coercePrimitive(v any, name string) (any, error) {
	bad := func() (any, error) { return nil, fmt.Errorf("%T value for a %s column", v, name) }
	switch name {
	case TypeLong, TypeInteger, TypeShort, TypeByte:
		n, ok := asInt64(v)
		if !ok {
			return bad()
		}
		switch name {
		case TypeLong:
			return n, nil
		case TypeInteger:
			if n < math.MinInt32 || n > math.MaxInt32 {
				return nil, fmt.Errorf("%d out of range for integer", n)
			}
			return int32(n), nil
		case TypeShort:
			if n < math.MinInt16 || n > math.MaxInt16 {
				return nil, fmt.Errorf("%d out of range for short", n)
			}
			return int16(n), nil
		default:
			if n < math.MinInt8 || n > math.MaxInt8 {
				return nil, fmt.Errorf("%d out of range for byte", n)
			}
			return int8(n), nil
		}
	case TypeFloat:
		switch x := v.(type) {
		case float32:
			return x, nil
		case float64:
			return float32(x), nil
		}
	case TypeDouble:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case TypeString:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case TypeBinary:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case TypeDate:
		switch x := v.(type) {
		case parquetrows.Date:
			return x, nil
		case int32:
			return parquetrows.Date(x), nil
		}
	case TypeTimestamp:
		if t, ok := v.(time.Time); ok {
			return t.UTC(), nil
		}
	case TypeTimestampNtz:
		switch x := v.(type) {
		case time.Time:
			return parquetrows.LocalTimestampOf(x), nil
		case parquetrows.LocalTimestamp:
			return x, nil
		}
	}
	return bad()
}

// ParsePartitionValue converts a partition value string to the column type;
// nil and "" are null.
func ParsePartitionValue(p *string, t DataType) (any, error) {
	if p == nil || *p == "" {
		return nil, nil
	}
	s := *p
	switch t := t.(type) {
	case *DecimalType:
		return ParseDecimal(s, t.Scale, t.Precision)
	case *PrimitiveType:
		switch t.Name {
		case TypeString:
			return s, nil
		case TypeBinary:
			return []byte(s), nil
		case TypeLong, TypeInteger, TypeShort, TypeByte:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("partition value %q is not a %s", s, t.Name)
			}
			return coercePrimitive(n, t.Name)
		case TypeFloat, TypeDouble:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("partition value %q is not a %s", s, t.Name)
			}
			return coercePrimitive(f, t.Name)
		case TypeBoolean:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, fmt.Errorf("partition value %q is not a boolean", s)
			}
			return b, nil
		case TypeDate:
			d, err := time.Parse("2006-01-02", s)
			if err != nil {
				return nil, fmt.Errorf("partition value %q is not a date", s)
			}
			return parquetrows.Date(d.Unix() / 86400), nil
		case TypeTimestamp:
			return parsePartitionTimestamp(s)
		case TypeTimestampNtz:
			for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
				if t, err := time.Parse(layout, s); err == nil {
					return parquetrows.LocalTimestampOf(t), nil
				}
			}
			return nil, fmt.Errorf("partition value %q is not a timestamp without time zone", s)
		}
	}
	return nil, fmt.Errorf("partition values of type %s are not supported", t)
}

func parsePartitionTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("partition value %q is not a timestamp", s)
}

// ParseDecimal parses decimal text (plain or with an exponent) at a scale,
// refusing values that would lose digits or exceed the precision.
func ParseDecimal(s string, scale, precision int) (parquetrows.Decimal, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return parquetrows.Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() {
		return parquetrows.Decimal{}, fmt.Errorf("%q has more than %d decimal places", s, scale)
	}
	u := new(big.Int).Set(r.Num())
	if len(new(big.Int).Abs(u).String()) > precision {
		return parquetrows.Decimal{}, fmt.Errorf("%q does not fit decimal(%d,%d)", s, precision, scale)
	}
	return parquetrows.Decimal{Unscaled: u, Scale: int32(scale), Precision: int32(precision)}, nil
}
