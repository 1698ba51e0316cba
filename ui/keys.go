package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds every key binding of the console. It is a value made by
// DefaultKeyMap (or loaded from config) and passed in; nothing reads a global.
type KeyMap struct {
	Up, Down, Left, Right     key.Binding
	PageUp, PageDown          key.Binding
	Top, Bottom               key.Binding
	Enter, Back               key.Binding
	NextView, PrevView        key.Binding
	Views                     [6]key.Binding // 1–6: Files, Runs, Rejects, Tables, Query, Flows
	Filter, Command, Help     key.Binding
	Quit, ForceQuit           key.Binding
	Refresh, Copy, Sort       key.Binding
	Run, RunAll, Validate     key.Binding
	Cancel, Reprocess, Export key.Binding
	Confirm, Deny             key.Binding
	Select                    key.Binding
}

// DefaultKeyMap returns the k9s/a9s-style bindings the README lists.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	km := KeyMap{
		Up:        b([]string{"up", "k"}, "↑/k", "up"),
		Down:      b([]string{"down", "j"}, "↓/j", "down"),
		Left:      b([]string{"left", "h"}, "←/h", "scroll left"),
		Right:     b([]string{"right", "l"}, "→/l", "scroll right"),
		PageUp:    b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:  b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:       b([]string{"home", "g"}, "g", "top"),
		Bottom:    b([]string{"end", "G"}, "G", "bottom"),
		Enter:     b([]string{"enter"}, "enter", "open"),
		Back:      b([]string{"esc"}, "esc", "back"),
		NextView:  b([]string{"tab"}, "tab", "next view"),
		PrevView:  b([]string{"shift+tab"}, "shift+tab", "previous view"),
		Filter:    b([]string{"/"}, "/", "filter"),
		Command:   b([]string{":"}, ":", "command"),
		Help:      b([]string{"?"}, "?", "help"),
		Quit:      b([]string{"q"}, "q", "quit"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Refresh:   b([]string{"ctrl+r"}, "ctrl+r", "refresh"),
		Copy:      b([]string{"y"}, "y", "copy"),
		Sort:      b([]string{"s"}, "s", "sort"),
		Run:       b([]string{"r"}, "r", "run"),
		RunAll:    b([]string{"R"}, "R", "run all new"),
		Validate:  b([]string{"v"}, "v", "validate"),
		Cancel:    b([]string{"x"}, "x", "cancel"),
		Reprocess: b([]string{"p"}, "p", "reprocess"),
		Export:    b([]string{"e"}, "e", "export"),
		Confirm:   b([]string{"y", "enter"}, "y", "yes"),
		Deny:      b([]string{"n", "esc"}, "n", "no"),
		Select:    b([]string{"space"}, "space", "select"),
	}
	names := []string{"files", "runs", "rejects", "tables", "query", "flows"}
	for i := range km.Views {
		k := string(rune('1' + i))
		km.Views[i] = b([]string{k}, k, names[i])
	}
	return km
}
