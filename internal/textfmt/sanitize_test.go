package textfmt

import (
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "orders_2024-01-01.csv", "orders_2024-01-01.csv"},
		{"unicode kept", "café – 日本", "café – 日本"},
		{"tab", "a\tb", "a b"},
		{"newlines", "a\r\nb", `a\r\nb`},
		{"CSI colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"clear screen", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"OSC 52 clipboard", "\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},
		{"OSC 8 link ST", "\x1b]8;;http://x\x1b\\y", `\x1b]8;;http://x\x1b\y`},
		{"C1 CSI", "a\u009b31mb", `a\x9b31mb`},
		{"C1 OSC", "\u009d0;title\u009c", `\x9d0;title\x9c`},
		{"DEL and NUL", "a\x7fb\x00", `a\x7fb\x00`},
		{"invalid UTF-8", "ab\xff\xfec", `ab\xff\xfec`},
		{"truncated rune", "x\xe6\x97", `x\xe6\x97`},
		{"RLO", "invoice\u202egpj.exe", `invoice\u202egpj.exe`},
		{"all embeddings", "\u202a\u202b\u202c\u202d\u202e", `\u202a\u202b\u202c\u202d\u202e`},
		{"isolates", "\u2066a\u2067b\u2068c\u2069", `\u2066a\u2067b\u2068c\u2069`},
		{"bidi neighbours kept", "\u2029\u202f\u2065\u206a", "\u2029\u202f\u2065\u206a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Sanitize(c.in); got != c.want {
				t.Fatalf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSanitizeOutputHasNoControls(t *testing.T) {
	var all []byte
	for b := range 256 {
		all = append(all, byte(b))
	}
	all = append(all, "\u0085\u009b\u202e\u2066"...)
	out := Sanitize(string(all))
	for _, r := range out {
		if IsControl(r) {
			t.Fatalf("control %U left in %q", r, out)
		}
	}
}

// FuzzSanitize checks that no control rune survives Sanitize, that text
// without one comes back unchanged, and that the output is valid UTF-8.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "a\u202eb", "\xff\xfe", "tab\there", "日本\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q is not valid UTF-8", s, out)
		}
		clean := utf8.ValidString(s)
		for _, r := range s {
			if IsControl(r) {
				clean = false
			}
		}
		for _, r := range out {
			if IsControl(r) {
				t.Fatalf("control %U left in Sanitize(%q) = %q", r, s, out)
			}
		}
		if clean && out != s {
			t.Fatalf("clean text changed: %q → %q", s, out)
		}
	})
}
