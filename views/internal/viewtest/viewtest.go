// Package viewtest drives views in tests: it hands a view a ui.Context,
// feeds it messages and keys, runs the commands it returns synchronously
// (flattening batches and feeding their results back), keeps the messages
// meant for the shell, and checks that every frame has exactly the view's
// size. etl/ops/opstest builds the lakes and services the views get.
package viewtest

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// maxDepth bounds how many commands a message may chain (a safety net
// against commands that keep producing messages).
const maxDepth = 32

// Harness holds a view under test.
type Harness struct {
	T    testing.TB
	Ctx  *ui.Context
	View ui.View
	// Out collects the messages meant for the shell (Notify, Go, Copy).
	Out []tea.Msg
}

// New returns a harness for v at 100×30 with a colour theme, and runs
// v.Init.
func New(t testing.TB, v ui.View) *Harness {
	t.Helper()
	h := &Harness{T: t, View: v, Ctx: &ui.Context{
		App: context.Background(), Keys: ui.DefaultKeyMap(), Theme: ui.NewTheme(true, false), Width: 100, Height: 30,
	}}
	h.run(v.Init(h.Ctx), 0)
	return h
}

// Send hands msg to the view and runs the commands that follow.
func (h *Harness) Send(msg tea.Msg) {
	h.T.Helper()
	h.send(msg, 0)
}

func (h *Harness) send(msg tea.Msg, depth int) {
	v, cmd := h.View.Update(h.Ctx, msg)
	if v == nil {
		h.T.Fatalf("Update(%T) returned a nil view", msg)
	}
	h.View = v
	h.run(cmd, depth+1)
}

func (h *Harness) run(cmd tea.Cmd, depth int) {
	if cmd == nil {
		return
	}
	if depth > maxDepth {
		h.T.Fatalf("commands chained more than %d deep", maxDepth)
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c, depth+1)
		}
	case ui.Notify, ui.Go, ui.Copy:
		h.Out = append(h.Out, msg)
	default:
		h.send(msg, depth)
	}
}

// Press sends keys by name: "enter", "esc", "space", "up", "down", "left",
// "right", "pgdown", "pgup", "tab", "backspace", "ctrl+r", or one character.
func (h *Harness) Press(keys ...string) {
	h.T.Helper()
	for _, k := range keys {
		h.Send(uitest.Key(k))
	}
}

// Type sends each character of s as a key.
func (h *Harness) Type(s string) {
	h.T.Helper()
	for _, r := range s {
		h.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Frame renders the view, checks its size (exactly Height lines, each at
// most Width cells) and returns the styled frame.
func (h *Harness) Frame() string {
	h.T.Helper()
	out := h.View.Render(h.Ctx)
	uitest.CheckFrame(h.T, out, h.Ctx.Width, h.Ctx.Height)
	return out
}

// Screen is Frame without styles.
func (h *Harness) Screen() string {
	h.T.Helper()
	return ansi.Strip(h.Frame())
}

// Resize sets the view's size.
func (h *Harness) Resize(w, ht int) { h.Ctx.Width, h.Ctx.Height = w, ht }

// Last returns the last shell message of type T, if any.
func Last[T tea.Msg](h *Harness) (T, bool) {
	for i := len(h.Out) - 1; i >= 0; i-- {
		if m, ok := h.Out[i].(T); ok {
			return m, true
		}
	}
	var zero T
	return zero, false
}

// LineWith returns the first line of a screen that holds text.
func LineWith(t testing.TB, screen, text string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	t.Fatalf("no line with %q:\n%s", text, screen)
	return ""
}

// Filter opens the view's / filter, checks that it has the keys, and types text.
func (h *Harness) Filter(text string) {
	h.T.Helper()
	h.Press("/")
	if !h.View.InputFocused() {
		h.T.Fatal("/ did not give the filter the keys")
	}
	h.Type(text)
}

// SmallSizes draws the view, then opens and closes what enter opens, at
// every tiny size: each frame must still have exactly its size.
func (h *Harness) SmallSizes() {
	h.T.Helper()
	for _, w := range []int{1, 7, 80} {
		for _, ht := range []int{1, 2, 3, 5, 24} {
			h.Resize(w, ht)
			h.Frame()
			h.Press("enter")
			h.Frame()
			h.Press("esc")
		}
	}
}

// ExpectLacks fails when the screen holds any of the texts.
func (h *Harness) ExpectLacks(texts ...string) string {
	h.T.Helper()
	s := h.Screen()
	for _, t := range texts {
		if strings.Contains(s, t) {
			h.T.Fatalf("screen holds %q:\n%s", t, s)
		}
	}
	return s
}

// ExpectContains fails when the screen lacks any of the texts.
func (h *Harness) ExpectContains(texts ...string) string {
	h.T.Helper()
	s := h.Screen()
	for _, t := range texts {
		if !strings.Contains(s, t) {
			h.T.Fatalf("screen lacks %q:\n%s", t, s)
		}
	}
	return s
}
