// Package lineinput is the one-line text input that views use for filters:
// a bubbles textinput with a steady cursor (no blink timers, so Update never
// schedules ticks), where Enter keeps the text and Esc clears it, both
// giving focus back to the view.
package lineinput

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
)

// Result says what a key did to the input.
type Result int

// Results of Update.
const (
	Ignored   Result = iota // the input is not focused
	Changed                 // the text may have changed; still focused
	Accepted                // Enter: focus released, text kept
	Cancelled               // Esc: focus released, text cleared
)

// Model is a one-line input.
type Model struct {
	ti textinput.Model
}

// New returns an unfocused input with the given prompt (e.g. "/").
func New(prompt string) Model {
	ti := textinput.New()
	ti.Prompt = prompt
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	ti.SetStyles(st)
	return Model{ti: ti}
}

// Focus gives the input focus.
func (m *Model) Focus() { _ = m.ti.Focus() }

// Blur takes focus away, keeping the text.
func (m *Model) Blur() { m.ti.Blur() }

// Focused reports whether the input has focus.
func (m *Model) Focused() bool { return m.ti.Focused() }

// Value is the text.
func (m *Model) Value() string { return m.ti.Value() }

// SetValue replaces the text.
func (m *Model) SetValue(s string) { m.ti.SetValue(s) }

// Reset clears the text.
func (m *Model) Reset() { m.ti.Reset() }

// Update handles a message while the input is focused.
func (m *Model) Update(msg tea.Msg) (Result, tea.Cmd) {
	if !m.ti.Focused() {
		return Ignored, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			m.ti.Blur()
			return Accepted, nil
		case "esc":
			m.ti.Blur()
			m.ti.Reset()
			return Cancelled, nil
		}
	}
	var cmd tea.Cmd
	m.ti, cmd = m.ti.Update(msg)
	return Changed, cmd
}

// View draws the input in at most width cells: the live input when
// focused, else the prompt and text dimmed (nothing when empty).
func (m *Model) View(width int, th *ui.Theme) string {
	if width <= 0 {
		return ""
	}
	if m.ti.Focused() {
		m.ti.SetWidth(max(width-ansi.StringWidth(m.ti.Prompt)-1, 1))
		v := m.ti.View()
		if ansi.StringWidth(v) > width {
			v = ansi.Truncate(v, width, "")
		}
		return v
	}
	if m.ti.Value() == "" {
		return ""
	}
	s := textfmt.Sanitize(m.ti.Prompt + m.ti.Value())
	if ansi.StringWidth(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	return th.Dim.Render(s)
}
