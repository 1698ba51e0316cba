package pipeline

import (
	"math/big"
	"time"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// fromAny converts values read from a silver table back to typed values.
func fromAny(ds *dataset.Dataset, row []any) []dataset.Value {
	out := make([]dataset.Value, len(row))
	for i, x := range row {
		v := &out[i]
		switch t := x.(type) {
		case nil:
			v.Null = true
		case int64:
			v.I = t
		case int32:
			v.I = int64(t)
		case string:
			v.S = t
		case time.Time:
			v.I = t.UnixMicro()
		case parquetrows.Decimal:
			u := new(big.Int).Set(t.Unscaled)
			for s := t.Scale; s < 2; s++ {
				u.Mul(u, big.NewInt(10))
			}
			for s := t.Scale; s > 2; s-- {
				u.Quo(u, big.NewInt(10))
			}
			v.I = u.Int64()
		case parquetrows.Date:
			v.I = int64(t)
		case bool:
			if t {
				v.I = 1
			}
		}
	}
	return out
}

// partitionValue renders a row's partition value as the Delta partition string.
func partitionValue(ds *dataset.Dataset, vals []dataset.Value) map[string]*string {
	if ds.Partition < 0 {
		return nil
	}
	v := vals[ds.Partition]
	if v.Null {
		return map[string]*string{ds.Columns[ds.Partition].Name: nil}
	}
	s := parquetrows.Date(v.I).String()
	return map[string]*string{ds.Columns[ds.Partition].Name: &s}
}
