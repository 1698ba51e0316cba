package ui

import (
	"strings"
	"testing"
)

func TestDefaultKeyMapHasNoConflicts(t *testing.T) {
	if c := DefaultKeyMap().Conflicts(); len(c) > 0 {
		t.Fatalf("default keymap conflicts: %v", c)
	}
	if n := len(KeyActions()); n != 35 {
		t.Fatalf("%d actions; a new binding in KeyMap needs a name in actions()", n)
	}
}

func TestRebind(t *testing.T) {
	km := DefaultKeyMap()
	if err := km.Rebind("quit", "ctrl+q", "Q"); err != nil {
		t.Fatal(err)
	}
	if got := km.Quit.Keys(); len(got) != 2 || got[0] != "ctrl+q" || km.Quit.Help().Key != "ctrl+q/Q" || km.Quit.Help().Desc != "quit" {
		t.Fatalf("quit: %v %+v", got, km.Quit.Help())
	}
	if err := km.Rebind("qiut", "x"); err == nil || !strings.Contains(err.Error(), `unknown action "qiut"`) {
		t.Fatalf("unknown action: %v", err)
	}
	if err := km.Rebind("help"); err == nil {
		t.Fatal("an action without keys was accepted")
	}
	if err := km.Rebind("help", "f 1"); err == nil {
		t.Fatal("a key name with a space was accepted")
	}
	// "y" confirms a question and copies while browsing: two modes, no conflict.
	if err := km.Rebind("copy", "y"); err != nil || len(km.Conflicts()) != 0 {
		t.Fatalf("copy=y: %v %v", err, km.Conflicts())
	}
	// "j" moves down: binding quit to it is a conflict naming quit first.
	_ = km.Rebind("quit", "j")
	c := km.Conflicts("quit")
	if len(c) != 1 || c[0].Key != "j" || c[0].Action != "quit" || c[0].Other != "down" {
		t.Fatalf("conflicts %v", c)
	}
}

func TestThemeSpec(t *testing.T) {
	for _, bad := range []ThemeSpec{{Name: "solarized"}, {Colors: map[string]string{"accnet": "#fff"}}, {Colors: map[string]string{"ok": "green"}}} {
		if bad.Check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	err := ThemeSpec{Colors: map[string]string{"ok": "#00ff00", "warn": "nope"}}.Check()
	if se, ok := err.(*ThemeSpecError); !ok || se.Color != "warn" {
		t.Fatalf("error %v does not name the colour", err)
	}
	good := ThemeSpec{Name: "light", Colors: map[string]string{"accent": "#FF8800", "ok": "42"}}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	var opts AppOptions
	good.Apply(&opts)
	if opts.Theme == nil || opts.Theme.Title.GetForeground() == NewTheme(false, false).Title.GetForeground() {
		t.Fatal("the accent colour was not applied")
	}
	opts = AppOptions{}
	ThemeSpec{Colors: map[string]string{"accent": "#FF8800"}}.Apply(&opts)
	if opts.Theme != nil || opts.ThemeFor == nil {
		t.Fatal("auto with colours must follow the background")
	}
	opts = AppOptions{}
	ThemeSpec{Name: "mono"}.Apply(&opts)
	if opts.Theme == nil || opts.Theme.Title.GetForeground() != NewTheme(true, true).Title.GetForeground() {
		t.Fatal("mono is not colourless")
	}
}
