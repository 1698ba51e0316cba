package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyAction is one bindable action: its name in a configuration, the
// input mode it is read in (a key may serve one action per mode) and its
// binding in the map.
type keyAction struct {
	name, mode string
	binding    *key.Binding
}

// actions lists the keymap's actions by their configuration names, in help
// order. Confirm and Deny are read only while a question is asked; every
// other action while browsing.
func (k *KeyMap) actions() []keyAction {
	const browse, ask = "browse", "confirm"
	a := []keyAction{
		{"up", browse, &k.Up}, {"down", browse, &k.Down}, {"left", browse, &k.Left}, {"right", browse, &k.Right},
		{"page_up", browse, &k.PageUp}, {"page_down", browse, &k.PageDown}, {"top", browse, &k.Top}, {"bottom", browse, &k.Bottom},
		{"enter", browse, &k.Enter}, {"back", browse, &k.Back}, {"next_view", browse, &k.NextView}, {"prev_view", browse, &k.PrevView},
	}
	for i, v := range []string{"files", "runs", "rejects", "tables", "query", "flows"} {
		a = append(a, keyAction{"view_" + v, browse, &k.Views[i]})
	}
	return append(a,
		keyAction{"filter", browse, &k.Filter}, keyAction{"command", browse, &k.Command}, keyAction{"help", browse, &k.Help},
		keyAction{"quit", browse, &k.Quit}, keyAction{"force_quit", browse, &k.ForceQuit}, keyAction{"refresh", browse, &k.Refresh},
		keyAction{"copy", browse, &k.Copy}, keyAction{"sort", browse, &k.Sort}, keyAction{"run", browse, &k.Run},
		keyAction{"run_all", browse, &k.RunAll}, keyAction{"validate", browse, &k.Validate}, keyAction{"cancel", browse, &k.Cancel},
		keyAction{"reprocess", browse, &k.Reprocess}, keyAction{"export", browse, &k.Export}, keyAction{"select", browse, &k.Select},
		keyAction{"confirm", ask, &k.Confirm}, keyAction{"deny", ask, &k.Deny},
	)
}

// KeyActions are the names of the actions a configuration may bind, in
// help order.
func KeyActions() []string {
	var k KeyMap
	var names []string
	for _, a := range k.actions() {
		names = append(names, a.name)
	}
	return names
}

// Rebind gives an action (a name of KeyActions) new keys, e.g. "q",
// "ctrl+q", "f1"; the help shows them joined by "/". Check the map for
// keys used twice afterwards (Conflict).
func (k *KeyMap) Rebind(action string, keys ...string) error {
	i := slices.IndexFunc(k.actions(), func(a keyAction) bool { return a.name == action })
	if i < 0 {
		return fmt.Errorf("unknown action %q (actions: %s)", action, strings.Join(KeyActions(), ", "))
	}
	if len(keys) == 0 {
		return fmt.Errorf("action %q needs at least one key", action)
	}
	for _, kk := range keys {
		if kk == "" || strings.ContainsAny(kk, " \t\n") && kk != " " {
			return fmt.Errorf("%q is not a key name (e.g. \"q\", \"ctrl+q\", \"f1\", \"space\")", kk)
		}
	}
	b := k.actions()[i].binding
	b.SetKeys(keys...)
	b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	return nil
}

// KeyConflict is a key that two actions of one input mode share.
type KeyConflict struct{ Key, Action, Other string }

func (c KeyConflict) Error() string {
	return fmt.Sprintf("key %q is bound to both %s and %s", c.Key, c.Action, c.Other)
}

// Conflicts lists the keys bound to more than one action of the same
// input mode; of two actions, Action is the one of first (in changed,
// else in help order) so that a message can name what was just set.
func (k KeyMap) Conflicts(changed ...string) []KeyConflict {
	acts := k.actions()
	slices.SortStableFunc(acts, func(a, b keyAction) int {
		ia, ib := slices.Index(changed, a.name), slices.Index(changed, b.name)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return 0
	})
	seen := map[string]string{} // mode + key → action
	var out []KeyConflict
	for _, a := range acts {
		for _, kk := range a.binding.Keys() {
			id := a.mode + "\x00" + kk
			if other, ok := seen[id]; ok && other != a.name {
				out = append(out, KeyConflict{Key: kk, Action: other, Other: a.name})
				continue
			}
			seen[id] = a.name
		}
	}
	return out
}
