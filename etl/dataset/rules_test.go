package dataset

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type fields [][]byte

func (f fields) NumFields() int     { return len(f) }
func (f fields) Field(i int) []byte { return f[i] }
func split(line string) fields {
	var out fields
	for _, s := range strings.Split(line, ",") {
		out = append(out, []byte(s))
	}
	return out
}

func mustMap(t *testing.T, name, header string) *Mapping {
	t.Helper()
	d, err := ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.MapHeader(split(header))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const (
	itemsHeader  = "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date"
	ordersHeader = "order_num,order_id,user_id,order_timestamp,total_amount,date"
)

func TestReasonCodes(t *testing.T) {
	cases := []struct {
		dataset, header, line string
		want                  string // ';'-joined reasons, "" for a clean row
	}{
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,0,2025-04-01T11:27:00,2025-04-01", ""},
		{OrderItems, itemsHeader, "1,10000,1990,,988,1,true,2025-04-01 11:27,2025-04-01", ""},
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,0,2025-04-01T11:27:00", "malformed"},
		{OrderItems, itemsHeader, ",10000,1990,10,988,1,0,2025-04-01T11:27:00,2025-04-01", "required:id"},
		{OrderItems, itemsHeader, "1x,10000,1990,10,988,1,0,2025-04-01T11:27:00,2025-04-01", "type:id"},
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,maybe,2025-04-01T11:27:00,2025-04-01", "type:reordered"},
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,0,2025-04-31T11:27:00,2025-04-01", "timestamp:order_timestamp"},
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,0,2025-04-01T11:27:00,2025-13-01", "date:date"},
		{OrderItems, itemsHeader, "1,10000,1990,-1,988,0,0,2025-04-01T11:27:00,2025-04-01", "range:days_since_prior_order;range:add_to_cart_order"},
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,0,2025-04-01T23:30:00-02:00,2025-04-01", "mismatch:date"},
		{OrderItems, itemsHeader, "1,10000,1990,10,988,1,0,2025-04-02T01:30:00+02:00,2025-04-01", ""},
		{OrderItems, itemsHeader, "1,10000,1990,10,99999999999999999999,1,0,2025-04-01T11:27:00,2025-04-01", "type:product_id"},
		{OrderItems, itemsHeader, "1,10000,1990,3000000000,988,1,0,2025-04-01T11:27:00,2025-04-01", "type:days_since_prior_order"},
		{OrderItems, itemsHeader, ",x,,,,,,,", "required:id;type:order_id;required:user_id;required:product_id;required:add_to_cart_order;required:reordered;required:order_timestamp;required:date"},
		{Orders, ordersHeader, "90,10000,1990,2025-04-01T11:27:00,229.53,2025-04-01", ""},
		{Orders, ordersHeader, "90,10000,1990,2025-04-01T11:27:00,0,2025-04-01", "range:total_amount"},
		{Orders, ordersHeader, "90,10000,1990,2025-04-01T11:27:00,1.234,2025-04-01", "type:total_amount"},
		{Orders, ordersHeader, "90,10000,1990,2025-04-01T11:27:00.123456Z,12345678901.5,2025-04-01", "type:total_amount"},
		{Orders, ordersHeader, "90,10000,1990,yesterday,5,2025-04-01", "timestamp:order_timestamp"},
		{Products, "product_id,department_id,department,product_name", "1,4,Books,Caf\xe9", "encoding"},
		{Products, "product_id,department_id,department,product_name", "1,4,,x", "required:department"},
	}
	for _, c := range cases {
		m := mustMap(t, c.dataset, c.header)
		vals := make([]Value, len(m.Dataset.Columns))
		got := JoinReasons(m.Check(split(c.line), []byte(c.line), vals, nil))
		if got != c.want {
			t.Errorf("%s %q: reasons %q, want %q", c.dataset, c.line, got, c.want)
		}
		for _, code := range SplitReasons(got) {
			if !slices.Contains(m.Dataset.ReasonCodes(), code) {
				t.Errorf("%s: %s is not among its ReasonCodes %q", c.dataset, code, m.Dataset.ReasonCodes())
			}
		}
	}
}

func TestReasonCodesList(t *testing.T) {
	d, _ := ByName(Orders)
	want := "malformed;encoding;type:order_num;required:order_id;type:order_id;required:user_id;type:user_id;" +
		"required:order_timestamp;timestamp:order_timestamp;required:total_amount;type:total_amount;range:total_amount;" +
		"required:date;date:date;mismatch:date;duplicate;superseded"
	if got := JoinReasons(d.ReasonCodes()); got != want {
		t.Errorf("orders' reason codes:\n%s\nwant\n%s", got, want)
	}
	items, _ := ByName(OrderItems)
	products, _ := ByName(Products)
	if c := items.ReasonCodes(); !slices.Contains(c, "reference:product_id") || slices.Contains(c, "required:days_since_prior_order") {
		t.Errorf("order_items' reason codes: %q", c)
	}
	if c := products.ReasonCodes(); slices.Contains(c, "mismatch:date") || slices.Contains(c, "type:department") || !slices.Contains(c, "required:department") {
		t.Errorf("products' reason codes: %q", c)
	}
}

func TestTypedValues(t *testing.T) {
	m := mustMap(t, Orders, "DATE, Total_Amount ,order_timestamp,user_id,order_id,extra")
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "extra") {
		t.Fatalf("warnings %v", m.Warnings)
	}
	line := "2025-04-01,-0.5,2025-04-01T11:27:00.5+01:00,7,8,whatever"
	vals := make([]Value, 6)
	reasons := m.Check(split(line), []byte(line), vals, nil)
	if JoinReasons(reasons) != "range:total_amount" {
		t.Fatalf("reasons %v", reasons)
	}
	ts := time.Date(2025, 4, 1, 10, 27, 0, 500_000_000, time.UTC).UnixMicro()
	if vals[3].I != ts || vals[4].I != -50 || vals[5].I != time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC).Unix()/86400 || !vals[0].Null {
		t.Fatalf("values %+v", vals)
	}
}

func TestHeaderErrors(t *testing.T) {
	d, _ := ByName(OrderItems)
	_, err := d.MapHeader(split("id,order_id"))
	if err == nil || !strings.Contains(err.Error(), "user_id") || !strings.Contains(err.Error(), "product_id") {
		t.Fatalf("missing columns: %v", err)
	}
	_, err = d.MapHeader(split(itemsHeader + ",ID"))
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate column: %v", err)
	}
}

func TestDetect(t *testing.T) {
	cases := map[string]string{
		"bronze_layer/order_items/2025/x.csv":   OrderItems,
		"bronze_layer/ORDERS_2025_04_01.csv":    Orders,
		"bronze_layer/misc/products.csv.gz":     Products,
		"bronze_layer/orders/order_items_1.csv": OrderItems,
	}
	for k, want := range cases {
		d, ok := Detect(k)
		if !ok || d.Name != want {
			t.Errorf("%s: got %v, want %s", k, d, want)
		}
	}
	if _, ok := Detect("bronze_layer/customers.csv"); ok {
		t.Error("customers.csv detected as a dataset")
	}
}

func TestParseTimestampAgainstTime(t *testing.T) {
	for _, s := range []string{"1999-12-31T23:59:59.999999Z", "2024-02-29 00:00", "1969-07-20T20:17:40-05:00", "2025-04-01T11:27:00.1234567"} {
		got, ok := parseTimestamp([]byte(s))
		if !ok {
			t.Fatalf("%s refused", s)
		}
		layout := "2006-01-02T15:04:05.999999999Z07:00"
		norm := strings.Replace(s, " ", "T", 1)
		if len(norm) == 16 {
			norm += ":00"
		}
		if !strings.HasSuffix(norm, "Z") && !strings.Contains(norm[19:], "-") && !strings.Contains(norm[19:], "+") {
			norm += "Z"
		}
		want, err := time.Parse(layout, norm)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.Truncate(time.Microsecond).UnixMicro() {
			t.Errorf("%s: %d, want %d", s, got, want.UnixMicro())
		}
	}
	for _, s := range []string{"2023-02-29T00:00", "2025-04-01T24:00", "2025-04-01", "2025-04-01T11:27:00+5", "2025-04-01T11:27:00."} {
		if _, ok := parseTimestamp([]byte(s)); ok {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestEscapeRaw(t *testing.T) {
	s, escaped := EscapeRaw([]byte("a\\b\xffc"))
	if s != `a\\b\xffc` || !escaped {
		t.Fatalf("%q %v", s, escaped)
	}
	if s, escaped := EscapeRaw([]byte(`plain\`)); s != `plain\` || escaped {
		t.Fatalf("%q %v", s, escaped)
	}
}

// TestParseIntAgainstStrconv compares the fast integer parser with strconv
// on numbers of every length around both widths' limits.
func TestParseIntAgainstStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for i := 0; i < 200_000; i++ {
		var sb strings.Builder
		switch r.IntN(4) {
		case 0:
			sb.WriteByte('-')
		case 1:
			sb.WriteByte('+')
		}
		for n := r.IntN(20); n > 0; n-- { // parseInt refuses texts over 20 bytes
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
		if r.IntN(50) == 0 {
			sb.WriteByte('x')
		}
		s := sb.String()
		if len(s) > 0 && r.IntN(20) == 0 { // a byte that is not a digit anywhere
			at := r.IntN(len(s))
			s = s[:at] + string("x /:9\x00\xff"[r.IntN(7)]) + s[at+1:]
		}
		for _, bits := range []uint{32, 64} {
			want, err := strconv.ParseInt(s, 10, int(bits))
			got, ok := parseInt([]byte(s), bits)
			if ok != (err == nil) || (ok && got != want) {
				t.Fatalf("parseInt(%q, %d) = %d %v, strconv %d %v", s, bits, got, ok, want, err)
			}
		}
	}
	for _, s := range []string{"2147483647", "-2147483648", "2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "999999999", "-999999999", "0", "-0", "+0"} {
		for _, bits := range []uint{32, 64} {
			want, err := strconv.ParseInt(s, 10, int(bits))
			got, ok := parseInt([]byte(s), bits)
			if ok != (err == nil) || (ok && got != want) {
				t.Fatalf("parseInt(%q, %d) = %d %v, strconv %d %v", s, bits, got, ok, want, err)
			}
		}
	}
}

// trimSpace trims spaces and tabs at both ends, and only those.
func TestTrimSpace(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for range 100_000 {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = " \t\r\x00a7\xff"[r.IntN(7)]
		}
		if got, want := trimSpace(b), bytes.Trim(b, " \t"); !bytes.Equal(got, want) {
			t.Fatalf("trimSpace(%q) = %q, want %q", b, got, want)
		}
	}
}

// TestDateMemoOverInterleavedDates: dates that take turns among 70 days of
// three months (days of the month alike across months), with invalid ones
// among them, parse through the memo as parseDate parses them.
func TestDateMemoOverInterleavedDates(t *testing.T) {
	var dm dateMemo
	start := time.Date(2024, 12, 20, 0, 0, 0, 0, time.UTC)
	for i := range 5000 {
		text := start.AddDate(0, 0, (i*37)%70).Format("2006-01-02")
		switch i % 11 {
		case 3:
			text = text[:8] + "32" // not a day
		case 7:
			text = text[:9] // too short
		}
		got, gotOK := dm.parse([]byte(text))
		want, wantOK := parseDate([]byte(text))
		if got != want || gotOK != wantOK {
			t.Fatalf("%q: memo %d %v, parseDate %d %v", text, got, gotOK, want, wantOK)
		}
	}
}
