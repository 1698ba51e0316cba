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
	return ThemeWith(dark, nil)
}

// Colors are the console's colour names, each with its light and dark
// background values; ThemeWith takes overrides by these names.
func Colors() map[string][2]string {
	return map[string][2]string{
		"accent":     {"#5A3FC0", "#B9A6FF"}, // titles, keys, progress bars
		"tab":        {"#555555", "#9A9A9A"}, // inactive tabs
		"text":       {"#1F1F1F", "#E8E8E8"}, // headers, the status bar's text
		"dim":        {"#6B6B6B", "#8A8A8A"}, // secondary text
		"ok":         {"#1B7F3B", "#5FD787"}, // succeeded, accepted
		"warn":       {"#9A6700", "#F5C542"}, // running, partially rejected
		"error":      {"#B3261E", "#FF6B6B"}, // failed, rejected, a cell that breaks a rule
		"bad_text":   {"#FFFFFF", "#1A1A1A"}, // the text of a cell that breaks a rule
		"status_bar": {"#E4E0F5", "#2E2A40"}, // the status bar's background
		"border":     {"#BBBBBB", "#4A4A4A"}, // pane borders
	}
}

// ThemeWith returns the theme for a dark or light background with some
// colours replaced (by the names of Colors; a value is "#RRGGBB", "#RGB"
// or an ANSI colour number 0–255, see ValidColor), for both backgrounds.
func ThemeWith(dark bool, overrides map[string]string) *Theme {
	s := lipgloss.NewStyle
	pal := Colors()
	for name, v := range overrides {
		if _, ok := pal[name]; ok {
			pal[name] = [2]string{v, v}
		}
	}
	ld := lipgloss.LightDark(dark)
	c := func(name string) color.Color { return ld(lipgloss.Color(pal[name][0]), lipgloss.Color(pal[name][1])) }
	accent := c("accent")
	return &Theme{
		Title:     s().Bold(true).Foreground(accent),
		Tab:       s().Foreground(c("tab")),
		Header:    s().Bold(true).Foreground(c("text")),
		Selected:  s().Reverse(true),
		Dim:       s().Foreground(c("dim")),
		OK:        s().Foreground(c("ok")),
		Warn:      s().Foreground(c("warn")),
		Error:     s().Foreground(c("error")),
		Bad:       s().Foreground(c("bad_text")).Background(c("error")),
		StatusBar: s().Foreground(c("text")).Background(c("status_bar")),
		Border:    s().Foreground(c("border")),
		Key:       s().Bold(true).Foreground(accent),
		Bar:       s().Foreground(accent),
	}
}
