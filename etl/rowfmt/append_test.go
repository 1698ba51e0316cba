package rowfmt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// csvReference is how encoding/csv writes one record.
func csvReference(t testing.TB, fields ...string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(fields); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return b.String()
}

// jsonReference is how encoding/json writes a string.
func jsonReference(t testing.TB, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// trickyStrings are strings that exercise every quoting and escaping rule.
var trickyStrings = []string{
	"", "plain", "a,b", `say "hi"`, "line\nbreak", "cr\rhere", " leading space", "\tleading tab",
	"\u00a0nbsp first", "\u0085nel first", "\u2003em space first", `\.`, `\.x`, ".\\", "trailing space ",
	"<script>&amp;</script>", "\u2028\u2029", "ctl\x00\x01\x1f\x7f", "\b\f", "back\\slash", "é日本語🙂",
	"bad\xffutf8", "\xc3", "\xe2\x80", "\x85", "=SUM(A1)", "\"", ",", "\n",
}

func randomString(r *rand.Rand) string {
	const alphabet = "ab ,\"\r\n\t\\<>&.\x00\x1f\x7f"
	var b strings.Builder
	for range r.IntN(12) {
		switch r.IntN(6) {
		case 0:
			b.WriteRune(rune(r.IntN(0x3000)))
		case 1:
			b.WriteByte(byte(r.IntN(256)))
		default:
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
	}
	return b.String()
}

func TestAppendCSVFieldMatchesEncodingCSV(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(s string) {
		t.Helper()
		// One field alone, and between two others.
		want := csvReference(t, s)
		if got := string(AppendCSVField(nil, s)) + "\n"; got != want {
			t.Fatalf("%q: got %q, encoding/csv %q", s, got, want)
		}
		want = csvReference(t, "x", s, "y")
		if got := "x," + string(AppendCSVField(nil, []byte(s))) + ",y\n"; got != want {
			t.Fatalf("%q as bytes: got %q, encoding/csv %q", s, got, want)
		}
	}
	for _, s := range trickyStrings {
		check(s)
	}
	for range 20000 {
		check(randomString(r))
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(s string) {
		t.Helper()
		want := jsonReference(t, s)
		if got := string(AppendJSONString(nil, s)); got != want {
			t.Fatalf("%q: got %s, encoding/json %s", s, got, want)
		}
		if got := string(AppendJSONString(nil, []byte(s))); got != want {
			t.Fatalf("%q as bytes: got %s, encoding/json %s", s, got, want)
		}
	}
	for _, s := range trickyStrings {
		check(s)
	}
	for c := range rune(0x3000) {
		check(string(c) + "x" + string(c))
	}
	for range 20000 {
		check(randomString(r))
	}
}

func FuzzAppendStrings(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendCSVField(nil, s))+"\n", csvReference(t, s); got != want {
			t.Fatalf("csv %q: got %q, want %q", s, got, want)
		}
		if got, want := string(AppendJSONString(nil, s)), jsonReference(t, s); got != want {
			t.Fatalf("json %q: got %s, want %s", s, got, want)
		}
	})
}

// TestAppendTimeMatchesFormat checks dates and timestamps, with and without
// zone, against time.Format over the whole range the fast path covers, its
// edges, and beyond it.
func TestAppendTimeMatchesFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const usPerDay = 86_400_000_000
	micros := []int64{0, 1, -1, 999_999, -999_999, 1_000_000, usPerDay - 1, -usPerDay, 951_782_400_000_000, /* 2000-02-29 */
		minFastDay * usPerDay, minFastDay*usPerDay - 1, (maxFastDay+1)*usPerDay - 1, (maxFastDay + 1) * usPerDay,
		math.MaxInt64, math.MinInt64, 1_700_000_000_123_400, -62_135_596_800_000_000}
	for range 200000 {
		switch r.IntN(3) {
		case 0:
			micros = append(micros, r.Int64N(400*365*usPerDay)-200*365*usPerDay)
		case 1:
			micros = append(micros, r.Int64N((maxFastDay-minFastDay)*usPerDay)+minFastDay*usPerDay)
		default:
			micros = append(micros, int64(r.Uint64()))
		}
	}
	for _, us := range micros {
		tm := time.UnixMicro(us).UTC()
		if got, want := string(AppendTimestamp(nil, us, true)), tm.Format(TimestampLayout); got != want {
			t.Fatalf("%d µs: got %s, want %s", us, got, want)
		}
		if got, want := string(AppendTimestamp(nil, us, false)), tm.Format(parquetrows.LocalTimestampLayout); got != want {
			t.Fatalf("%d µs without zone: got %s, want %s", us, got, want)
		}
		if got, want := Text(tm), tm.Format(TimestampLayout); got != want {
			t.Fatalf("Text(%v) = %s, want %s", tm, got, want)
		}
		if got, want := Text(parquetrows.LocalTimestampOf(tm)), tm.Format(parquetrows.LocalTimestampLayout); got != want {
			t.Fatalf("Text(local %v) = %s, want %s", tm, got, want)
		}
	}
	// Nanosecond instants are truncated toward the past, as Format does.
	for range 10000 {
		tm := time.Unix(0, int64(r.Uint64())).UTC()
		us, ok := TimeMicros(tm)
		if !ok {
			t.Fatalf("%v does not fit", tm)
		}
		if got, want := string(AppendTimestamp(nil, us, true)), tm.Format(TimestampLayout); got != want {
			t.Fatalf("%v: got %s, want %s", tm, got, want)
		}
	}
	far := time.Date(200000, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := Text(far), far.Format(TimestampLayout); got != want {
		t.Fatalf("year 200000: got %s, want %s", got, want)
	}
	days := []int64{0, -1, 1, minFastDay, minFastDay - 1, maxFastDay, maxFastDay + 1, -2_000_000_000, 2_000_000_000, 11016, -719162}
	for range 200000 {
		days = append(days, r.Int64N(maxFastDay-minFastDay+4000)+minFastDay-2000)
	}
	for _, d := range days {
		want := time.Unix(d*86400, 0).UTC().Format(time.DateOnly)
		if got := string(AppendDate(nil, d)); got != want {
			t.Fatalf("day %d: got %s, want %s", d, got, want)
		}
		if d >= math.MinInt32 && d <= math.MaxInt32 {
			if got := Text(parquetrows.Date(d)); got != want {
				t.Fatalf("Text(Date(%d)) = %s, want %s", d, got, want)
			}
		}
	}
}

func TestAppendDecimalMatchesDecimalString(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	values := []int64{0, 1, -1, 9, 10, -10, 123456789, math.MaxInt64, math.MinInt64, -5}
	for range 20000 {
		values = append(values, int64(r.Uint64())>>r.IntN(64))
	}
	for _, u := range values {
		for _, scale := range []int32{0, 1, 2, 5, 9, 18, 19, 20, 25, 38, -1, -3} {
			d := parquetrows.Decimal{Unscaled: big.NewInt(u), Scale: scale, Precision: 38}
			if got, want := string(AppendDecimal(nil, u, scale)), d.String(); got != want {
				t.Fatalf("%d scale %d: got %s, want %s", u, scale, got, want)
			}
			if got, want := Text(d), d.String(); got != want {
				t.Fatalf("Text(%d scale %d) = %s, want %s", u, scale, got, want)
			}
		}
	}
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890123456", 10)
	d := parquetrows.Decimal{Unscaled: huge, Scale: 10, Precision: 38}
	if got := Text(d); got != "-12345678901234567890123456.7890123456" {
		t.Fatalf("big decimal: %s", got)
	}
}

func TestAppendFloat(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -2.25e-300, 1e21, 1e20, 123456789012, math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64} {
		want := "NaN"
		switch {
		case math.IsInf(f, 1):
			want = "Infinity"
		case math.IsInf(f, -1):
			want = "-Infinity"
		case !math.IsNaN(f):
			want = strconv.FormatFloat(f, 'g', -1, 64) // shortest form, exponent from 1e21 and below 1e-4
		}
		if got := Text(f); got != want {
			t.Errorf("Text(%v) = %s, want %s", f, got, want)
		}
		j, _ := AppendJSON(nil, f)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if string(j) != `"`+want+`"` {
				t.Errorf("JSON(%v) = %s", f, j)
			}
		} else if !json.Valid(j) {
			t.Errorf("JSON(%v) = %s is not JSON", f, j)
		}
	}
	if got := Text(float32(0.1)); got != "0.1" {
		t.Errorf("float32 0.1 = %s", got)
	}
}

func TestJSONLAndCSVWriters(t *testing.T) {
	var b bytes.Buffer
	w, err := NewCSV(&b, []string{"a", "b,c", " d"})
	if err != nil {
		t.Fatal(err)
	}
	row := []any{"x\"y", nil, parquetrows.List{int32(1), "é\n"}}
	if err := w.Write(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := csvReference(t, "a", "b,c", " d") + csvReference(t, "x\"y", "", `[1,"é\n"]`)
	if b.String() != want {
		t.Fatalf("csv: %q, want %q", b.String(), want)
	}
	b.Reset()
	j := NewJSONL(&b, []string{"a<", "m", "s"})
	m := parquetrows.Map{{Key: "k&", Value: float32(math.Inf(1))}}
	s := parquetrows.Struct{{Name: "t", Value: time.Date(2024, 2, 29, 1, 2, 3, 4000, time.UTC)}, {Name: "bin", Value: []byte{0xff}}}
	if err := j.Write([]any{"\u2028", m, s}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if got != `{"a\u003c":"\u2028","m":{"k\u0026":"Infinity"},"s":{"t":"2024-02-29T01:02:03.000004Z","bin":"/w=="}}`+"\n" {
		t.Fatalf("jsonl: %s", got)
	}
	if !utf8.ValidString(got) || !json.Valid([]byte(strings.TrimSpace(got))) {
		t.Fatalf("not valid JSON: %s", got)
	}
}
