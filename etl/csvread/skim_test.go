package csvread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// nextStep is what one call to Next gave: the record (cloned; nil at the
// end), the error, and Offset and Line after the call.
type nextStep struct {
	rec  *Record
	err  error
	off  int64
	line int
}

// nextSteps reads src with Next to the end (io.EOF or a read error).
func nextSteps(t testing.TB, src io.Reader, opts Options) []nextStep {
	t.Helper()
	r := NewReader(src, opts)
	var steps []nextStep
	for {
		rec, err := r.Next()
		s := nextStep{err: err, off: r.Offset(), line: r.Line()}
		if err == nil {
			s.rec = rec.Clone()
		}
		steps = append(steps, s)
		if err != nil {
			return steps
		}
		if len(steps) > 1<<20 {
			t.Fatalf("%+v: Next makes no progress", opts)
		}
	}
}

func sameErr(a, b error) bool {
	if a == nil || b == nil || a == io.EOF || b == io.EOF {
		return a == b
	}
	return a.Error() == b.Error()
}

// checkSkim reads a fresh source with SkimField(i), or, where mix says so,
// with Next, and checks every step against want, the steps of Next alone.
// It returns how many records came the fast way (rec nil).
func checkSkim(t testing.TB, want []nextStep, src io.Reader, opts Options, i int, mix *rand.Rand, in []byte) (fast int) {
	t.Helper()
	fail := func(k int, format string, args ...any) {
		t.Helper()
		t.Fatalf("input %q %+v SkimField(%d) step %d: %s", in, opts, i, k, fmt.Sprintf(format, args...))
	}
	r := NewReader(src, opts)
	for k, w := range want {
		if mix != nil && mix.IntN(3) == 0 {
			rec, err := r.Next()
			if !sameErr(err, w.err) || err == nil && (!sameRecord(rec, w.rec) || rec.Truncated != w.rec.Truncated) {
				fail(k, "mixed Next gives %+v, %v; want %+v, %v", rec, err, w.rec, w.err)
			}
		} else {
			field, n, line, rec, err := r.SkimField(i)
			if !sameErr(err, w.err) {
				fail(k, "error %v, Next gives %v", err, w.err)
			}
			if err != nil {
				if field != nil || n != 0 || line != 0 || rec != nil {
					fail(k, "error %v with field %q, %d fields, line %d, rec %+v", err, field, n, line, rec)
				}
				break
			}
			wr := w.rec
			if rec == nil {
				fast++
				if wr.Err != nil || wr.Truncated {
					fail(k, "fast form for a record Next returns as %+v", wr)
				}
			} else if !sameRecord(rec, wr) || rec.Truncated != wr.Truncated {
				fail(k, "record %+v, Next gives %+v", rec, wr)
			}
			if line != wr.Line {
				fail(k, "line %d, Next gives %d", line, wr.Line)
			}
			wf, wn := wr.Field(i), len(wr.Fields)
			if wr.Err != nil {
				wf, wn = nil, 0
			}
			if n != wn || !bytes.Equal(field, wf) || (field == nil) != (wf == nil) {
				fail(k, "field %q of %d, Next gives %q of %d (%+v)", field, n, wf, wn, wr)
			}
			if rec == nil && cap(field) != len(field) {
				fail(k, "field %q has spare capacity %d", field, cap(field))
			}
		}
		if r.Offset() != w.off || r.Line() != w.line {
			fail(k, "at offset %d line %d, Next at %d line %d", r.Offset(), r.Line(), w.off, w.line)
		}
	}
	// Once at the end, the reader stays there.
	if _, _, _, rec, err := r.SkimField(i); !sameErr(err, want[len(want)-1].err) || rec != nil {
		t.Fatalf("input %q %+v: SkimField after the end: %+v, %v", in, opts, rec, err)
	}
	return fast
}

// genSkimInput generates CSV-like input of every kind the reader meets:
// plain lines, quoted fields with commas, quotes and line breaks, malformed
// lines, LF and CRLF, blank and CR-only lines, a BOM, long fields and
// records, a missing final newline and a lone CR at the end.
func genSkimInput(rng *rand.Rand) []byte {
	var b bytes.Buffer
	if rng.IntN(5) == 0 {
		b.WriteString("\xEF\xBB\xBF")
	}
	plainAlphabet := []string{"a", "b", "7", "0", " ", "\t", "é", "\x00", "\xff", ",", ",", "\r"}
	quotedAlphabet := []string{"a", ",", `""`, "\n", "\r\n", "\r", " "}
	field := func(alphabet []string) string {
		n := rng.IntN(6)
		if rng.IntN(8) == 0 {
			n = 10 + rng.IntN(40) // long, for the limits
		}
		var f strings.Builder
		for range n {
			f.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return f.String()
	}
	eol := func() string {
		switch rng.IntN(8) {
		case 0, 1, 2:
			return "\r\n"
		case 3:
			return "\r\r\n"
		default:
			return "\n"
		}
	}
	nlines := rng.IntN(25)
	for l := range nlines {
		switch rng.IntN(12) {
		case 0: // blank
		case 1: // CR only: blank, or data when there are several
			b.WriteString(strings.Repeat("\r", 1+rng.IntN(2)))
		case 2, 3: // quoted fields
			for j := range 1 + rng.IntN(5) {
				if j > 0 {
					b.WriteByte(',')
				}
				if rng.IntN(2) == 0 {
					b.WriteString(`"` + field(quotedAlphabet) + `"`)
				} else {
					b.WriteString(field(plainAlphabet[:8]))
				}
			}
		case 4: // malformed: bare quote, text after a closing quote, open quote
			b.WriteString(field(plainAlphabet))
			switch rng.IntN(3) {
			case 0:
				b.WriteString(`x"y`)
			case 1:
				b.WriteString(`,"q"z,`)
			default:
				b.WriteString(`,"open`)
			}
			b.WriteString(field(plainAlphabet))
		default: // plain
			for j := range 1 + rng.IntN(9) {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(field(plainAlphabet))
			}
		}
		if l < nlines-1 || rng.IntN(3) > 0 {
			b.WriteString(eol())
		}
	}
	if rng.IntN(6) == 0 {
		b.WriteByte('\r') // a lone CR at the end
	}
	return b.Bytes()
}

// skimOptions returns the options an input is read with: default limits,
// small buffers, and small limits in both orders.
func skimOptions(rng *rand.Rand) []Options {
	return []Options{
		{BufferSize: 4096},
		{BufferSize: 1 + rng.IntN(8)},
		{BufferSize: 1 + rng.IntN(64), MaxFieldBytes: 1 + rng.IntN(20), MaxRecordBytes: 1 + rng.IntN(60)},
		{BufferSize: 1 + rng.IntN(64), MaxFieldBytes: 10 + rng.IntN(60), MaxRecordBytes: 1 + rng.IntN(40)},
		{BufferSize: 16, MaxFieldBytes: 1 + rng.IntN(12)},
	}
}

func TestSkimFieldMatchesNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	iters := 3000
	fast, total := 0, 0
	for range iters {
		in := genSkimInput(rng)
		for _, opts := range skimOptions(rng) {
			srcs := []func() io.Reader{
				func() io.Reader { return bytes.NewReader(in) },
				func() io.Reader { return iotest.OneByteReader(bytes.NewReader(in)) },
				func() io.Reader { return iotest.HalfReader(bytes.NewReader(in)) },
				func() io.Reader { return iotest.DataErrReader(bytes.NewReader(in)) },
			}
			for _, i := range []int{0, 1, 2, 7, -1, rng.IntN(10)} {
				src := srcs[rng.IntN(len(srcs))]
				want := nextSteps(t, src(), opts)
				fast += checkSkim(t, want, src(), opts, i, nil, in)
				total += len(want) - 1
				checkSkim(t, want, src(), opts, i, rng, in)
			}
			// A source that fails part way: the same records, then the same error.
			if len(in) > 0 {
				cut := rng.IntN(len(in))
				failing := func() io.Reader {
					return io.MultiReader(bytes.NewReader(in[:cut]), iotest.ErrReader(errors.New("disk on fire")))
				}
				want := nextSteps(t, failing(), opts)
				checkSkim(t, want, failing(), opts, rng.IntN(3), nil, in)
			}
		}
	}
	// The generator must exercise the fast form and the whole-record form.
	if fast == 0 || fast == total {
		t.Fatalf("%d of %d records in the fast form", fast, total)
	}
	t.Logf("%d of %d records in the fast form", fast, total)
}

func TestSkimFieldPlainLines(t *testing.T) {
	in := "\xEF\xBB\xBFid,name,qty\r\n\r\n1,apple,3\n\r\n2,,\n\r\n3,pear\r\n,x\n"
	r := NewReader(strings.NewReader(in), Options{})
	type got struct {
		field string
		n     int
		line  int
	}
	var recs []got
	for {
		field, n, line, rec, err := r.SkimField(1)
		if err == io.EOF {
			break
		}
		if err != nil || rec != nil {
			t.Fatalf("line %d: rec %+v, err %v; want the fast form", line, rec, err)
		}
		recs = append(recs, got{string(field), n, line})
		if field == nil && n > 1 {
			t.Fatalf("line %d: nil field 1 of %d", line, n)
		}
	}
	want := []got{{"name", 3, 1}, {"apple", 3, 3}, {"", 3, 5}, {"pear", 2, 7}, {"x", 2, 8}}
	if fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", recs, want)
	}
	if r.Offset() != int64(len(in)) || r.Line() != 9 {
		t.Fatalf("ends at offset %d line %d", r.Offset(), r.Line())
	}
}

func TestSkimFieldWholeRecords(t *testing.T) {
	in := "a,\"b,c\",d\nx\"y,z\n" + strings.Repeat("w", 30) + ",1\nlast,one"
	r := NewReader(strings.NewReader(in), Options{MaxFieldBytes: 20})
	// Quoted: whole, well-formed, with field and nfields filled in.
	field, n, line, rec, err := r.SkimField(1)
	if err != nil || rec == nil || rec.Err != nil || string(field) != "b,c" || n != 3 || line != 1 {
		t.Fatalf("quoted: %q %d %d %+v %v", field, n, line, rec, err)
	}
	// Bare quote: whole, malformed.
	field, n, line, rec, err = r.SkimField(1)
	if err != nil || rec == nil || !errors.Is(rec.Err, ErrBareQuote) || field != nil || n != 0 || line != 2 {
		t.Fatalf("bare quote: %q %d %d %+v %v", field, n, line, rec, err)
	}
	// A field over MaxFieldBytes: whole, malformed.
	field, n, line, rec, err = r.SkimField(0)
	if err != nil || rec == nil || !errors.Is(rec.Err, ErrFieldTooLong) || field != nil || n != 0 || line != 3 {
		t.Fatalf("long field: %q %d %d %+v %v", field, n, line, rec, err)
	}
	// No final newline: parsed by the general parser, well-formed.
	field, n, line, rec, err = r.SkimField(1)
	if err != nil || rec == nil || rec.Err != nil || string(field) != "one" || n != 2 || line != 4 {
		t.Fatalf("last line: %q %d %d %+v %v", field, n, line, rec, err)
	}
	if _, _, _, _, err = r.SkimField(0); err != io.EOF {
		t.Fatalf("at end: %v", err)
	}
}

func TestNthField(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		text := make([]byte, rng.IntN(40))
		for j := range text {
			text[j] = ",,a\x00\xff"[rng.IntN(5)]
		}
		want := bytes.Split(text, comma)
		for i := -1; i <= len(want); i++ {
			got := nthField(text, i)
			var w []byte
			if i >= 0 && i < len(want) {
				w = want[i]
			}
			if !bytes.Equal(got, w) || (got == nil) != (w == nil) || cap(got) != len(got) {
				t.Fatalf("nthField(%q, %d) = %q (cap %d), want %q", text, i, got, cap(got), w)
			}
		}
	}
}

func FuzzSkimField(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), int8(0), uint8(0), uint8(0), uint8(0))
	f.Add([]byte("\xEF\xBB\xBFa\r\n\r\n\"x\"\"y\",\"p\r\nq\"\n"), int8(1), uint8(0), uint8(0), uint8(3))
	f.Add([]byte("1,10000,9392,3,183,1,1,2025-04-01T20:57:00,2025-04-01\n"), int8(7), uint8(9), uint8(40), uint8(5))
	f.Add([]byte("abcdef,gh\nabcdefghij\n,,,,\n"), int8(2), uint8(4), uint8(8), uint8(1))
	f.Add([]byte("\r\n\r\r\n\r\nx\r"), int8(0), uint8(0), uint8(0), uint8(2))
	f.Add([]byte("a\"b\nc,\"d\"e\nf,\"open"), int8(1), uint8(3), uint8(3), uint8(0))
	f.Add([]byte("\xEF\xBB"), int8(-1), uint8(0), uint8(0), uint8(1))
	f.Add([]byte("long,line,over,the,record,limit\nok\n"), int8(3), uint8(200), uint8(10), uint8(7))
	f.Fuzz(fuzzSkim)
}

// fuzzSkim checks SkimField against Next on in, read with default limits and
// with limits and a buffer size the fuzzer steers, for field i and field 0.
func fuzzSkim(t *testing.T, in []byte, i int8, maxField, maxRec, bufSize uint8) {
	for _, opts := range []Options{
		{BufferSize: 4096},
		{BufferSize: 1 + int(bufSize)%64, MaxFieldBytes: int(maxField), MaxRecordBytes: int(maxRec)},
	} {
		want := nextSteps(t, bytes.NewReader(in), opts)
		halfWant := nextSteps(t, iotest.HalfReader(bytes.NewReader(in)), opts)
		for _, k := range []int{int(i), 0} {
			checkSkim(t, want, bytes.NewReader(in), opts, k, nil, in)
			checkSkim(t, halfWant, iotest.HalfReader(bytes.NewReader(in)), opts, k,
				rand.New(rand.NewPCG(uint64(len(in)), uint64(bufSize))), in)
		}
	}
}

// BenchmarkSkimField reads field k of every order_items line with SkimField;
// BenchmarkReader (bench_test.go) is the same read with Next, for comparison.
func BenchmarkSkimField(b *testing.B) {
	data := orderItems(benchRows)
	for _, k := range []int{0, 4, 8} {
		b.Run(fmt.Sprintf("field%d", k), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			r := NewReader(nil, Options{})
			sum := 0
			for b.Loop() {
				r.Reset(bytes.NewReader(data))
				for {
					field, n, _, rec, err := r.SkimField(k)
					if err == io.EOF {
						break
					}
					if err != nil || rec != nil && rec.Err != nil {
						b.Fatal(err, rec)
					}
					sum += len(field) + n
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchRows+1), "ns/record")
			if sum == 0 {
				b.Fatal("no fields")
			}
		})
	}
}
