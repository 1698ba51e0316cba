package rowfmt

import (
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// The append functions render one cell into a byte slice without building
// strings: the same text as Text and the writers give, for callers that
// format many values (see etl/tabledump).

// AppendCSVField appends s as one CSV field, quoted exactly as encoding/csv
// quotes it: when it holds a comma, a double quote, CR or LF, begins with a
// white-space character, or is `\.`; double quotes inside are doubled.
func AppendCSVField[S ~string | ~[]byte](dst []byte, s S) []byte {
	if !csvNeedsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, s[start:i+1]...)
			dst = append(dst, '"')
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func csvNeedsQuotes[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	if len(s) == 2 && s[0] == '\\' && s[1] == '.' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\r', '"', ',':
			return true
		}
	}
	if s[0] < utf8.RuneSelf {
		return s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')
	}
	r, _ := utf8.DecodeRuneInString(string(s[:min(len(s), utf8.UTFMax)]))
	return unicode.IsSpace(r)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string exactly as encoding/json
// renders it: ", \ and control characters escaped (\b \f \n \r \t, others
// \u00XX), <, > and & as \u003c \u003e \u0026, U+2028 and U+2029 escaped,
// and each byte of invalid UTF-8 as \ufffd.
func AppendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendFloat appends a float as Text renders it: the shortest 'g' form,
// NaN, Infinity or -Infinity. bits is 32 for a float, 64 for a double.
func AppendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, bits)
}

// AppendJSONFloat appends a float as a JSON value: a number, or the quoted
// strings "NaN", "Infinity", "-Infinity".
func AppendJSONFloat(dst []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		return append(AppendFloat(dst, f, bits), '"')
	}
	return strconv.AppendFloat(dst, f, 'g', -1, bits)
}

// AppendDecimal appends the decimal unscaled × 10^-scale as Text renders a
// parquetrows.Decimal: plain digits, exactly scale fractional digits.
func AppendDecimal(dst []byte, unscaled int64, scale int32) []byte {
	u := uint64(unscaled)
	if unscaled < 0 {
		dst = append(dst, '-')
		u = -u
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	if scale <= 0 {
		dst = append(dst, digits...)
		if u != 0 {
			for range -scale {
				dst = append(dst, '0')
			}
		}
		return dst
	}
	s := int(scale)
	if len(digits) <= s {
		dst = append(dst, '0', '.')
		dst = append(dst, zeros(s-len(digits))...)
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-s]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-s:]...)
}

func zeros(n int) []byte {
	const z = "00000000000000000000000000000000000000"
	if n <= len(z) {
		return []byte(z[:n])
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = '0'
	}
	return out
}

// daysFromCivil limits: the dates AppendDate and AppendTimestamp render
// themselves (years 0000–9999); others go through time.Format.
const (
	minFastDay = -719528 // 0000-01-01
	maxFastDay = 2932896 // 9999-12-31
)

// AppendDate appends the date days after 1970-01-01 as YYYY-MM-DD, as
// parquetrows.Date.String renders it.
func AppendDate(dst []byte, days int64) []byte {
	if days < minFastDay || days > maxFastDay {
		return time.Unix(days*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
	}
	y, m, d := civil(days)
	return appendYMD(dst, y, m, d)
}

// civil converts a day count since 1970-01-01 into a proleptic Gregorian
// year, month and day (the days-to-civil algorithm over 400-year eras).
func civil(days int64) (year, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // day of era, 0..146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era, 0..399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of year from March 1st
	mp := (5*doy + 2) / 153                                // month from March, 0..11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

func appendYMD(dst []byte, y, m, d int) []byte {
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// AppendTimestamp appends the instant micros microseconds after the Unix
// epoch as Text renders timestamps — 2006-01-02T15:04:05.999999 in UTC,
// fractional digits without trailing zeros — followed by "Z" when zone is
// set (timestamps) and not when it is not (timestamps without time zone).
func AppendTimestamp(dst []byte, micros int64, zone bool) []byte {
	days := floorDiv(micros, 86_400_000_000)
	if days < minFastDay || days > maxFastDay {
		t := time.UnixMicro(micros).UTC()
		if zone {
			return t.AppendFormat(dst, TimestampLayout)
		}
		return t.AppendFormat(dst, parquetrows.LocalTimestampLayout)
	}
	rem := micros - days*86_400_000_000 // microseconds into the day
	y, m, d := civil(days)
	dst = appendYMD(dst, y, m, d)
	secs := rem / 1_000_000
	frac := rem % 1_000_000
	h, mi, s := secs/3600, secs/60%60, secs%60
	dst = append(dst, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if frac != 0 {
		var f [7]byte
		f[0] = '.'
		for i := 6; i >= 1; i-- {
			f[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := 7
		for f[n-1] == '0' {
			n--
		}
		dst = append(dst, f[:n]...)
	}
	if zone {
		dst = append(dst, 'Z')
	}
	return dst
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// TimeMicros is the microseconds since the Unix epoch of t, truncated as
// Text's layout truncates (toward the past), and whether they fit in an
// int64.
func TimeMicros(t time.Time) (int64, bool) {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	const maxSec = math.MaxInt64/1_000_000 - 1
	if sec > maxSec || sec < -maxSec {
		return 0, false
	}
	return sec*1_000_000 + nsec/1000, true
}
