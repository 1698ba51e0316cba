package parquetrows

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

// conforms checks that v is a Go value of the kind the column describes.
func conforms(v any, c Column) error {
	if v == nil {
		if !c.Nullable && c.Type.Kind != KindNull {
			return fmt.Errorf("%s: null in a required column", c.Name)
		}
		return nil
	}
	ok := false
	switch c.Type.Kind {
	case KindBool:
		_, ok = v.(bool)
	case KindInt32:
		_, ok = v.(int32)
	case KindInt64:
		_, ok = v.(int64)
	case KindUint64:
		_, ok = v.(uint64)
	case KindFloat32:
		_, ok = v.(float32)
	case KindFloat64:
		_, ok = v.(float64)
	case KindString:
		_, ok = v.(string)
	case KindBinary:
		_, ok = v.([]byte)
	case KindDecimal:
		var d Decimal
		if d, ok = v.(Decimal); ok && (d.Scale != c.Type.Scale || d.Precision != c.Type.Precision || d.Unscaled == nil) {
			return fmt.Errorf("%s: decimal %v does not match %s", c.Name, d, c.Type)
		}
	case KindDate:
		_, ok = v.(Date)
	case KindTimestamp:
		var ts time.Time
		if ts, ok = v.(time.Time); ok && ts.Location() != time.UTC {
			return fmt.Errorf("%s: timestamp %v not in UTC", c.Name, ts)
		}
	case KindTime:
		_, ok = v.(time.Duration)
	case KindList:
		var l List
		if l, ok = v.(List); ok {
			for _, e := range l {
				if err := conforms(e, *c.Type.Elem); err != nil {
					return fmt.Errorf("%s: %w", c.Name, err)
				}
			}
		}
	case KindMap:
		var m Map
		if m, ok = v.(Map); ok {
			for _, e := range m {
				if err := conforms(e.Key, *c.Type.Key); err != nil {
					return fmt.Errorf("%s: %w", c.Name, err)
				}
				if c.Type.Value == nil {
					if e.Value != nil {
						return fmt.Errorf("%s: value in a map without values", c.Name)
					}
				} else if err := conforms(e.Value, *c.Type.Value); err != nil {
					return fmt.Errorf("%s: %w", c.Name, err)
				}
			}
		}
	case KindStruct:
		var s Struct
		if s, ok = v.(Struct); ok {
			if len(s) != len(c.Type.Fields) {
				return fmt.Errorf("%s: %d fields, want %d", c.Name, len(s), len(c.Type.Fields))
			}
			for i, f := range s {
				if f.Name != c.Type.Fields[i].Name {
					return fmt.Errorf("%s: field %d is %q, want %q", c.Name, i, f.Name, c.Type.Fields[i].Name)
				}
				if err := conforms(f.Value, c.Type.Fields[i]); err != nil {
					return fmt.Errorf("%s: %w", c.Name, err)
				}
			}
		}
	}
	if !ok {
		return fmt.Errorf("%s: %T value in a %s column", c.Name, v, c.Type)
	}
	return nil
}

func TestDecimalString(t *testing.T) {
	for _, tc := range []struct {
		unscaled string
		scale    int32
		want     string
	}{
		{"-99999", 2, "-999.99"},
		{"0", 10, "0.0000000000"},
		{"0", 0, "0"},
		{"5", 3, "0.005"},
		{"-5", 3, "-0.005"},
		{"123", 3, "0.123"},
		{"1234", 3, "1.234"},
		{"12345678901234567890123456789012345678", 38, "0.12345678901234567890123456789012345678"},
		{"-12345678901234567890123456789012345678", 0, "-12345678901234567890123456789012345678"},
		{"12", -2, "1200"},
		{"0", -2, "0"},
	} {
		u, _ := new(big.Int).SetString(tc.unscaled, 10)
		d := Decimal{Unscaled: u, Scale: tc.scale, Precision: 38}
		if got := d.String(); got != tc.want {
			t.Errorf("Decimal(%s, scale %d) = %q, want %q", tc.unscaled, tc.scale, got, tc.want)
		}
		if r, ok := new(big.Rat).SetString(tc.want); !ok || r.Cmp(d.Rat()) != 0 {
			t.Errorf("Decimal(%s, scale %d).Rat() = %v, want %s", tc.unscaled, tc.scale, d.Rat(), tc.want)
		}
	}
}

func TestTwosComplement(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want int64
	}{
		{nil, 0}, {[]byte{0}, 0}, {[]byte{0x7f}, 127}, {[]byte{0x80}, -128}, {[]byte{0xff}, -1},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xfe, 0x79, 0x60}, -100000}, {[]byte{0x00, 0x01, 0x86, 0xa0}, 100000},
	} {
		if got := twosComplement(tc.in); got.Int64() != tc.want {
			t.Errorf("twosComplement(%x) = %v, want %d", tc.in, got, tc.want)
		}
	}
}

// TestTwosComplementInt64 holds the int64 decoding to the big.Int one on
// every width up to 16 bytes, with values at and past the int64 bounds.
func TestTwosComplementInt64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fits, not := 0, 0
	for range 20000 {
		b := make([]byte, rng.IntN(17))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if len(b) > 1 && rng.IntN(2) == 0 { // sign extension only: the value fits
			ext := byte(0)
			if b[len(b)/2]&0x80 != 0 {
				ext = 0xff
			}
			for i := range len(b) / 2 {
				b[i] = ext
			}
		}
		want := twosComplement(b)
		got, ok := TwosComplementInt64(b)
		if ok != want.IsInt64() || ok && got != want.Int64() {
			t.Fatalf("TwosComplementInt64(%x) = %d, %v; want %v (fits: %v)", b, got, ok, want, want.IsInt64())
		}
		if ok {
			fits++
		} else {
			not++
		}
	}
	if fits < 1000 || not < 1000 {
		t.Fatalf("%d inputs fit, %d did not: the test misses a side", fits, not)
	}
}

func TestDate(t *testing.T) {
	for d, want := range map[Date]string{0: "1970-01-01", -1: "1969-12-31", 18628: "2021-01-01", -719162: "0001-01-01"} {
		if got := d.String(); got != want {
			t.Errorf("Date(%d) = %q, want %q", int32(d), got, want)
		}
	}
}

func TestFloat16(t *testing.T) {
	for _, tc := range []struct {
		bits uint16
		want float32
	}{{0x3c00, 1}, {0xc000, -2}, {0x3555, 0.33325195}, {0x0001, 5.9604645e-08}, {0x7bff, 65504}, {0x0000, 0}} {
		if got := float16([]byte{byte(tc.bits), byte(tc.bits >> 8)}); got != tc.want {
			t.Errorf("float16(%#04x) = %v, want %v", tc.bits, got, tc.want)
		}
	}
}
