// Package editor is the multi-line text editor the console's views share
// (the SQL editor, the flow input editor): a bubbles textarea with line
// numbers, no prompt, a steady cursor (no blink timers) and room for long
// texts, styled from the theme.
package editor

import (
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/ui"
)

// New returns an unfocused editor with a placeholder; up and down move
// between lines, the view owns the keys it binds itself.
func New(placeholder string) textarea.Model {
	ed := textarea.New()
	ed.Placeholder = placeholder
	ed.ShowLineNumbers = true
	ed.Prompt = ""
	ed.CharLimit = 1 << 20
	ed.MaxHeight = 999 // lines of text; also the editor's tallest frame
	ed.EndOfBufferCharacter = ' '
	ed.KeyMap.LinePrevious.SetKeys("up")
	ed.KeyMap.LineNext.SetKeys("down")
	return ed
}

// Style styles ed from the theme; with dimBlurred its text and current
// line number are dim while it does not have focus.
func Style(ed *textarea.Model, th *ui.Theme, dimBlurred bool) {
	plain := lipgloss.NewStyle()
	focused := textarea.StyleState{Base: plain, Text: plain, LineNumber: th.Dim, CursorLineNumber: th.Key,
		CursorLine: plain, EndOfBuffer: th.Dim, Placeholder: th.Dim, Prompt: th.Key}
	blurred := focused
	if dimBlurred {
		blurred.CursorLineNumber, blurred.Text = th.Dim, th.Dim
	}
	ed.SetStyles(textarea.Styles{Focused: focused, Blurred: blurred, Cursor: textarea.CursorStyle{Shape: tea.CursorBlock}})
}

// Size remembers the size an editor was given, so it is set (which
// reflows the text) only when it changes.
type Size struct{ w, h int }

// Fit gives ed w × h cells (at least 1 × 1) unless it has them already.
func (s *Size) Fit(ed *textarea.Model, w, h int) {
	w, h = max(w, 1), max(h, 1)
	if w != s.w {
		ed.SetWidth(w)
		s.w = w
	}
	if h != s.h {
		ed.SetHeight(h)
		s.h = h
	}
}

// Forget makes the next Fit set the size again (after a new style: the
// frame's size depends on it).
func (s *Size) Forget() { s.w, s.h = 0, 0 }
