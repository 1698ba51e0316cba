package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ThemeNames are the themes a configuration may name: auto follows the
// terminal's background, dark and light fix it, mono has no colours.
func ThemeNames() []string { return []string{"auto", "dark", "light", "mono"} }

// ThemeSpec is a configured theme: a name of ThemeNames ("" is auto) and
// colours by the names of Colors.
type ThemeSpec struct {
	Name   string
	Colors map[string]string
}

// ThemeSpecError names the part of a ThemeSpec that is wrong: Color is
// "" for the theme's name.
type ThemeSpecError struct {
	Color string
	Msg   string
}

func (e *ThemeSpecError) Error() string { return e.Msg }

// Check refuses an unknown theme or colour name and a colour value that
// is not one (the first mistake, by colour name).
func (s ThemeSpec) Check() error {
	if s.Name != "" && !slices.Contains(ThemeNames(), s.Name) {
		return &ThemeSpecError{Msg: fmt.Sprintf("unknown theme %q (themes: %s)", s.Name, strings.Join(ThemeNames(), ", "))}
	}
	pal := Colors()
	names := make([]string, 0, len(pal))
	for n := range pal {
		names = append(names, n)
	}
	slices.Sort(names)
	keys := make([]string, 0, len(s.Colors))
	for n := range s.Colors {
		keys = append(keys, n)
	}
	slices.Sort(keys)
	for _, n := range keys {
		if _, ok := pal[n]; !ok {
			return &ThemeSpecError{Color: n, Msg: fmt.Sprintf("unknown colour %q (colours: %s)", n, strings.Join(names, ", "))}
		}
		if !ValidColor(s.Colors[n]) {
			return &ThemeSpecError{Color: n, Msg: fmt.Sprintf("%q is not a colour: use #RRGGBB, #RGB or an ANSI colour number 0-255", s.Colors[n])}
		}
	}
	return nil
}

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// ValidColor reports whether v is a colour the theme takes.
func ValidColor(v string) bool {
	if hexColor.MatchString(v) {
		return true
	}
	n, err := strconv.Atoi(v)
	return err == nil && n >= 0 && n <= 255
}

// Apply sets the theme of opts from the spec (checked before): mono,
// dark and light fix it; auto follows the terminal's background with the
// spec's colours. NO_COLOR still gives the colourless theme.
func (s ThemeSpec) Apply(opts *AppOptions) {
	switch s.Name {
	case "mono":
		opts.Theme = NewTheme(true, true)
	case "dark", "light":
		opts.Theme = ThemeWith(s.Name == "dark", s.Colors)
	default:
		if len(s.Colors) > 0 {
			colors := s.Colors
			opts.ThemeFor = func(dark bool) *Theme { return ThemeWith(dark, colors) }
		}
	}
}
