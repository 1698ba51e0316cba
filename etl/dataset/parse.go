package dataset

// Fast parsers for the raw value formats. They work on bytes and allocate nothing.

// parseInt parses an optionally signed decimal integer that fits in bits.
func parseInt(b []byte, bits uint) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if len(b)-i <= 9 { // fits any width we parse: no overflow checks
		var v int64
		if (len(b)-i)&1 == 1 {
			c := b[i] - '0'
			if c > 9 {
				return 0, false
			}
			v = int64(c)
			i++
		}
		for ; i+1 < len(b); i += 2 { // two digits a step: half the multiply chain
			c0, c1 := b[i]-'0', b[i+1]-'0'
			if c0 > 9 || c1 > 9 {
				return 0, false
			}
			v = v*100 + int64(c0)*10 + int64(c1)
		}
		if neg {
			return -v, true
		}
		return v, true
	}
	var n uint64
	limit := uint64(1) << (bits - 1) // magnitude limit (inclusive for negatives)
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, false
		}
		if n > (limit+9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c)
		if n > limit {
			return 0, false
		}
	}
	if neg {
		return -int64(n), true
	}
	if n == limit {
		return 0, false
	}
	return int64(n), true
}

func digits(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int(c)
	}
	return v, true
}

// daysFromCivil converts a proleptic Gregorian date to days since 1970-01-01.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseDate parses YYYY-MM-DD into days since the epoch.
func parseDate(b []byte) (int64, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(b, 4)
	m, ok2 := digits(b[5:], 2)
	d, ok3 := digits(b[8:], 2)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// parseTimestamp parses YYYY-MM-DD[T ]HH:MM[:SS[.frac]] with an optional Z or
// ±HH:MM into microseconds since the epoch (UTC); no zone means UTC.
func parseTimestamp(b []byte) (int64, bool) {
	var dm dateMemo
	return parseTimestampMemo(&dm, b)
}

// parseTimestampMemo is parseTimestamp reading the date part through dm.
func parseTimestampMemo(dm *dateMemo, b []byte) (int64, bool) {
	if len(b) < 16 || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') {
		return 0, false
	}
	days, ok := dm.parse(b[:10])
	if !ok {
		return 0, false
	}
	hh, ok1 := digits(b[11:], 2)
	mm, ok2 := digits(b[14:], 2)
	if !ok1 || !ok2 || b[13] != ':' || hh > 23 || mm > 59 {
		return 0, false
	}
	rest := b[16:]
	ss, micros := 0, 0
	if len(rest) > 0 && rest[0] == ':' {
		s, ok := digits(rest[1:], 2)
		if !ok || s > 59 {
			return 0, false
		}
		ss = s
		rest = rest[3:]
		if len(rest) > 0 && rest[0] == '.' {
			rest = rest[1:]
			n := 0
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			if n == 0 || n > 9 {
				return 0, false
			}
			scale := 100000
			for i := 0; i < n && i < 6; i++ {
				micros += int(rest[i]-'0') * scale
				scale /= 10
			}
			rest = rest[n:]
		}
	}
	offset := 0
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:], 2)
		om, ok2 := digits(rest[4:], 2)
		if !ok1 || !ok2 || oh > 18 || om > 59 {
			return 0, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	secs := days*86400 + int64(hh*3600+mm*60+ss) - int64(offset)
	return secs*1_000_000 + int64(micros), true
}

// parseDecimal2 parses a plain decimal with at most 2 fraction digits and at
// most 10 integer digits (decimal(12,2)) into hundredths.
func parseDecimal2(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
	}
	var n int64
	intDigits, fracDigits := 0, 0
	seenDot := false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			if seenDot {
				fracDigits++
				if fracDigits > 2 {
					return 0, false
				}
			} else {
				intDigits++
				if intDigits > 10 {
					return 0, false
				}
			}
			n = n*10 + int64(c-'0')
		default:
			return 0, false
		}
	}
	if intDigits+fracDigits == 0 {
		return 0, false
	}
	for ; fracDigits < 2; fracDigits++ {
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseBool accepts 0, 1, true and false (any case).
func parseBool(b []byte) (bool, bool) {
	switch len(b) {
	case 1:
		switch b[0] {
		case '0':
			return false, true
		case '1':
			return true, true
		}
	case 4:
		if (b[0]|0x20) == 't' && (b[1]|0x20) == 'r' && (b[2]|0x20) == 'u' && (b[3]|0x20) == 'e' {
			return true, true
		}
	case 5:
		if (b[0]|0x20) == 'f' && (b[1]|0x20) == 'a' && (b[2]|0x20) == 'l' && (b[3]|0x20) == 's' && (b[4]|0x20) == 'e' {
			return false, true
		}
	}
	return false, false
}

// trimSpace trims ASCII spaces and tabs.
func trimSpace(b []byte) []byte {
	if len(b) > 0 && b[0] > ' ' && b[len(b)-1] > ' ' { // the common case: nothing to trim
		return b
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
