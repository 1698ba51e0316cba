package csvread

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"testing"
)

// fuzzPass reads all of data and checks the invariants that hold for any
// input: progress, Raw taken from the input at Offset, only blank lines
// between records, line numbers, and a malformed record carrying no fields.
func fuzzPass(t *testing.T, data []byte, opts Options) []*Record {
	t.Helper()
	r := NewReader(bytes.NewReader(data), opts)
	var recs []*Record
	prevEnd := int64(0)
	rawTotal := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%+v: read error %v", opts, err)
		}
		if len(recs) > len(data) {
			t.Fatalf("%+v: more records than input bytes", opts)
		}
		end := r.Offset()
		if rec.Offset < prevEnd || end <= rec.Offset || end > int64(len(data)) {
			t.Fatalf("%+v: record at %d..%d after %d: no progress or out of range", opts, rec.Offset, end, prevEnd)
		}
		gap := data[prevEnd:rec.Offset]
		if prevEnd == 0 {
			gap = bytes.TrimPrefix(gap, []byte("\xEF\xBB\xBF"))
		}
		if len(bytes.ReplaceAll(bytes.ReplaceAll(gap, []byte("\r\n"), nil), []byte("\n"), nil)) != 0 {
			t.Fatalf("%+v: non-blank bytes %q skipped before record at %d", opts, gap, rec.Offset)
		}
		if !bytes.HasPrefix(data[rec.Offset:end], rec.Raw) {
			t.Fatalf("%+v: Raw %q is not the input at %d", opts, rec.Raw, rec.Offset)
		}
		if rest := string(data[rec.Offset+int64(len(rec.Raw)) : end]); !rec.Truncated && rest != "" && rest != "\n" && rest != "\r\n" && rest != "\r" {
			t.Fatalf("%+v: %q left out of Raw %q", opts, rest, rec.Raw)
		}
		if want := 1 + bytes.Count(data[:rec.Offset], []byte{'\n'}); rec.Line != want {
			t.Fatalf("%+v: record at %d has line %d, want %d", opts, rec.Offset, rec.Line, want)
		}
		if (rec.Err != nil) != (rec.Fields == nil) || rec.Err != nil && !errors.Is(rec.Err, ErrMalformed) {
			t.Fatalf("%+v: record %q: err %v with fields %q", opts, rec.Raw, rec.Err, rec.Fields)
		}
		if rec.Truncated && len(rec.Raw) != opts.withDefaults().MaxRecordBytes {
			t.Fatalf("%+v: truncated Raw of %d bytes", opts, len(rec.Raw))
		}
		rawTotal += len(rec.Raw)
		prevEnd = end
		recs = append(recs, rec.Clone())
	}
	tail := data[prevEnd:]
	if prevEnd == 0 {
		tail = bytes.TrimPrefix(tail, []byte("\xEF\xBB\xBF"))
	}
	if len(bytes.Trim(tail, "\r\n")) != 0 || r.Offset() != int64(len(data)) {
		t.Fatalf("%+v: ended at %d of %d with %q unread", opts, r.Offset(), len(data), tail)
	}
	if rawTotal > len(data) {
		t.Fatalf("%+v: Raw adds up to %d bytes, input has %d", opts, rawTotal, len(data))
	}
	return recs
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"", "a,b\n1,2\n", "\xEF\xBB\xBFa\r\n\r\n\"x\"\"y\",\"p\r\nq\"\n", `a,"b`, "a\"b\nc\n",
		"\"a\"b,c\r\nd", "\n\r\n \n", "\"a\"\r", "x,\"\"\"\"\"\r\"\r\n", "\x00,\xff\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		base := fuzzPass(t, data, Options{BufferSize: 4096}) // default limits

		// Tiny buffers give the same records.
		small := fuzzPass(t, data, Options{BufferSize: 1 + len(data)%5})
		if len(small) != len(base) {
			t.Fatalf("small buffer: %d records, default %d", len(small), len(base))
		}
		for i := range base {
			if !sameRecord(base[i], small[i]) {
				t.Fatalf("small buffer record %d: %+v, default %+v", i, small[i], base[i])
			}
		}

		// Tight limits: the same record boundaries, only more of them malformed.
		limits := []int{1, 4, 7, 12}
		if len(data) > 0 { // a limit the fuzzer can steer, to cut records anywhere
			limits = append(limits, 1+int(data[len(data)-1])%32)
		}
		for _, maxRec := range limits {
			opts := Options{BufferSize: 2, MaxFieldBytes: maxRec/2 + 1, MaxRecordBytes: maxRec}
			limited := fuzzPass(t, data, opts)
			if len(limited) != len(base) {
				t.Fatalf("%+v: %d records, default %d", opts, len(limited), len(base))
			}
			for i, l := range limited {
				b := base[i]
				if l.Offset != b.Offset || l.Line != b.Line || !bytes.HasPrefix(b.Raw, l.Raw) ||
					b.Err != nil && l.Err == nil || l.Err == nil && !sameRecord(l, b) {
					t.Fatalf("%+v record %d: %+v, default %+v", opts, i, l, b)
				}
			}
		}

		// Where encoding/csv accepts the input, it reads the same records.
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
		cr.FieldsPerRecord = -1
		var std [][]string
		var lines []int
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			std = append(std, rec)
			line, _ := cr.FieldPos(0)
			lines = append(lines, line)
		}
		if len(std) != len(base) {
			t.Fatalf("encoding/csv reads %d records, we read %d:%s", len(std), len(base), dump(base))
		}
		for i, rec := range base {
			if rec.Err != nil || rec.Line != lines[i] || len(rec.Fields) != len(std[i]) {
				t.Fatalf("record %d: %+v; encoding/csv line %d %q", i, rec, lines[i], std[i])
			}
			for j, fld := range rec.Fields {
				if crlfToLF(string(fld)) != std[i][j] {
					t.Fatalf("record %d field %d: %q, encoding/csv %q", i, j, fld, std[i][j])
				}
			}
		}
	})
}

func sameRecord(a, b *Record) bool {
	if a.Line != b.Line || a.Offset != b.Offset || !bytes.Equal(a.Raw, b.Raw) || len(a.Fields) != len(b.Fields) ||
		(a.Err == nil) != (b.Err == nil) || a.Err != nil && a.Err.Error() != b.Err.Error() {
		return false
	}
	for i := range a.Fields {
		if !bytes.Equal(a.Fields[i], b.Fields[i]) {
			return false
		}
	}
	return true
}
