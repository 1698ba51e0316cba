package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Placeholder returns a view that only shows a centred note, for a screen
// that is not there yet, e.g. Placeholder("Query", "coming: SQL on DuckDB/Athena").
func Placeholder(title, text string) View { return placeholder{title: title, text: text} }

type placeholder struct{ title, text string }

func (p placeholder) Title() string                            { return p.title }
func (p placeholder) Init(*Context) tea.Cmd                    { return nil }
func (p placeholder) Update(*Context, tea.Msg) (View, tea.Cmd) { return p, nil }
func (p placeholder) Help() []key.Binding                      { return nil }
func (p placeholder) InputFocused() bool                       { return false }

// Render centres the note (each line cut to the width) in the area.
func (p placeholder) Render(ctx *Context) string {
	if ctx.Width <= 0 || ctx.Height <= 0 {
		return ""
	}
	lines := strings.Split(p.text, "\n")
	for i, l := range lines {
		lines[i] = fit(Sanitize(l), ctx.Width)
	}
	note := strings.Join(lines, "\n")
	if ctx.Theme != nil {
		note = ctx.Theme.Dim.Render(note)
	}
	return lipgloss.Place(ctx.Width, ctx.Height, lipgloss.Center, lipgloss.Center, note)
}
