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
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
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
		h.Send(Key(k))
	}
}

// Type sends each character of s as a key.
func (h *Harness) Type(s string) {
	h.T.Helper()
	for _, r := range s {
		h.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Key returns the key press named k.
func Key(k string) tea.KeyPressMsg {
	named := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "space": tea.KeySpace,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
		"home": tea.KeyHome, "end": tea.KeyEnd}
	if strings.HasPrefix(k, "ctrl+") {
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	if r, ok := named[k]; ok {
		if r == tea.KeySpace {
			return tea.KeyPressMsg{Code: r, Text: " "}
		}
		return tea.KeyPressMsg{Code: r}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Frame renders the view, checks its size (exactly Height lines, each at
// most Width cells) and returns the styled frame.
func (h *Harness) Frame() string {
	h.T.Helper()
	out := h.View.Render(h.Ctx)
	lines := strings.Split(out, "\n")
	if len(lines) != h.Ctx.Height {
		h.T.Fatalf("frame has %d lines, want %d:\n%s", len(lines), h.Ctx.Height, ansi.Strip(out))
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > h.Ctx.Width {
			h.T.Fatalf("line %d is %d cells wide (max %d): %q", i, w, h.Ctx.Width, ansi.Strip(l))
		}
	}
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
