package ui

// The command line (':'): what it completes and what its commands do.

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// commands are what the command line completes.
func (a *App) commands() []string {
	out := []string{"quit", "help", "mouse on", "mouse off", "export ", "open ", "save "}
	for _, c := range a.commandsFrom {
		out = append(out, c.Name)
		if c.Args != nil {
			for _, arg := range c.Args() {
				out = append(out, c.Name+" "+arg)
			}
		}
	}
	for _, v := range a.views {
		out = append(out, strings.ToLower(v.Title()))
	}
	return out
}

func (a *App) openCommand() tea.Cmd {
	a.mode = modeCommand
	a.cmdline.Reset()
	a.cmdList = a.commands() // once per opening: a command's values may be read from disk
	a.cmdline.SetSuggestions(a.cmdList)
	a.cmdline.SetWidth(max(1, a.width-lipgloss.Width(a.cmdline.Prompt)-1))
	return a.cmdline.Focus()
}

// complete puts the next command that starts with what was typed on the
// line: a first tab the first match (in alphabetical order), each tab
// after it the next one, round.
func (a *App) complete() {
	typed := a.tabFrom
	if !a.cycling {
		typed = a.cmdline.Value()
	}
	// Before a space only names complete (tab cycles through them); after
	// it, the name's arguments do.
	names := !strings.Contains(typed, " ")
	var matches []string
	for _, c := range a.cmdList {
		if names && strings.Contains(c, " ") {
			continue
		}
		if strings.HasPrefix(strings.ToLower(c), strings.ToLower(typed)) && c != typed {
			matches = append(matches, c)
		}
	}
	if len(matches) == 0 {
		return
	}
	sort.Strings(matches)
	matches = slices.Compact(matches)
	next := 0
	if a.cycling {
		if i := slices.Index(matches, a.cmdline.Value()); i >= 0 {
			next = (i + 1) % len(matches)
		}
	}
	a.tabFrom, a.cycling = typed, true
	a.cmdline.SetValue(matches[next])
	a.cmdline.SetSuggestions(a.cmdList) // the grey hint follows the line
	a.cmdline.CursorEnd()
}

func (a *App) closeCommand() {
	a.cycling = false
	a.mode = modeNormal
	a.cmdline.Blur()
	a.cmdline.Reset()
}

func (a *App) commandKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, a.keys.Back):
		a.closeCommand()
		return nil
	case msg.String() == "enter" || key.Matches(msg, a.keys.Enter):
		line := a.cmdline.Value()
		a.closeCommand()
		return a.execute(line)
	case msg.String() == "tab":
		a.complete()
		return nil
	}
	a.cycling = false
	var cmd tea.Cmd
	a.cmdline, cmd = a.cmdline.Update(msg)
	return cmd
}

// execute runs a command-line command: q/quit, help, or a view title.
func (a *App) execute(line string) tea.Cmd {
	c := strings.ToLower(strings.TrimSpace(line))
	switch c {
	case "":
		return nil
	case "q", "quit":
		return a.askQuit()
	case "q!", "quit!":
		return a.quit()
	case "help", "h":
		a.mode = modeHelp
		return nil
	case "mouse", "mouse on", "mouse off":
		a.mouse = c == "mouse on" || c == "mouse" && !a.mouse
		if a.mouse {
			return a.notify("mouse on: click tabs, rows and panes (:mouse off gives the terminal its text selection back)", false)
		}
		return a.notify("mouse off: the terminal selects text again (:mouse on to click)", false)
	}
	if i := a.find(c); i >= 0 {
		return a.show(i)
	}
	name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	switch strings.ToLower(name) {
	case "open", "save":
		p := strings.TrimSpace(arg)
		if p == "" {
			return a.notify(":"+strings.ToLower(name)+" needs a .sql file's path", true)
		}
		if strings.EqualFold(name, "open") {
			return a.follow(LoadSQL{Path: p})
		}
		return a.follow(SaveSQL{Path: p})
	}
	if strings.EqualFold(name, "export") {
		if strings.TrimSpace(arg) == "" {
			return a.notify(":export needs a path: a file (.csv, .jsonl, .parquet) or a folder", true)
		}
		if a.hasViews() {
			if _, ok := a.views[a.cur].(PathExporter); !ok {
				return a.notify(a.exportWhere(), true)
			}
		}
		return a.toCurrent(ExportTo{Path: strings.TrimSpace(arg)})
	}
	for _, cmd := range a.commandsFrom {
		if strings.EqualFold(cmd.Name, name) {
			return cmd.Do(strings.TrimSpace(arg))
		}
	}
	return a.notify(fmt.Sprintf("unknown command %q (try :help)", c), true)
}

// exportWhere says which views take :export and what each exports.
func (a *App) exportWhere() string {
	var where []string
	for _, v := range a.views {
		if e, ok := v.(PathExporter); ok {
			where = append(where, v.Title()+" ("+e.ExportsToPath()+")")
		}
	}
	if len(where) == 0 {
		return ":export: no view here exports"
	}
	return ":export works in " + textfmt.OrList(where) + "; " + a.views[a.cur].Title() + " has nothing to export"
}
