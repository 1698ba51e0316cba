package parquetrows

import (
	"math/big"
	"strings"
	"time"
)

// Decimal is a fixed-point decimal number: Unscaled × 10^-Scale.
type Decimal struct {
	Unscaled  *big.Int
	Scale     int32
	Precision int32
}

// String renders the decimal as plain text with exactly Scale fractional
// digits ("-999.99", "0.0000000000"), never in exponent notation.
func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "<nil>"
	}
	digits := new(big.Int).Abs(d.Unscaled).String()
	var b strings.Builder
	if d.Unscaled.Sign() < 0 {
		b.WriteByte('-')
	}
	switch {
	case d.Scale <= 0:
		b.WriteString(digits)
		if digits != "0" {
			b.WriteString(strings.Repeat("0", int(-d.Scale)))
		}
	default:
		scale := int(d.Scale)
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		b.WriteString(digits[:len(digits)-scale])
		b.WriteByte('.')
		b.WriteString(digits[len(digits)-scale:])
	}
	return b.String()
}

// Rat returns the exact value of the decimal as a rational number.
func (d Decimal) Rat() *big.Rat {
	r := new(big.Rat)
	if d.Unscaled == nil {
		return r
	}
	r.SetInt(d.Unscaled)
	if d.Scale == 0 {
		return r
	}
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs32(d.Scale))), nil)
	if d.Scale > 0 {
		return r.Quo(r, new(big.Rat).SetInt(pow))
	}
	return r.Mul(r, new(big.Rat).SetInt(pow))
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// Date is a calendar date, counted in days since 1970-01-01.
type Date int32

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}

// String renders the date as YYYY-MM-DD.
func (d Date) String() string {
	return d.Time().Format(time.DateOnly)
}

// LocalTimestamp is a date-time without a time zone, such as a Delta
// timestamp_ntz value: the wall-clock reading, held as if it were UTC. This
// package decodes TIMESTAMP columns to time.Time whatever their
// isAdjustedToUTC flag (see [Type.AdjustedToUTC]); readers that know a
// column holds local date-times convert with LocalTimestampOf.
type LocalTimestamp time.Time

// LocalTimestampOf takes the UTC reading of t as a local date-time.
func LocalTimestampOf(t time.Time) LocalTimestamp { return LocalTimestamp(t.UTC()) }

// LocalTimestampLayout renders local date-times: up to microseconds, no zone.
const LocalTimestampLayout = "2006-01-02T15:04:05.999999"

// Time returns the wall-clock reading as a UTC time.Time.
func (t LocalTimestamp) Time() time.Time { return time.Time(t) }

// String renders the date-time without a zone, e.g. 2021-11-18T02:30:00.123.
func (t LocalTimestamp) String() string { return time.Time(t).Format(LocalTimestampLayout) }

// List is the value of a LIST column, a legacy two-level list, or a bare
// repeated field. Elements keep file order; a null element is nil.
type List []any

// MapEntry is one key/value pair of a [Map].
type MapEntry struct {
	Key   any
	Value any
}

// Map is the value of a MAP column, entries in file order.
type Map []MapEntry

// Field is one named field of a [Struct].
type Field struct {
	Name  string
	Value any
}

// Struct is the value of a group column that is neither a list nor a map,
// fields in file order.
type Struct []Field

// Get returns the value of the first field with the given name.
func (s Struct) Get(name string) (any, bool) {
	for _, f := range s {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}
