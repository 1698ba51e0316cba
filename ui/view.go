// Package ui is the console shell of lakeops: the Bubble Tea root model,
// input modes, keymap and theme (values, passed in), the event relay that
// forwards service events to the program, the status bar, help,
// notifications, and the components views share. Views live in views/.
package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
)

// Services are what views may reach — only through commands (tea.Cmd)
// that run off the Update goroutine and come back as typed messages.
type Services struct {
	Lake *lake.Lake
	Jobs *jobs.Manager
	// Query runs SQL (DuckDB locally, Athena with --aws); nil when unavailable.
	Query query.Engine
	// Profile, Region and Engine are shown in the status bar.
	Profile, Region, Engine string
}

// Context is what the shell hands every view: services, keymap, theme and
// the size of the view's area (below the header, above the status bar).
type Context struct {
	Services *Services
	Keys     KeyMap
	Theme    *Theme
	Width    int
	Height   int
}

// View is one screen of the console (Files, Runs, Rejects, …).
//
// The shell owns global keys; a view gets every message the shell does not
// consume, and every key while it reports InputFocused (a focused text
// input gets keys before global shortcuts).
type View interface {
	// Title is the tab name, e.g. "Files".
	Title() string
	// Init returns the view's first command (e.g. loading its data).
	Init(ctx *Context) tea.Cmd
	// Update handles a message and returns the updated view.
	Update(ctx *Context, msg tea.Msg) (View, tea.Cmd)
	// Render draws the view into ctx.Width × ctx.Height cells.
	Render(ctx *Context) string
	// Help lists the view's own keys for the help screen.
	Help() []key.Binding
	// InputFocused reports whether a text input in the view has focus.
	InputFocused() bool
}

// Notify asks the shell to show a notification.
type Notify struct {
	Text  string
	Error bool
}

// NotifyCmd returns a command that shows a notification.
func NotifyCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return Notify{Text: text, Error: isErr} }
}

// SwitchTo asks the shell to show the view with the given title and hand it
// the message Then (e.g. Rejects with a file filter).
type SwitchTo struct {
	Title string
	Then  tea.Msg
}

// JobsChanged is sent by the relay when background jobs changed; views read
// fresh snapshots from Services.Jobs.
type JobsChanged struct{}

// Copy asks the shell to copy text to the clipboard (OSC52).
type Copy struct{ Text string }
