package delta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// Stats are the per-file statistics of an add action. Values keep their JSON
// form (json.Number for numbers) so decimals lose no precision.
type Stats struct {
	NumRecords int64          `json:"numRecords"`
	MinValues  map[string]any `json:"minValues,omitempty"`
	MaxValues  map[string]any `json:"maxValues,omitempty"`
	NullCount  map[string]any `json:"nullCount,omitempty"`
}

// ParseStats parses the stats JSON of an add action.
func ParseStats(s string) (*Stats, error) {
	var st Stats
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	return &st, nil
}

// statStringLimit is the longest string kept in min/max stats. A longer
// minimum is cut to a prefix (still a lower bound); a longer maximum is left out.
const statStringLimit = 32

// columnStats accumulates min, max and null count for one column.
type columnStats struct {
	name      string
	typ       DataType
	min, max  any
	nulls     int64
	unordered bool // a NaN or an unsupported type: no min/max
}

func (c *columnStats) observe(v any) {
	if v == nil {
		c.nulls++
		return
	}
	if c.unordered {
		return
	}
	if f, ok := v.(float64); ok && math.IsNaN(f) {
		c.unordered = true
		return
	}
	if f, ok := v.(float32); ok && math.IsNaN(float64(f)) {
		c.unordered = true
		return
	}
	if c.min == nil || compareValues(v, c.min) < 0 {
		c.min = v
	}
	if c.max == nil || compareValues(v, c.max) > 0 {
		c.max = v
	}
}

// compareValues orders two non-null values of the same column type.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmp3(x, b.(int64))
	case int32:
		return cmp3(x, b.(int32))
	case int16:
		return cmp3(x, b.(int16))
	case int8:
		return cmp3(x, b.(int8))
	case float64:
		return cmp3(x, b.(float64))
	case float32:
		return cmp3(x, b.(float32))
	case string:
		return cmp3(x, b.(string))
	case parquetrows.Date:
		return cmp3(x, b.(parquetrows.Date))
	case time.Time:
		return x.Compare(b.(time.Time))
	case parquetrows.Decimal:
		return x.Rat().Cmp(b.(parquetrows.Decimal).Rat())
	case bool:
		return cmp3(boolInt(x), boolInt(b.(bool)))
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmp3[T int64 | int32 | int16 | int8 | int | float64 | float32 | string | parquetrows.Date](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// statValue renders a min (isMax false) or max value for stats JSON; ok is
// false when the value cannot be a safe bound.
func statValue(v any, isMax bool) (any, bool) {
	switch x := v.(type) {
	case int64, int32, int16, int8:
		return x, true
	case float64:
		return x, !math.IsInf(x, 0)
	case float32:
		return x, !math.IsInf(float64(x), 0)
	case string:
		if utf8.RuneCountInString(x) <= statStringLimit {
			return x, true
		}
		if isMax {
			return nil, false
		}
		r := []rune(x)
		return string(r[:statStringLimit]), true
	case parquetrows.Date:
		return x.String(), true
	case time.Time:
		t := x.UTC().Truncate(time.Millisecond)
		if isMax && !t.Equal(x) {
			t = t.Add(time.Millisecond) // stats keep milliseconds: round the upper bound up
		}
		return t.Format("2006-01-02T15:04:05.000Z"), true
	case parquetrows.Decimal:
		return json.Number(x.String()), true
	}
	return nil, false
}

// encodeStats renders the stats JSON for a data file.
func encodeStats(numRecords int64, cols []*columnStats) (string, error) {
	st := Stats{NumRecords: numRecords, MinValues: map[string]any{}, MaxValues: map[string]any{}, NullCount: map[string]any{}}
	for _, c := range cols {
		st.NullCount[c.name] = c.nulls
		if c.unordered || c.min == nil {
			continue
		}
		if v, ok := statValue(c.min, false); ok {
			st.MinValues[c.name] = v
		}
		if v, ok := statValue(c.max, true); ok {
			st.MaxValues[c.name] = v
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encode stats: %w", err)
	}
	return string(b), nil
}
