package athena

import (
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone database, whatever the machine has

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestConvertByColumnType(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatalf("time zone database: %v", err)
	}
	cases := []struct {
		typ, in string
		want    any
	}{
		{"bigint", "-9223372036854775808", int64(math.MinInt64)},
		{"integer", "42", int64(42)},
		{"smallint", "-7", int64(-7)},
		{"tinyint", "1", int64(1)},
		{"bigint", "not a number", "not a number"}, // kept as Athena sent it
		{"double", "1.5E10", 1.5e10},
		{"real", "0.5", 0.5},
		{"float", "Infinity", math.Inf(1)},
		{"boolean", "false", false},
		{"decimal(12,2)", "113.50", "113.50"},
		{"date", "2026-11-20", "2026-11-20"},
		{"varchar(10)", "x", "x"},
		{"char(3)", "abc", "abc"},
		{"array", "[1, 2]", "[1, 2]"},
		{"map", "{a=1}", "{a=1}"},
		{"row", "{x=1, y=2}", "{x=1, y=2}"},
		{"json", `{"a":1}`, `{"a":1}`},
		{"time", "08:15:42.000", "08:15:42.000"},
		{"timestamp", "2026-11-20 08:15:42", time.Date(2026, 11, 20, 8, 15, 42, 0, time.UTC)},
		{"timestamp(6)", "2026-11-20 08:15:42.123456", time.Date(2026, 11, 20, 8, 15, 42, 123456000, time.UTC)},
		{"timestamp with time zone", "2026-11-20 08:15:42.000 UTC", time.Date(2026, 11, 20, 8, 15, 42, 0, time.UTC)},
		{"timestamp(3) with time zone", "2026-11-20 08:15:42.000 Europe/Berlin", time.Date(2026, 11, 20, 8, 15, 42, 0, berlin)},
		{"timestamp with time zone", "2026-11-20 08:15:42.000 -05:30", time.Date(2026, 11, 20, 13, 45, 42, 0, time.UTC)},
		{"timestamp with time zone", "2026-11-20 08:15:42.000 Mars/Olympus", "2026-11-20 08:15:42.000 Mars/Olympus"},
		{"varbinary", "68 65 6c 6c 6f", []byte("hello")},
	}
	for _, c := range cases {
		got := converterFor(c.typ)(c.in)
		if !sameValue(got, c.want) {
			if b, ok := got.([]byte); !ok || string(b) != string(c.want.([]byte)) {
				t.Errorf("%s %q = %#v (%T), want %#v (%T)", c.typ, c.in, got, got, c.want, c.want)
			}
		}
	}
}

func TestEstimateCost(t *testing.T) {
	cases := []struct {
		bytes int64
		want  float64 // at $5/TB
	}{
		{0, 10e6 / 1e12 * 5},               // 10 MB minimum
		{1, 10e6 / 1e12 * 5},               // still the minimum
		{10_000_001, 11e6 / 1e12 * 5},      // rounded up to the next MB
		{123_456_789, 124e6 / 1e12 * 5},    // rounded up
		{1_000_000_000_000, 5},             // one TB
		{-1, 10e6 / 1e12 * 5},              // nonsense stays at the minimum
		{2_500_000_000_000, 2.5 * 5},       // 2.5 TB
		{999_999_999_999, 1e12 / 1e12 * 5}, // rounds up to a whole MB
	}
	for _, c := range cases {
		if got := EstimateCost(c.bytes, 5); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("EstimateCost(%d) = %v, want %v", c.bytes, got, c.want)
		}
	}
}

func TestPriceForRegion(t *testing.T) {
	if p, ok := PriceForRegion("eu-west-1"); !ok || p != 5 {
		t.Errorf("eu-west-1 = %v, %v", p, ok)
	}
	if p, ok := PriceForRegion("xx-nowhere-1"); ok || p != DefaultPricePerTB {
		t.Errorf("unknown region = %v, %v", p, ok)
	}
	if e := New(aws.Config{Region: "eu-west-1"}, Options{PricePerTB: 7.25}); e.PricePerTB() != 7.25 {
		t.Errorf("override ignored: %v", e.PricePerTB())
	}
	if e := New(aws.Config{Region: "us-east-1"}, Options{}); e.PricePerTB() != 5 {
		t.Errorf("region default: %v", e.PricePerTB())
	}
}

func TestQueryErrorMessage(t *testing.T) {
	e := &QueryError{QueryID: "q1", State: "CANCELLED", Reason: "Query cancelled by user"}
	if got, want := e.Error(), "athena: query q1 CANCELLED: Query cancelled by user"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &QueryError{QueryID: "q2", State: "FAILED", Reason: "r", Message: "m", Category: 1, Type: 401, Retryable: true}
	msg := e.Error()
	for _, s := range []string{"q2 FAILED: r", "error category 1 (system)", "error type 401", ": m", "[retryable]"} {
		if !strings.Contains(msg, s) {
			t.Errorf("%q lacks %q", msg, s)
		}
	}
}
