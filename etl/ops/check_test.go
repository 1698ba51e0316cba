package ops

import (
	"slices"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/dataset"
)

func TestRecheck(t *testing.T) {
	ds, _ := dataset.ByName(dataset.Orders)
	hdr := "order_num,order_id,user_id,order_timestamp,total_amount,date"
	row, err := recheck(ds, hdr, []byte("1,10,x,2025-04-01T10:00:00Z,-5,2025-04-02"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"type:user_id", "range:total_amount", "mismatch:date"}
	if !slices.Equal(row.Reasons, want) {
		t.Fatalf("reasons %v", row.Reasons)
	}
	if !slices.Equal(row.Bad, []bool{false, false, true, true, true, true}) {
		t.Fatalf("bad %v", row.Bad)
	}
	if row.Cells[2] != "x" {
		t.Fatalf("cells %v", row.Cells)
	}
	row, err = recheck(ds, hdr, []byte(`1,"10`))
	if err != nil || !slices.Equal(row.Reasons, []string{"malformed"}) || row.Raw == "" {
		t.Fatalf("malformed: %+v %v", row, err)
	}
	row, _ = recheck(ds, hdr, []byte("1,2,3"))
	if !slices.Equal(row.Reasons, []string{"malformed"}) || row.Cells[1] != "2" {
		t.Fatalf("short record: %+v", row)
	}
	if _, err := recheck(ds, "a,b", nil); err == nil {
		t.Fatal("bad header accepted")
	}
}

// The notes say what a rejected row's fields alone do not: a malformed
// record's field count against its header's, the key a duplicate or a
// superseded row lost on (and how to see the kept row), where a reference
// was looked for; a malformed record blames no one column.
func TestRejectNotes(t *testing.T) {
	header := "order_num,order_id,user_id,order_timestamp,total_amount,date"
	row := func(raw string, reasons ...string) RejectRow {
		return RejectRow{Header: header, Raw: raw, Reasons: reasons}
	}
	for _, c := range []struct {
		row  RejectRow
		want string
	}{
		{row("1,2,3,2025-04-01T10:00:00,10.00,2025-04-01,extra", "malformed"), "malformed: the record has 7 fields, the header has 6"},
		{row("1,2,3", "malformed"), "malformed: the record has 3 fields, the header has 6"},
		{row("1,10351,3,2025-04-01T10:00:00,10.00,2025-04-01", "superseded"), "SELECT * FROM orders WHERE order_id = 10351 shows it"},
		{row("1,10351,3,2025-04-01T10:00:00,10.00,2025-04-01", "duplicate"), "duplicate: an identical row with order_id 10351 was kept"},
		{row("1,2,3,01/04/2025 10:00,10.00,2025-04-01", "timestamp:order_timestamp"), "order_timestamp must be a date and time, YYYY-MM-DD HH:MM"},
		{row("1,2,3,2025-04-01T10:00:00,10.00,01/04/2025", "date:date"), "date:date: date must be a calendar date, YYYY-MM-DD"},
		{row("1,2,3,2025-04-01T10:00:00,10.00,2025-04-02", "mismatch:date"), "date is not the day (UTC) of order_timestamp"},
		{row("1,2,,2025-04-01T10:00:00,10.00,2025-04-01", "required:user_id"), "user_id is empty"},
		{row("1,2,3,2025-04-01T10:00:00,10.00,2025-04-01", "encoding"), "not valid UTF-8"},
	} {
		notes := RejectNotes("orders", c.row)
		if len(notes) != 1 || !strings.Contains(notes[0], c.want) {
			t.Errorf("%q %v: notes %q, want %q", c.row.Raw, c.row.Reasons, notes, c.want)
		}
	}
	fields, err := InspectReject("orders", row("1,2,3", "malformed"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if f.Bad || f.Verdict != "not checked (malformed record)" {
			t.Errorf("a malformed record's column %s: bad %v, %q; want not blamed and not called ok", f.Column, f.Bad, f.Verdict)
		}
	}
	// Records from line 6 of their file: the notes count lines in the
	// file, not in the record.
	for raw, want := range map[string]string{
		"1,\"2,3,2025-04-01T10:00:00,10.00,2025-04-01\n2,3\n4": "malformed: line 6, column 3: field 2: unterminated quoted field",
		"1,\"a\nb\"x,3,2025-04-01T10:00:00,10.00,2025-04-01":   "malformed: line 7, column 3 (record starts on line 6): field 2: extraneous text",
	} {
		notes := RejectNotes("orders", RejectRow{Header: header, Line: 6, Raw: raw, Reasons: []string{"malformed"}})
		if len(notes) != 1 || !strings.HasPrefix(notes[0], want) {
			t.Errorf("%q from line 6: notes %q, want %q", raw, notes, want)
		}
	}
	items := RejectRow{Header: "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date",
		Raw: "1,99,3,,5,1,0,2025-04-01T10:00:00,2025-04-01", Reasons: []string{"reference:order_id"}}
	if notes := RejectNotes("order_items", items); len(notes) != 1 || !strings.Contains(notes[0], "neither in its table nor among the run's accepted rows") {
		t.Errorf("reference: %q", notes)
	}
}
