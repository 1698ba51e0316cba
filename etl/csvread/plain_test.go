package csvread

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPlainRecords checks the Plain flag: set only on well-formed records
// without quotes whose fields joined by commas give back Raw exactly (the
// pipeline passes their field lengths instead of splitting them again).
func TestPlainRecords(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	pieces := []string{"a", "12", "", " x ", `"q,1"`, `"a""b"`, "\r", "é", `"multi` + "\n" + `line"`, "bad\"quote"}
	plain := 0
	for trial := 0; trial < 2000; trial++ {
		var sb strings.Builder
		for l := 0; l < 1+r.IntN(5); l++ {
			for f := 0; f < 1+r.IntN(6); f++ {
				if f > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(pieces[r.IntN(len(pieces))])
			}
			if r.IntN(3) == 0 {
				sb.WriteString("\r\n")
			} else {
				sb.WriteString("\n")
			}
		}
		rd := NewReader(strings.NewReader(sb.String()), Options{MaxFieldBytes: 8 + r.IntN(64)})
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !rec.Plain {
				continue
			}
			plain++
			if rec.Err != nil || rec.Truncated || bytes.IndexByte(rec.Raw, '"') >= 0 || !bytes.Equal(bytes.Join(rec.Fields, []byte(",")), rec.Raw) {
				t.Fatalf("input %q: record %q marked plain with fields %q, err %v", sb.String(), rec.Raw, rec.Fields, rec.Err)
			}
			if _, ascii := SplitPlain(rec.Raw, nil); ascii != (bytes.IndexFunc(rec.Raw, func(r rune) bool { return r >= 0x80 || r == utf8.RuneError }) < 0) {
				t.Fatalf("record %q: SplitPlain says ASCII %v", rec.Raw, ascii)
			}
			var c Record
			rec.CopyTo(&c)
			if !c.Plain {
				t.Fatal("CopyTo drops Plain")
			}
		}
	}
	if plain == 0 {
		t.Fatal("no plain record seen")
	}
}
