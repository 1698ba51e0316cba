package delta

import (
	"fmt"
	"math/big"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// parquetValue converts a boxed row value (as Snapshot.Rows yields it) to
// the Parquet value of its column type, for the boxed write path.
func parquetValue(v any, t DataType) (parquet.Value, error) {
	if v == nil {
		return parquet.NullValue(), nil
	}
	switch x := v.(type) {
	case int64:
		return parquet.Int64Value(x), nil
	case int32:
		return parquet.Int32Value(x), nil
	case int16:
		return parquet.Int32Value(int32(x)), nil
	case int8:
		return parquet.Int32Value(int32(x)), nil
	case float32:
		return parquet.FloatValue(x), nil
	case float64:
		return parquet.DoubleValue(x), nil
	case bool:
		return parquet.BooleanValue(x), nil
	case string:
		return parquet.ByteArrayValue([]byte(x)), nil
	case []byte:
		return parquet.ByteArrayValue(x), nil
	case parquetrows.Date:
		return parquet.Int32Value(int32(x)), nil
	case time.Time:
		return parquet.Int64Value(x.UnixMicro()), nil
	case parquetrows.Decimal:
		dt, ok := t.(*DecimalType)
		if !ok {
			return parquet.Value{}, fmt.Errorf("decimal value for a %s column", t)
		}
		u, err := rescale(x, dt.Scale)
		if err != nil {
			return parquet.Value{}, err
		}
		if len(new(big.Int).Abs(u).String()) > dt.Precision {
			return parquet.Value{}, fmt.Errorf("%s does not fit %s", x, dt)
		}
		switch {
		case dt.Precision <= 9:
			return parquet.Int32Value(int32(u.Int64())), nil
		case dt.Precision <= 18:
			return parquet.Int64Value(u.Int64()), nil
		default:
			return parquet.FixedLenByteArrayValue(twosComplement(u, decimalBytes(dt.Precision))), nil
		}
	}
	return parquet.Value{}, fmt.Errorf("unsupported value type %T", v)
}

// rescale returns the unscaled value of d at the given scale; it fails when digits would be lost.
func rescale(d parquetrows.Decimal, scale int) (*big.Int, error) {
	u := new(big.Int).Set(d.Unscaled)
	diff := scale - int(d.Scale)
	if diff >= 0 {
		return u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(diff)), nil)), nil
	}
	q, r := new(big.Int).QuoRem(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-diff)), nil), new(big.Int))
	if r.Sign() != 0 {
		return nil, fmt.Errorf("%s has more than %d decimal places", d, scale)
	}
	return q, nil
}

func twosComplement(u *big.Int, n int) []byte {
	out := make([]byte, n)
	if u.Sign() >= 0 {
		u.FillBytes(out)
		return out
	}
	m := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(8*n)), u)
	m.FillBytes(out)
	return out
}
