// Package ui is the console shell of lakeops: the Bubble Tea root model,
// input modes, keymap and theme (values, passed in), the relay that
// forwards service events to the program, the status bar, help and
// notifications, and the vocabulary views share: the View interface,
// typed intents for moving between views, and the shell's messages. It
// knows no view and no service: the composition root (ui/cli) wires them.
package ui

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Context is what the shell hands every view: the application's context,
// keymap, theme and the size of the view's area (below the header, above
// the status bar).
type Context struct {
	// App is the application's context. A view runs every service call in
	// a command under it (or a context derived from it), so quitting the
	// console cancels the call.
	App    context.Context
	Keys   KeyMap
	Theme  *Theme
	Width  int
	Height int
}

// View is one screen of the console (Files, Runs, Rejects, …). A view gets
// what it shows from services it was given at construction, always in
// commands (tea.Cmd) that come back as messages; Update never calls a
// service.
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

// Intent is a move from one view to another, said as what to show, not
// where: the shell shows the first view that takes it (IntentTaker) and
// hands it the intent as a message.
type Intent interface{ intent() }

// ShowJob asks for one background job in detail (the Runs view).
type ShowJob struct{ ID int }

// ShowRejects asks for one raw file's rejected rows (the Rejects view).
type ShowRejects struct{ Dataset, File string }

// OpenSQL asks for a statement in the SQL editor, run at once (the Query view).
type OpenSQL struct{ SQL string }

// LoadSQL asks for a .sql file in the SQL editor (":open PATH").
type LoadSQL struct{ Path string }

// SaveSQL asks for the SQL editor's text in a .sql file (":save PATH").
type SaveSQL struct{ Path string }

func (LoadSQL) intent()     {}
func (SaveSQL) intent()     {}
func (ShowJob) intent()     {}
func (ShowRejects) intent() {}
func (OpenSQL) intent()     {}

// IntentTaker is implemented by views that take intents.
type IntentTaker interface {
	Takes(Intent) bool
}

// Go asks the shell to follow an intent.
type Go struct{ To Intent }

// GoCmd returns a command that follows an intent.
func GoCmd(to Intent) tea.Cmd { return func() tea.Msg { return Go{To: to} } }

// Notify asks the shell to show a notification.
type Notify struct {
	Text  string
	Error bool
}

// NotifyCmd returns a command that shows a notification.
func NotifyCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return Notify{Text: text, Error: isErr} }
}

// Copy asks the shell to copy text to the clipboard (OSC52).
type Copy struct{ Text string }

// CopyCmd returns a command that copies text.
func CopyCmd(text string) tea.Cmd { return func() tea.Msg { return Copy{Text: text} } }

// Jobs is what the shell asks of the background jobs, always from a
// command: how many are queued or running (to ask before quitting), and to
// cancel them all (when it quits).
type Jobs interface {
	Active() int
	CancelActive()
}

// JobCount is implemented by the messages that say how many jobs are
// active (the relay's job snapshots); the status bar shows the count.
type JobCount interface {
	ActiveJobs() int
}

// Command is a command-line command the composition root adds, e.g.
// ":run" or ":lake PATH".
type Command struct {
	Name string
	// Help says what it does (the help screen lists it).
	Help string
	// Args are the arguments the command line completes (nil: none known).
	Args func() []string
	// Do runs the command with its argument ("" without one), in a command.
	Do func(arg string) tea.Cmd
}

// Switch asks to open the console again with one setting changed (the
// lake, the AWS profile or region, the SQL engine): the shell asks first
// when jobs run, quits, and Run returns it to the composition root.
type Switch struct{ Setting, Value string }

// ExportTo asks the current view to export what it shows to a path (a
// file, whose extension names the format, or a folder): ":export PATH".
type ExportTo struct{ Path string }

// PathExporter is a view that takes ExportTo; ExportsToPath says what it
// exports ("the query result").
type PathExporter interface{ ExportsToPath() string }

// Click is a left click in the view's area, in the view's own cells (0,0
// is its top left), sent to the current view; wheel and other mouse
// messages arrive as Bubble Tea sends them.
type Click struct{ X, Y int }
