package csvread

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"testing"
)

// benchRows is the number of order_items-like lines in the benchmark input.
const benchRows = 1_000_000

// orderItems returns n order_items-shaped lines (about 60 bytes each) after
// a header, like the seed's raw files.
func orderItems(n int) []byte {
	b := make([]byte, 0, n*64)
	b = append(b, "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n"...)
	for i := 1; i <= n; i++ {
		order := 10000 + i/6
		b = strconv.AppendInt(b, int64(100000+i), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(order), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(1000+order%3000), 10)
		b = append(b, ',')
		if i%7 != 0 {
			b = strconv.AppendInt(b, int64(i%30), 10)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(1+i*7919%5000), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(1+i%6), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(i%2), 10)
		b = append(b, ",2025-04-"...)
		day := 1 + i%28
		b = append(b, byte('0'+day/10), byte('0'+day%10))
		b = append(b, "T11:27:00,2025-04-"...)
		b = append(b, byte('0'+day/10), byte('0'+day%10))
		b = append(b, '\n')
	}
	return b
}

func BenchmarkReader(b *testing.B) {
	data := orderItems(benchRows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	r := NewReader(nil, Options{})
	fields := 0
	for b.Loop() {
		r.Reset(bytes.NewReader(data))
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || rec.Err != nil {
				b.Fatal(err, rec.Err)
			}
			fields += len(rec.Fields)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchRows+1), "ns/record")
	if fields == 0 {
		b.Fatal("no fields")
	}
}

func BenchmarkEncodingCSV(b *testing.B) {
	data := orderItems(benchRows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	fields := 0
	for b.Loop() {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		cr.FieldsPerRecord = -1
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			fields += len(rec)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchRows+1), "ns/record")
	if fields == 0 {
		b.Fatal("no fields")
	}
}

// BenchmarkReaderQuoted measures the general (quoted) path: every record has
// a quoted field with an escaped quote, as product names might.
func BenchmarkReaderQuoted(b *testing.B) {
	var data []byte
	for i := range benchRows / 4 {
		data = strconv.AppendInt(data, int64(i), 10)
		data = append(data, `,4,Books,"Product ""special"", large",2025-04-01`+"\r\n"...)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	r := NewReader(nil, Options{})
	for b.Loop() {
		r.Reset(bytes.NewReader(data))
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || rec.Err != nil || len(rec.Fields) != 5 {
				b.Fatal(err, rec.Err)
			}
		}
	}
}
