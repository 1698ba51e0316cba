package athena

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// converter turns Athena's text rendering of a non-NULL value into a Go value.
type converter func(string) any

// columnType is the column's type as Athena names it, with a decimal's
// precision and scale when Athena sends them: "bigint", "decimal(12,2)".
func columnType(c types.ColumnInfo) string {
	t := aws.ToString(c.Type)
	if strings.EqualFold(t, "decimal") && c.Precision > 0 {
		return fmt.Sprintf("%s(%d,%d)", t, c.Precision, c.Scale)
	}
	return t
}

// baseType lower-cases a type name and drops its parameters: "varchar(10)" → "varchar".
func baseType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		rest := t[i:]
		t = strings.TrimSpace(t[:i])
		// "timestamp(3) with time zone" keeps its zone suffix.
		if j := strings.IndexByte(rest, ')'); j >= 0 {
			if tail := strings.TrimSpace(rest[j+1:]); tail != "" {
				t += " " + tail
			}
		}
	}
	return t
}

// converterFor picks the conversion for an Athena column type (see the package doc).
func converterFor(athenaType string) converter {
	switch baseType(athenaType) {
	case "tinyint", "smallint", "integer", "int", "bigint":
		return toInt
	case "double", "float", "real":
		return toFloat
	case "boolean":
		return toBool
	case "timestamp":
		return toTimestamp
	case "timestamp with time zone":
		return toTimestampTZ
	case "varbinary", "binary":
		return toBytes
	default: // decimal, date, time, varchar, char, string, array, map, row, json, ...
		return toString
	}
}

func toString(s string) any { return s }

func toInt(s string) any {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v
	}
	return s
}

func toFloat(s string) any {
	switch s {
	case "NaN":
		return math.NaN()
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v
	}
	return s
}

func toBool(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	return s
}

// Athena renders timestamps as "2024-01-02 03:04:05.123" (engine v2,
// milliseconds) or with up to nanoseconds (engine v3); the fraction is optional.
const (
	layoutSpace = "2006-01-02 15:04:05.999999999"
	layoutT     = "2006-01-02T15:04:05.999999999"
)

func parseTimestamp(s string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(layoutSpace, s, loc)
	if err != nil {
		t, err = time.ParseInLocation(layoutT, s, loc)
	}
	return t, err == nil
}

func toTimestamp(s string) any {
	if t, ok := parseTimestamp(s, time.UTC); ok {
		return t
	}
	return s
}

// toTimestampTZ parses "2024-01-02 03:04:05.123 UTC", "... Europe/Berlin" or
// "... +01:00".
func toTimestampTZ(s string) any {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return s
	}
	local, zone := s[:i], s[i+1:]
	var loc *time.Location
	if zone == "UTC" || zone == "Z" {
		loc = time.UTC
	} else if off, ok := parseOffset(zone); ok {
		loc = time.FixedZone(zone, off)
	} else if l, err := time.LoadLocation(zone); err == nil {
		loc = l
	} else {
		return s
	}
	if t, ok := parseTimestamp(local, loc); ok {
		return t
	}
	return s
}

// parseOffset parses "+01:00" / "-0530" into seconds east of UTC.
func parseOffset(z string) (int, bool) {
	if len(z) < 3 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	if len(digits) != 2 && len(digits) != 4 {
		return 0, false
	}
	h, err := strconv.Atoi(digits[:2])
	if err != nil {
		return 0, false
	}
	m := 0
	if len(digits) == 4 {
		if m, err = strconv.Atoi(digits[2:]); err != nil {
			return 0, false
		}
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

// toBytes decodes Athena's varbinary rendering, hex bytes separated by spaces
// ("68 65 6c 6c 6f").
func toBytes(s string) any {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return s
	}
	return b
}
