package flows

import (
	"strings"
	"testing"
)

// TestLegendListsEveryMark: the graph's legend explains every mark a state
// can carry — ■ aborted too, which a stopped execution shows — whole, at
// every width (on lines of its own when the graph pane is narrow).
func TestLegendListsEveryMark(t *testing.T) {
	f := newFakeService(t)
	f.add(1)
	h, _, _ := newHarness(t, f)
	openFirst(t, h)
	h.Press("x", "y")
	if got := markOf(t, h.Screen(), "StartCrawler"); got != aborted.mark() {
		t.Fatalf("the stopped state's mark %q", got)
	}
	for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 30}, {200, 50}, {60, 20}} {
		h.Resize(size[0], size[1])
		scr := h.Screen()
		for s := range numStatuses {
			if want := s.mark() + " " + s.legendName(); !strings.Contains(scr, want) {
				t.Errorf("at %v the legend lacks %q:\n%s", size, want, scr)
			}
		}
	}
}
