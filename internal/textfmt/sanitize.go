// Package textfmt renders values for people, the same way in the console,
// the headless CLI and the messages of every layer: text from data made
// safe for a terminal, byte sizes in IEC units (KiB, MiB), durations,
// counts, rates and times. It is the one home of each of these helpers,
// and imports nothing of the module, so that every layer may use it.
package textfmt

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes text from data safe to draw: control characters (C0, DEL,
// C1, which start escape sequences) appear escaped as \xNN or \n, invalid
// UTF-8 bytes as \xNN; tabs become a space; Unicode bidi embedding,
// override and isolate controls (U+202A–U+202E, U+2066–U+2069), which can
// make text display in another order than it is, appear as \uNNNN.
// Nothing from data reaches the terminal raw.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f || b >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case IsControl(r) && !IsBidiControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case IsBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// IsControl reports the runes that must not reach a terminal raw: C0
// controls, DEL, C1 controls and the bidi controls (IsBidiControl).
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || IsBidiControl(r)
}

// IsBidiControl reports the Unicode bidi embedding, override and isolate
// controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
