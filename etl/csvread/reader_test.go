package csvread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads every record from src, cloned, and the final error.
func readAll(src io.Reader, opts Options) ([]*Record, error) {
	r := NewReader(src, opts)
	var recs []*Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec.Clone())
	}
}

// sources returns the ways a test input is fed: whole, one byte per read,
// and in small buffers, which exercise every buffer boundary.
func sources(in string, opts Options) map[string]func() (io.Reader, Options) {
	small := func(n int) func() (io.Reader, Options) {
		return func() (io.Reader, Options) {
			o := opts
			o.BufferSize = n
			return strings.NewReader(in), o
		}
	}
	return map[string]func() (io.Reader, Options){
		"whole":    func() (io.Reader, Options) { return strings.NewReader(in), opts },
		"onebyte":  func() (io.Reader, Options) { return iotest.OneByteReader(strings.NewReader(in)), opts },
		"halfread": func() (io.Reader, Options) { return iotest.HalfReader(strings.NewReader(in)), opts },
		"buf1":     small(1),
		"buf3":     small(3),
		"buf7":     small(7),
	}
}

type want struct {
	line   int
	raw    string
	fields []string // nil for a malformed record
	err    error    // the specific sentinel, for a malformed record
	msg    string   // substring of the error message
	trunc  bool     // Raw is cut at MaxRecordBytes
}

func TestReaderRules(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []want
	}{
		{"empty file", "", Options{}, nil},
		{"only blank lines", "\n\r\n\n\r", Options{}, nil},
		{"header only", "id,name\n", Options{}, []want{{line: 1, raw: "id,name", fields: []string{"id", "name"}}}},
		{"header only without newline", "id,name", Options{}, []want{{line: 1, raw: "id,name", fields: []string{"id", "name"}}}},
		{"no final newline", "a,b\n1,2", Options{}, []want{
			{line: 1, raw: "a,b", fields: []string{"a", "b"}},
			{line: 2, raw: "1,2", fields: []string{"1", "2"}},
		}},
		{"BOM", "\xEF\xBB\xBFa,b\n1,2\n", Options{}, []want{
			{line: 1, raw: "a,b", fields: []string{"a", "b"}},
			{line: 2, raw: "1,2", fields: []string{"1", "2"}},
		}},
		{"BOM only", "\xEF\xBB\xBF", Options{}, nil},
		{"BOM then blank", "\xEF\xBB\xBF\r\nx\n", Options{}, []want{{line: 2, raw: "x", fields: []string{"x"}}}},
		{"BOM not at start is data", "a\n\xEF\xBB\xBFb\n", Options{}, []want{
			{line: 1, raw: "a", fields: []string{"a"}},
			{line: 2, raw: "\xEF\xBB\xBFb", fields: []string{"\xEF\xBB\xBFb"}},
		}},
		{"partial BOM is data", "\xEF\xBBx\n", Options{}, []want{{line: 1, raw: "\xEF\xBBx", fields: []string{"\xEF\xBBx"}}}},
		{"CRLF", "a,b\r\n1,2\r\n", Options{}, []want{
			{line: 1, raw: "a,b", fields: []string{"a", "b"}},
			{line: 2, raw: "1,2", fields: []string{"1", "2"}},
		}},
		{"mixed endings", "a\r\nb\nc\r\n", Options{}, []want{
			{line: 1, raw: "a", fields: []string{"a"}},
			{line: 2, raw: "b", fields: []string{"b"}},
			{line: 3, raw: "c", fields: []string{"c"}},
		}},
		{"lone CR is data", "a\rb,c\n", Options{}, []want{{line: 1, raw: "a\rb,c", fields: []string{"a\rb", "c"}}}},
		{"CR before end of input dropped", "a,b\r", Options{}, []want{{line: 1, raw: "a,b", fields: []string{"a", "b"}}}},
		{"CR CR LF keeps one CR", "a\r\r\n", Options{}, []want{{line: 1, raw: "a\r", fields: []string{"a\r"}}}},
		{"quoted comma", `"a,b",c` + "\n", Options{}, []want{{line: 1, raw: `"a,b",c`, fields: []string{"a,b", "c"}}}},
		{"quoted quotes", `"a""b","""",""` + "\n", Options{}, []want{{line: 1, raw: `"a""b","""",""`, fields: []string{`a"b`, `"`, ""}}}},
		{"quoted LF and CRLF", "\"x\ny\",1\n\"p\r\nq\",2\r\nz\n", Options{}, []want{
			{line: 1, raw: "\"x\ny\",1", fields: []string{"x\ny", "1"}},
			{line: 3, raw: "\"p\r\nq\",2", fields: []string{"p\r\nq", "2"}},
			{line: 5, raw: "z", fields: []string{"z"}},
		}},
		{"quoted lone CR", "\"a\rb\"\r\n", Options{}, []want{{line: 1, raw: "\"a\rb\"", fields: []string{"a\rb"}}}},
		{"quoted blank lines inside", "\"\n\n\",x\ny\n", Options{}, []want{
			{line: 1, raw: "\"\n\n\",x", fields: []string{"\n\n", "x"}},
			{line: 4, raw: "y", fields: []string{"y"}},
		}},
		{"quoted last field at end of input", `a,"b"`, Options{}, []want{{line: 1, raw: `a,"b"`, fields: []string{"a", "b"}}}},
		{"quoted then CR at end of input", "\"b\"\r", Options{}, []want{{line: 1, raw: `"b"`, fields: []string{"b"}}}},
		{"blank lines and line numbers", "\n\na\n\r\n\nb\n\n", Options{}, []want{
			{line: 3, raw: "a", fields: []string{"a"}},
			{line: 6, raw: "b", fields: []string{"b"}},
		}},
		{"whitespace lines are records", "a\n  \n\t\r\nb", Options{}, []want{
			{line: 1, raw: "a", fields: []string{"a"}},
			{line: 2, raw: "  ", fields: []string{"  "}},
			{line: 3, raw: "\t", fields: []string{"\t"}},
			{line: 4, raw: "b", fields: []string{"b"}},
		}},
		{"empty fields", ",,\n\"\"\n,\"\"\n", Options{}, []want{
			{line: 1, raw: ",,", fields: []string{"", "", ""}},
			{line: 2, raw: `""`, fields: []string{""}},
			{line: 3, raw: `,""`, fields: []string{"", ""}},
		}},
		{"NUL bytes are data", "a\x00b,\x00\n\x00\n", Options{}, []want{
			{line: 1, raw: "a\x00b,\x00", fields: []string{"a\x00b", "\x00"}},
			{line: 2, raw: "\x00", fields: []string{"\x00"}},
		}},
		{"invalid UTF-8 passes", "\xff\xfe,ok,\"\xc3\"\n", Options{}, []want{
			{line: 1, raw: "\xff\xfe,ok,\"\xc3\"", fields: []string{"\xff\xfe", "ok", "\xc3"}},
		}},
		{"bare quote", "h\na,b\"c,d\nx,y\n", Options{}, []want{
			{line: 1, raw: "h", fields: []string{"h"}},
			{line: 2, raw: `a,b"c,d`, err: ErrBareQuote, msg: `line 2, column 4: field 2: bare "`},
			{line: 3, raw: "x,y", fields: []string{"x", "y"}},
		}},
		{"quote after leading space is bare", " \"a\"\r\nz\n", Options{}, []want{
			{line: 1, raw: ` "a"`, err: ErrBareQuote, msg: "column 2: field 1"},
			{line: 2, raw: "z", fields: []string{"z"}},
		}},
		{"bare quote on last line", "a\"", Options{}, []want{{line: 1, raw: `a"`, err: ErrBareQuote}}},
		{"text after closing quote", "1,2,\"ab\"c,d\r\nok\n", Options{}, []want{
			{line: 1, raw: `1,2,"ab"c,d`, err: ErrExtraneous, msg: "line 1, column 9: field 3: extraneous"},
			{line: 2, raw: "ok", fields: []string{"ok"}},
		}},
		{"text after closing quote on a later line", "\"a\nb\"x\nok\n", Options{}, []want{
			{line: 1, raw: "\"a\nb\"x", err: ErrExtraneous, msg: "line 2, column 3 (record starts on line 1): field 1"},
			{line: 3, raw: "ok", fields: []string{"ok"}},
		}},
		{"CR then text after closing quote", "\"a\"\rb\nc\n", Options{}, []want{
			{line: 1, raw: "\"a\"\rb", err: ErrExtraneous},
			{line: 2, raw: "c", fields: []string{"c"}},
		}},
		{"malformed record resumes at next line, not at quote", "a\"b,\"c\nd\n", Options{}, []want{
			{line: 1, raw: "a\"b,\"c", err: ErrBareQuote},
			{line: 2, raw: "d", fields: []string{"d"}},
		}},
		{"unterminated quote at end of input", "a\n\"b,c\nd\n", Options{}, []want{
			{line: 1, raw: "a", fields: []string{"a"}},
			{line: 2, raw: "\"b,c\nd\n", err: ErrUnterminated, msg: "line 2, column 1: field 1: unterminated"},
		}},
		{"unterminated after escaped quote", `x,"a""`, Options{}, []want{{line: 1, raw: `x,"a""`, err: ErrUnterminated, msg: "field 2"}}},
		{"field limit", "abcde,x\nab,cd\n\"abc\"\"\"\"\",1\n", Options{MaxFieldBytes: 4}, []want{
			{line: 1, raw: "abcde,x", err: ErrFieldTooLong, msg: "line 1, column 1: field 1 exceeds 4 bytes"},
			{line: 2, raw: "ab,cd", fields: []string{"ab", "cd"}},
			{line: 3, raw: `"abc""""",1`, err: ErrFieldTooLong},
		}},
		{"record limit", "aaaa,bbbb,cccc\nok\n", Options{MaxRecordBytes: 8}, []want{
			{trunc: true, line: 1, raw: "aaaa,bbb", err: ErrRecordTooLong, msg: "line 1: record exceeds 8 bytes"},
			{line: 2, raw: "ok", fields: []string{"ok"}},
		}},
		{"record limit exactly", "12345678\r\n123456789\n", Options{MaxRecordBytes: 8}, []want{
			{line: 1, raw: "12345678", fields: []string{"12345678"}},
			{trunc: true, line: 2, raw: "12345678", err: ErrRecordTooLong},
		}},
		{"long quoted record skipped to its end", "\"a\nb,\"\"\nc\nd\ne\nf\",g\nok\n", Options{MaxRecordBytes: 8}, []want{
			{trunc: true, line: 1, raw: "\"a\nb,\"\"\n", err: ErrRecordTooLong},
			{line: 7, raw: "ok", fields: []string{"ok"}},
		}},
		{"long field inside long record", "x,aaaaaaaaaaaaaaaaaaaa\nok\n", Options{MaxFieldBytes: 4, MaxRecordBytes: 8}, []want{
			{trunc: true, line: 1, raw: "x,aaaaaa", err: ErrFieldTooLong, msg: "field 2 exceeds 4 bytes"},
			{line: 2, raw: "ok", fields: []string{"ok"}},
		}},
		{"long record with bare quote ends at line end", "aa\"aaaaaaaaaa\nok\n", Options{MaxRecordBytes: 8}, []want{
			{trunc: true, line: 1, raw: "aa\"aaaaa", err: ErrBareQuote},
			{line: 2, raw: "ok", fields: []string{"ok"}},
		}},
		{"long unterminated record", "ok\n\"abcdefghij\nk", Options{MaxRecordBytes: 4}, []want{
			{line: 1, raw: "ok", fields: []string{"ok"}},
			{trunc: true, line: 2, raw: "\"abc", err: ErrUnterminated, msg: "line 3"},
		}},
	}
	for _, tc := range tests {
		for how, src := range sources(tc.in, tc.opts) {
			t.Run(tc.name+"/"+how, func(t *testing.T) {
				in, opts := src()
				recs, err := readAll(in, opts)
				if err != nil {
					t.Fatalf("read error: %v", err)
				}
				if len(recs) != len(tc.want) {
					t.Fatalf("got %d records %s, want %d", len(recs), dump(recs), len(tc.want))
				}
				for i, w := range tc.want {
					checkRecord(t, tc.in, recs[i], w)
				}
			})
		}
	}
}

func checkRecord(t *testing.T, in string, rec *Record, w want) {
	t.Helper()
	if rec.Line != w.line || string(rec.Raw) != w.raw {
		t.Errorf("record at line %d raw %q, want line %d raw %q", rec.Line, rec.Raw, w.line, w.raw)
	}
	if !strings.HasPrefix(in[rec.Offset:], string(rec.Raw)) {
		t.Errorf("line %d: Raw %q is not the input at offset %d", rec.Line, rec.Raw, rec.Offset)
	}
	if rec.Truncated != w.trunc {
		t.Errorf("line %d: Truncated = %v", rec.Line, rec.Truncated)
	}
	if w.err == nil {
		if rec.Err != nil {
			t.Errorf("line %d: unexpected error %v", rec.Line, rec.Err)
		}
		if got := strs(rec.Fields); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", w.fields) {
			t.Errorf("line %d: fields %q, want %q", rec.Line, got, w.fields)
		}
		return
	}
	if !errors.Is(rec.Err, w.err) || !errors.Is(rec.Err, ErrMalformed) {
		t.Errorf("line %d: error %v, want %v", rec.Line, rec.Err, w.err)
	} else if !strings.Contains(rec.Err.Error(), w.msg) {
		t.Errorf("line %d: error %q does not contain %q", rec.Line, rec.Err, w.msg)
	}
	if rec.Fields != nil {
		t.Errorf("line %d: malformed record has fields %q", rec.Line, rec.Fields)
	}
}

func strs(fields [][]byte) []string {
	var out []string
	for _, f := range fields {
		out = append(out, string(f))
	}
	return out
}

func dump(recs []*Record) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "\n  line %d raw %q fields %q err %v", r.Line, r.Raw, strs(r.Fields), r.Err)
	}
	return b.String()
}

func TestOffsets(t *testing.T) {
	in := "\xEF\xBB\xBFa,b\r\n\n\"c\nd\",e\nf"
	r := NewReader(strings.NewReader(in), Options{BufferSize: 2})
	wantOff := []int64{3, 9, 17}
	wantAfter := []int64{8, 17, 18}
	for i := range wantOff {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Offset != wantOff[i] || r.Offset() != wantAfter[i] {
			t.Errorf("record %d: Offset %d, reader Offset %d; want %d, %d", i, rec.Offset, r.Offset(), wantOff[i], wantAfter[i])
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
	if r.Offset() != int64(len(in)) || r.Line() != 5 {
		t.Errorf("at EOF Offset %d Line %d, want %d, 5", r.Offset(), r.Line(), len(in))
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("second EOF: got %v", err)
	}
}

func TestSourceError(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(strings.NewReader("a\nb\n\"c\n"), iotest.ErrReader(boom))
	r := NewReader(src, Options{})
	for _, want := range []string{"a", "b"} {
		rec, err := r.Next()
		if err != nil || string(rec.Raw) != want {
			t.Fatalf("got %v %v, want %q", rec, err, want)
		}
	}
	for range 2 { // sticky
		_, err := r.Next()
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("got %v, want boom at line 3", err)
		}
	}
}

// zeroReader returns (0, nil) forever.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestNoProgress(t *testing.T) {
	_, err := NewReader(zeroReader{}, Options{}).Next()
	if !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("got %v, want io.ErrNoProgress", err)
	}
}

// endless yields one header line and then an unbounded field.
type endless struct{ n, limit int }

func (e *endless) Read(p []byte) (int, error) {
	if e.n >= e.limit {
		return 0, io.EOF
	}
	for i := range p {
		switch {
		case e.n < 2:
			p[i] = "h\n"[e.n]
		case e.n == e.limit-1:
			p[i] = '\n'
		default:
			p[i] = 'x'
		}
		e.n++
		if e.n == e.limit {
			return i + 1, nil
		}
	}
	return len(p), nil
}

func TestLongRecordBoundedMemory(t *testing.T) {
	src := &endless{limit: 64 << 20}
	r := NewReader(io.MultiReader(src, strings.NewReader("ok\n")), Options{MaxFieldBytes: 2 << 20, MaxRecordBytes: 1 << 20, BufferSize: 64 << 10})
	if rec, err := r.Next(); err != nil || string(rec.Raw) != "h" {
		t.Fatalf("header: %v %v", rec, err)
	}
	rec, err := r.Next()
	if err != nil || !errors.Is(rec.Err, ErrRecordTooLong) || len(rec.Raw) != 1<<20 || !rec.Truncated {
		t.Fatalf("long record: err %v rec.Err %v len %d", err, rec.Err, len(rec.Raw))
	}
	if c := cap(r.buf); c > 1<<20+2 {
		t.Errorf("buffer grew to %d bytes", c)
	}
	if rec, err := r.Next(); err != nil || rec.Line != 3 || string(rec.Raw) != "ok" {
		t.Fatalf("after long record: %+v %v", rec, err)
	}
}

func TestCloneAndReuse(t *testing.T) {
	r := NewReader(strings.NewReader("\"a\"\"\",b\nc,d\n"), Options{})
	rec, _ := r.Next()
	c := rec.Clone()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if string(c.Raw) != `"a""",b` || c.NumFields() != 2 || string(c.Field(0)) != `a"` || string(c.Field(1)) != "b" || c.Field(2) != nil || c.Line != 1 {
		t.Fatalf("clone changed: %+v", c)
	}
	var dst Record
	rec.CopyTo(&dst)
	if allocs := testing.AllocsPerRun(100, func() { rec.CopyTo(&dst) }); allocs != 0 {
		t.Errorf("CopyTo into a grown Record allocates %v times", allocs)
	}
	if string(dst.Raw) != "c,d" || len(dst.Fields) != 2 || string(dst.Fields[1]) != "d" {
		t.Errorf("CopyTo: %+v", dst)
	}
	if !rec.ValidUTF8() || (&Record{Raw: []byte("\xff")}).ValidUTF8() {
		t.Error("ValidUTF8")
	}
}

func TestZeroAllocsPerRecord(t *testing.T) {
	data := orderItems(2000)
	data = append(data, "1,\"quoted, with \"\"escape\"\"\",x\r\n"...)
	src := bytes.NewReader(data)
	r := NewReader(src, Options{})
	n := 0
	readAllOnce := func() {
		src.Reset(data)
		r.Reset(src)
		for {
			rec, err := r.Next()
			if err != nil {
				return
			}
			n += len(rec.Fields)
		}
	}
	readAllOnce() // grow the buffers
	if allocs := testing.AllocsPerRun(5, readAllOnce); allocs != 0 {
		t.Errorf("reading %d records allocates %v times", 2002, allocs)
	}
}
