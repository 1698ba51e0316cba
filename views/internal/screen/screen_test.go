package screen

import (
	"strings"
	"testing"
	"time"
)

func TestCompose(t *testing.T) {
	body := func(h int) string { return strings.Repeat("b\n", h+3) }
	for h := 0; h < 8; h++ {
		out := Compose(5, h, []string{"top1", "top2"}, body, []string{"bottom-long"})
		n := 0
		if h > 0 {
			n = len(strings.Split(out, "\n"))
		}
		if n != h {
			t.Fatalf("h=%d: %d lines: %q", h, n, out)
		}
		if h >= 3 && !strings.HasSuffix(out, "bott…") {
			t.Fatalf("h=%d bottom line: %q", h, out)
		}
	}
}

func TestFormats(t *testing.T) {
	if Bytes(812) != "812 B" || Bytes(1536) != "1.5 KB" || Bytes(3<<20) != "3.0 MB" {
		t.Fatal(Bytes(1536), Bytes(3<<20))
	}
	if Duration(1500*time.Millisecond) != "1.5s" || Duration(245*time.Second) != "4m05s" {
		t.Fatal(Duration(245 * time.Second))
	}
	if Count(1234567) != "1,234,567" || Count(-1000) != "-1,000" || Count(12) != "12" {
		t.Fatal(Count(1234567))
	}
	if Rate(12345) != "12.3k/s" || Rate(0) != "" {
		t.Fatal(Rate(12345))
	}
}
