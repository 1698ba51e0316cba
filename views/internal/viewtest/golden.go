package viewtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// GoldenSizes are the terminals the golden screens are drawn for; the view
// gets two lines less (the tabs and the status bar).
var GoldenSizes = [][2]int{{80, 24}, {200, 50}}

// Golden draws the view as the console would in each of GoldenSizes and
// compares each screen, without styles and trailing blanks, with
// testdata/<test>/<W>x<H>.golden (go test -update rewrites them). Every
// text of whole must be on the 200-column screen uncut, and every text of
// narrow on the 80-column one.
func (h *Harness) Golden(t *testing.T, whole, narrow []string) {
	t.Helper()
	Golden(t, func(t *testing.T, w, ht int) string {
		h.T = t
		h.Resize(w, ht)
		return h.Screen()
	}, whole, narrow)
}

// Golden is Harness.Golden for a view driven another way: screen draws
// the view in w × h cells (the view's area) without styles.
func Golden(t *testing.T, screen func(t *testing.T, w, h int) string, whole, narrow []string) {
	t.Helper()
	for _, size := range GoldenSizes {
		w, ht := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, ht), func(t *testing.T) {
			scr := screen(t, w, ht-2)
			lines := strings.Split(scr, "\n")
			for i, l := range lines {
				lines[i] = strings.TrimRight(l, " ")
			}
			out := strings.Join(lines, "\n") + "\n"
			want := narrow
			if w >= 200 {
				want = whole
			}
			for _, s := range want {
				if !strings.Contains(out, s) {
					t.Errorf("%d×%d: %q is cut or missing", w, ht, s)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}
