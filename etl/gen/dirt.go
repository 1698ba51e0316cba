package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Reason codes that are not tied to a column.
const (
	ReasonMalformed  = "malformed"
	ReasonEncoding   = "encoding"
	ReasonDuplicate  = "duplicate"
	ReasonSuperseded = "superseded"
	ReasonMismatch   = "mismatch:date"
)

type colType int

const (
	tLong colType = iota
	tInt
	tString
	tDecimal
	tBool
	tTimestamp
	tDate
)

type column struct {
	name string
	typ  colType
}

// spec is what the dirt needs to know of a dataset.
type spec struct {
	cols    []column
	defects []string // reason codes, in cycle order
}

func (s *spec) col(name string) int {
	for i, c := range s.cols {
		if c.name == name {
			return i
		}
	}
	panic("gen: no column " + name) // programming error: the specs below are fixed
}

func codes(prefix string, cols ...string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + ":" + c
	}
	return out
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// newSpec returns the columns and defect cycle of a dataset. Items never get
// required/type defects on order_id or product_id, so that an empty or
// unparsable reference cannot also count as a failed reference.
func newSpec(dataset string) spec {
	switch dataset {
	case Products:
		return spec{
			cols: []column{{"product_id", tLong}, {"department_id", tLong}, {"department", tString}, {"product_name", tString}},
			defects: join([]string{ReasonMalformed, ReasonEncoding},
				codes("required", "product_id", "department_id", "department", "product_name"),
				codes("type", "product_id", "department_id"),
				[]string{ReasonDuplicate, ReasonSuperseded}),
		}
	case Orders:
		return spec{
			cols: []column{{"order_num", tLong}, {"order_id", tLong}, {"user_id", tLong},
				{"order_timestamp", tTimestamp}, {"total_amount", tDecimal}, {"date", tDate}},
			defects: join([]string{ReasonMalformed},
				codes("required", "order_id", "user_id", "order_timestamp", "total_amount", "date"),
				codes("type", "order_num", "order_id", "user_id", "total_amount"),
				[]string{"timestamp:order_timestamp", "date:date", "range:total_amount", ReasonMismatch,
					ReasonDuplicate, ReasonSuperseded}),
		}
	default:
		return spec{
			cols: []column{{"id", tLong}, {"order_id", tLong}, {"user_id", tLong}, {"days_since_prior_order", tInt},
				{"product_id", tLong}, {"add_to_cart_order", tInt}, {"reordered", tBool},
				{"order_timestamp", tTimestamp}, {"date", tDate}},
			defects: join([]string{ReasonMalformed},
				codes("required", "id", "user_id", "add_to_cart_order", "reordered", "order_timestamp", "date"),
				codes("type", "id", "user_id", "days_since_prior_order", "add_to_cart_order", "reordered"),
				[]string{"timestamp:order_timestamp", "date:date", "range:add_to_cart_order",
					"range:days_since_prior_order", ReasonMismatch, "reference:order_id", "reference:product_id",
					ReasonDuplicate, ReasonSuperseded}),
		}
	}
}

// Defects lists the reason codes the generator injects into a dataset's
// files, in the order it cycles through them.
func Defects(dataset string) []string {
	switch dataset {
	case Products, Orders, OrderItems:
		s := newSpec(dataset)
		return s.defects
	}
	return nil
}

// corrupt breaks a valid row with a key of its own (fields f) by exactly one
// rule, code (not duplicate or superseded), and returns the row's line.
func (s *spec) corrupt(code string, f []string, r *rand.Rand) []byte {
	kind, colName, _ := strings.Cut(code, ":")
	ci := -1
	if colName != "" {
		ci = s.col(colName)
	}
	switch kind {
	case ReasonMalformed:
		return malformed(f, r)
	case ReasonEncoding:
		var str []int
		for i, c := range s.cols {
			if c.typ == tString {
				str = append(str, i)
			}
		}
		i := str[r.IntN(len(str))]
		if r.IntN(2) == 0 {
			f[i] += "\xff"
		} else {
			f[i] = f[i][:len(f[i])-1] + "\xe9" // a Latin-1 é
		}
	case "required":
		f[ci] = ""
	case "type":
		f[ci] = badType(s.cols[ci].typ, f[ci], r)
	case "timestamp":
		t := f[ci] // YYYY-MM-DDTHH:MM:SS
		switch r.IntN(3) {
		case 0:
			f[ci] = t[:14] + "7" + t[15:] // minute 70..79
		case 1:
			f[ci] = t[8:10] + "/" + t[5:7] + "/" + t[:4] + " " + t[11:16]
		default:
			f[ci] = t[:13] + "." + t[14:16]
		}
	case "date":
		d := f[ci] // YYYY-MM-DD
		switch r.IntN(3) {
		case 0:
			f[ci] = d[:8] + "32"
		case 1:
			f[ci] = strings.ReplaceAll(d, "-", "/")
		default:
			f[ci] = d[8:10] + "-" + d[5:7] + "-" + d[:4]
		}
	case "range":
		switch colName {
		case "total_amount":
			if r.IntN(2) == 0 {
				f[ci] = "0.0"
			} else {
				f[ci] = "-" + f[ci]
			}
		case "add_to_cart_order":
			f[ci] = strconv.Itoa(-r.IntN(3)) // 0, -1 or -2
		default: // days_since_prior_order
			f[ci] = strconv.Itoa(-1 - r.IntN(30))
		}
	case "mismatch":
		t, err := time.Parse("2006-01-02", f[ci])
		if err != nil {
			panic("gen: clean date " + f[ci] + " does not parse") // programming error
		}
		f[ci] = t.AddDate(0, 0, 1-2*r.IntN(2)).Format("2006-01-02")
	case "reference":
		f[ci] = strconv.FormatInt(MissingIDBase+r.Int64N(1_000_000_000), 10)
	default:
		panic("gen: cannot inject " + code) // programming error
	}
	return []byte(strings.Join(f, ",") + "\n")
}

// badType returns a non-empty value that does not parse as t.
func badType(t colType, v string, r *rand.Rand) string {
	if t == tBool {
		return []string{"maybe", "2", "yes"}[r.IntN(3)]
	}
	if r.IntN(2) == 0 {
		return v + "x"
	}
	return "#" + v
}

// malformed makes a record that cannot be parsed as CSV: a bare quote inside
// a field (never at its start, which would open a quoted field running to
// the end of the file), or a field too few or too many.
func malformed(f []string, r *rand.Rand) []byte {
	switch r.IntN(3) {
	case 0:
		var long []int
		for i, v := range f {
			if len(v) >= 2 {
				long = append(long, i)
			}
		}
		i := long[r.IntN(len(long))] // the fresh key always has 10 digits
		at := 1 + r.IntN(len(f[i])-1)
		f[i] = f[i][:at] + `"` + f[i][at:]
	case 1:
		f = f[:len(f)-1]
	default:
		f = append(f, f[len(f)-1])
	}
	return []byte(strings.Join(f, ",") + "\n")
}
