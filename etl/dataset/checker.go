package dataset

import "unicode/utf8"

// rangeRule is a column's range rule.
type rangeRule uint8

const (
	noRange     rangeRule = iota
	positive              // > 0 (total_amount)
	atLeastOne            // >= 1 (add_to_cart_order)
	nonNegative           // >= 0 (days_since_prior_order)
)

// colPlan is how one dataset column is checked, prepared once per mapping:
// where its field is, and its reason codes.
type colPlan struct {
	pos      int // field index in the file, -1 when absent
	typ      Type
	optional bool
	rng      rangeRule
	required string // "required:<col>"
	bad      string // "type:<col>", "timestamp:<col>" or "date:<col>"
	outside  string // "range:<col>"
}

func newPlan(m *Mapping) []colPlan {
	plan := make([]colPlan, len(m.Dataset.Columns))
	for ci, c := range m.Dataset.Columns {
		p := colPlan{pos: m.Pos[ci], typ: c.Type, optional: c.Optional,
			required: "required:" + c.Name, bad: "type:" + c.Name, outside: "range:" + c.Name}
		switch c.Type {
		case Timestamp:
			p.bad = "timestamp:" + c.Name
		case Date:
			p.bad = "date:" + c.Name
		}
		switch c.Name {
		case "total_amount":
			p.rng = positive
		case "add_to_cart_order":
			p.rng = atLeastOne
		case "days_since_prior_order":
			p.rng = nonNegative
		}
		plan[ci] = p
	}
	return plan
}

// Checker applies a mapping's row rules. It keeps scratch state (the last
// date parsed: a file's rows mostly share their date), so each goroutine
// needs its own.
type Checker struct {
	m    *Mapping
	date dateMemo
}

// NewChecker returns a Checker for the mapping (made by MapHeader, which
// prepares the plan; the mapping is never changed, so Checkers on several
// goroutines may share it).
func (m *Mapping) NewChecker() *Checker { return &Checker{m: m} }

// Check applies the row rules to a well-formed record split into fields,
// filling vals (one per dataset column) and appending every broken rule's
// reason code to reasons. raw is the record's source text, for the encoding
// rule, which is skipped when the caller knows raw is ASCII.
func (c *Checker) Check(fields [][]byte, raw []byte, ascii bool, vals []Value, reasons []string) []string {
	m := c.m
	if len(fields) != m.NumField {
		return append(reasons, ReasonMalformed)
	}
	if !ascii && !utf8.Valid(raw) {
		reasons = append(reasons, ReasonEncoding)
	}
	plan := m.plan
	vals = vals[:len(plan)]
	var outside uint64 // columns out of range
	for ci := range plan {
		p := &plan[ci]
		v := &vals[ci]
		var b []byte
		if p.pos >= 0 {
			b = fields[p.pos]
		}
		if p.typ != String {
			b = trimSpace(b)
		}
		if len(b) == 0 {
			*v = Value{Null: true}
			if !p.optional {
				reasons = append(reasons, p.required)
			}
			continue
		}
		var n int64
		ok := true
		switch p.typ {
		case Long:
			n, ok = parseInt(b, 64)
		case Int:
			n, ok = parseInt(b, 32)
		case Decimal:
			n, ok = parseDecimal2(b)
		case Bool:
			var t bool
			if t, ok = parseBool(b); t {
				n = 1
			}
		case Timestamp:
			n, ok = parseTimestampMemo(&c.date, b)
		case Date:
			n, ok = c.date.parse(b)
		case String:
			*v = Value{S: string(b)}
			continue
		}
		if !ok {
			*v = Value{Null: true}
			reasons = append(reasons, p.bad)
			continue
		}
		*v = Value{I: n}
		if p.rng != noRange && (p.rng == positive && n <= 0 || p.rng == atLeastOne && n < 1 || p.rng == nonNegative && n < 0) {
			outside |= 1 << uint(ci)
		}
	}
	// Range reasons follow the parse reasons, in column order.
	for ci := 0; outside != 0; ci++ {
		if outside&1 != 0 {
			reasons = append(reasons, plan[ci].outside)
		}
		outside >>= 1
	}
	if d := m.Dataset; d.Timestamp >= 0 && d.Date >= 0 {
		ts, dt := vals[d.Timestamp], vals[d.Date]
		if !ts.Null && !dt.Null && floorDiv(ts.I, 86_400_000_000) != dt.I {
			reasons = append(reasons, ReasonMismatch)
		}
	}
	return reasons
}

// dateMemo remembers YYYY-MM-DD texts parsed and their days, one a day of
// the month (by the text's last two digits), so that rows whose dates take
// turns among the days of a month parse each date once.
type dateMemo [32]memoDate

type memoDate struct {
	text [10]byte
	days int64
	set  bool
}

// parse is parseDate with the memo.
func (dm *dateMemo) parse(b []byte) (int64, bool) {
	if len(b) != 10 {
		return parseDate(b)
	}
	m := &dm[(int(b[8])*10+int(b[9]))%len(dm)]
	if m.set && string(b) == string(m.text[:]) {
		return m.days, true
	}
	days, ok := parseDate(b)
	if ok {
		copy(m.text[:], b)
		m.days, m.set = days, true
	}
	return days, ok
}

// ReasonCodes are every reason code a row of the dataset can be rejected
// with: the row rules' (malformed, encoding, then per column its required,
// parse and range rules), mismatch:date, dedup's duplicate and superseded,
// and for order_items the references etl/pipeline checks.
func (d *Dataset) ReasonCodes() []string {
	codes := []string{ReasonMalformed, ReasonEncoding}
	for _, p := range newPlan(&Mapping{Dataset: d, Pos: make([]int, len(d.Columns))}) {
		if !p.optional {
			codes = append(codes, p.required)
		}
		if p.typ != String {
			codes = append(codes, p.bad)
		}
		if p.rng != noRange {
			codes = append(codes, p.outside)
		}
	}
	if d.Timestamp >= 0 && d.Date >= 0 {
		codes = append(codes, ReasonMismatch)
	}
	codes = append(codes, ReasonDuplicate, ReasonSuperseded)
	if d.Name == OrderItems {
		codes = append(codes, "reference:order_id", "reference:product_id")
	}
	return codes
}
