package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme holds the console's styles. It is a value made by NewTheme and
// passed in; NO_COLOR gives a theme without colours (bold/reverse only).
type Theme struct {
	Title     lipgloss.Style // view titles, active tab
	Tab       lipgloss.Style // inactive tabs
	Header    lipgloss.Style // table headers
	Selected  lipgloss.Style // the selected row
	Dim       lipgloss.Style // secondary text
	OK        lipgloss.Style // succeeded, accepted
	Warn      lipgloss.Style // running, partially rejected
	Error     lipgloss.Style // failed, rejected
	Bad       lipgloss.Style // a cell that breaks a rule
	StatusBar lipgloss.Style
	Border    lipgloss.Style // pane borders
	Key       lipgloss.Style // key names in help
	Bar       lipgloss.Style // the filled part of progress bars
}

// NewTheme returns the theme for a dark or light background; noColor drops colours.
func NewTheme(dark, noColor bool) *Theme {
	s := lipgloss.NewStyle
	if noColor {
		return &Theme{
			Title: s().Bold(true), Tab: s(), Header: s().Bold(true).Underline(true), Selected: s().Reverse(true),
			Dim: s(), OK: s(), Warn: s().Bold(true), Error: s().Bold(true), Bad: s().Reverse(true),
			StatusBar: s().Reverse(true), Border: s(), Key: s().Bold(true), Bar: s().Reverse(true),
		}
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, darkC string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkC)) }
	accent := c("#5A3FC0", "#B9A6FF")
	return &Theme{
		Title:     s().Bold(true).Foreground(accent),
		Tab:       s().Foreground(c("#555555", "#9A9A9A")),
		Header:    s().Bold(true).Foreground(c("#1F1F1F", "#E8E8E8")),
		Selected:  s().Reverse(true),
		Dim:       s().Foreground(c("#6B6B6B", "#8A8A8A")),
		OK:        s().Foreground(c("#1B7F3B", "#5FD787")),
		Warn:      s().Foreground(c("#9A6700", "#F5C542")),
		Error:     s().Foreground(c("#B3261E", "#FF6B6B")),
		Bad:       s().Foreground(c("#FFFFFF", "#1A1A1A")).Background(c("#B3261E", "#FF6B6B")),
		StatusBar: s().Foreground(c("#1F1F1F", "#E8E8E8")).Background(c("#E4E0F5", "#2E2A40")),
		Border:    s().Foreground(c("#BBBBBB", "#4A4A4A")),
		Key:       s().Bold(true).Foreground(accent),
		Bar:       s().Foreground(accent),
	}
}
