package textfmt

import (
	"testing"
	"time"
)

func TestUnits(t *testing.T) {
	for got, want := range map[string]string{
		Bytes(812): "812 B", Bytes(1536): "1.5 KiB", Bytes(3 << 20): "3.0 MiB", Bytes(5 << 40): "5.0 TiB",
		Duration(2400 * time.Microsecond): "2.4ms", Duration(850 * time.Millisecond): "850ms",
		Duration(1500 * time.Millisecond): "1.5s", Duration(245 * time.Second): "4m05s",
		Duration(2*time.Hour + 3*time.Minute): "2h03m", Duration(-1): "-",
		Count(1234567): "1,234,567", Count(-1000): "-1,000", Count(12): "12",
		Rows(1): "1 row", Rows(1234): "1,234 rows", Counted(1, "item", "items"): "1 item", Counted(0, "item", "items"): "0 items",
		Rate(12345): "12.3k/s", Rate(2.5e6): "2.5M/s", Rate(12): "12/s", Rate(0): "",
		Time(time.Time{}): "", Clock(time.Time{}): "",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	if Time(at) != "2026-01-02 03:04:05" || Clock(at) != "03:04:05" {
		t.Fatalf("Time %q Clock %q", Time(at), Clock(at))
	}
}
