package csvread

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// genRecord is one generated record: its fields and its text (without the
// line terminator).
type genRecord struct {
	line   int
	fields []string
	raw    string
}

// genCSV generates well-formed CSV with the same number of fields in every
// record, mixing LF and CRLF, blank lines, optional quoting, a BOM and a
// missing final newline, and returns it with the records it holds.
func genCSV(rng *rand.Rand) ([]byte, []genRecord) {
	alphabet := []string{"a", "b", "1", " ", "é", "€", ",", `"`, "\n", "\r", "\r\n", "\x00", "\t"}
	nfields := 1 + rng.IntN(6)
	nrecs := rng.IntN(30)
	var out bytes.Buffer
	if rng.IntN(5) == 0 {
		out.WriteString("\xEF\xBB\xBF")
	}
	line := 1
	eol := func() string {
		if rng.IntN(2) == 0 {
			return "\r\n"
		}
		return "\n"
	}
	var recs []genRecord
	for i := range nrecs {
		for rng.IntN(6) == 0 { // blank lines
			out.WriteString(eol())
			line++
		}
		var raw strings.Builder
		fields := make([]string, nfields)
		for j := range fields {
			var f strings.Builder
			for range rng.IntN(8) {
				f.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			fields[j] = f.String()
			if j > 0 {
				raw.WriteByte(',')
			}
			mustQuote := strings.ContainsAny(fields[j], ",\"\r\n") || (nfields == 1 && fields[j] == "")
			if mustQuote || rng.IntN(4) == 0 {
				raw.WriteString(`"` + strings.ReplaceAll(fields[j], `"`, `""`) + `"`)
			} else {
				raw.WriteString(fields[j])
			}
		}
		recs = append(recs, genRecord{line: line, fields: fields, raw: raw.String()})
		out.WriteString(raw.String())
		line += strings.Count(raw.String(), "\n")
		if i < nrecs-1 || rng.IntN(3) > 0 {
			out.WriteString(eol())
			line++
		}
	}
	return out.Bytes(), recs
}

// crlfToLF is how encoding/csv reports CRLF inside quoted fields.
func crlfToLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func TestPropertyMatchesGeneratorAndEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 400 {
		in, want := genCSV(rng)
		// encoding/csv reads the same input, less the BOM.
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(in, []byte("\xEF\xBB\xBF"))))
		cr.FieldsPerRecord = -1
		std, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("iteration %d: encoding/csv rejects generated input %q: %v", iter, in, err)
		}
		if len(std) != len(want) {
			t.Fatalf("iteration %d: encoding/csv reads %d records, generated %d: %q", iter, len(std), len(want), in)
		}
		for how, src := range sources(string(in), Options{}) {
			r, opts := src()
			got, err := readAll(r, opts)
			if err != nil {
				t.Fatalf("iteration %d %s: %v", iter, how, err)
			}
			if len(got) != len(want) {
				t.Fatalf("iteration %d %s: %d records, want %d; input %q%s", iter, how, len(got), len(want), in, dump(got))
			}
			for i, w := range want {
				g := got[i]
				if g.Err != nil || g.Line != w.line || string(g.Raw) != w.raw || fmt.Sprintf("%q", strs(g.Fields)) != fmt.Sprintf("%q", w.fields) {
					t.Fatalf("iteration %d %s record %d: got line %d raw %q fields %q err %v; want line %d raw %q fields %q; input %q",
						iter, how, i, g.Line, g.Raw, strs(g.Fields), g.Err, w.line, w.raw, w.fields, in)
				}
				for j, f := range g.Fields {
					if crlfToLF(string(f)) != std[i][j] {
						t.Fatalf("iteration %d record %d field %d: %q, encoding/csv %q", iter, i, j, f, std[i][j])
					}
				}
			}
		}
	}
}

// corrupt inserts a few random CSV-significant bytes into well-formed CSV.
func corrupt(rng *rand.Rand, in []byte) []byte {
	out := bytes.Clone(in)
	for range rng.IntN(4) {
		c := []byte{'"', ',', '\n', '\r', 'x'}[rng.IntN(5)]
		at := rng.IntN(len(out) + 1)
		out = append(out[:at], append([]byte{c}, out[at:]...)...)
	}
	return out
}

// TestSkipScanAgreesWithParse checks that, wherever the data of a record is
// cut, the skipper continues from the parser's state to the same record end
// as the parser finds with all the data: over-long records end where short
// ones would.
func TestSkipScanAgreesWithParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := NewReader(nil, Options{})
	for iter := range 300 {
		in, _ := genCSV(rng)
		in = corrupt(rng, bytes.TrimLeft(bytes.TrimPrefix(in, []byte("\xEF\xBB\xBF")), "\r\n"))
		if len(in) == 0 || in[0] == '\n' || in[0] == '\r' {
			continue
		}
		full := r.parse(in, true)
		if full.more || full.n == 0 {
			t.Fatalf("iteration %d: parse with all data: %+v", iter, full)
		}
		if in[full.n-1] != '\n' {
			continue // ends at end of input: nothing to compare
		}
		for k := 1; k < full.n; k++ {
			part := r.parse(in[:k], false)
			if !part.more {
				t.Fatalf("iteration %d: parse of %q ends at %d with only %d bytes, %d with all", iter, in, part.n, k, full.n)
			}
			end, _ := skipScan(in[k:], part.state)
			if k+end+1 != full.n {
				t.Fatalf("iteration %d: input %q cut at %d (state %d): skipper ends at %d, parser at %d", iter, in, k, part.state, k+end+1, full.n)
			}
		}
	}
}
