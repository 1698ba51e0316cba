package csvread

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestNextLineMatchesNext reads generated inputs with NextLine (splitting
// plain lines with SplitPlain) and with Next, and compares every record:
// line, fields, error, truncation, and the offsets.
func TestNextLineMatchesNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	plain := 0
	for range 2000 {
		in := genSkimInput(rng)
		for _, opts := range skimOptions(rng) {
			a := NewReader(iotest.HalfReader(bytes.NewReader(in)), opts)
			b := NewReader(bytes.NewReader(in), opts)
			for n := 0; ; n++ {
				text, line, rec, errA := a.NextLine()
				want, errB := b.Next()
				if errors.Is(errA, io.EOF) || errors.Is(errB, io.EOF) {
					if !errors.Is(errA, io.EOF) || !errors.Is(errB, io.EOF) {
						t.Fatalf("input %q record %d: EOF mismatch: %v vs %v", in, n, errA, errB)
					}
					break
				}
				if errA != nil || errB != nil {
					t.Fatalf("input %q: errors %v vs %v", in, errA, errB)
				}
				var fields [][]byte
				var ascii bool
				if rec == nil {
					plain++
					fields, ascii = SplitPlain(text, nil)
					// Plain depends on the buffer (a line cut by a refill goes
					// the general way), so only the text is compared.
					if want.Err != nil || ascii != isASCII(want.Raw) || !bytes.Equal(text, want.Raw) {
						t.Fatalf("input %q record %d: plain line %q, Next gave %q (plain %v, err %v)", in, n, text, want.Raw, want.Plain, want.Err)
					}
				} else {
					fields = rec.Fields
					if !errors.Is(rec.Err, want.Err) && (rec.Err == nil) != (want.Err == nil) || rec.Truncated != want.Truncated {
						t.Fatalf("input %q record %d: err %v/%v truncated %v/%v", in, n, rec.Err, want.Err, rec.Truncated, want.Truncated)
					}
				}
				if line != want.Line || len(fields) != len(want.Fields) && want.Err == nil {
					t.Fatalf("input %q record %d: line %d fields %q, Next line %d fields %q", in, n, line, fields, want.Line, want.Fields)
				}
				for i := range fields {
					if want.Err == nil && !bytes.Equal(fields[i], want.Fields[i]) {
						t.Fatalf("input %q record %d: field %d %q, Next %q", in, n, i, fields[i], want.Fields[i])
					}
				}
				if a.Offset() != b.Offset() || a.Line() != b.Line() {
					t.Fatalf("input %q record %d: offset/line %d/%d vs %d/%d", in, n, a.Offset(), a.Line(), b.Offset(), b.Line())
				}
			}
		}
	}
	if plain == 0 {
		t.Fatal("no plain line seen")
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
