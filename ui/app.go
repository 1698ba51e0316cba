package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// DefaultNotifyFor is how long a notification stays on screen.
const DefaultNotifyFor = 4 * time.Second

// AppOptions configure the console shell.
type AppOptions struct {
	// Context is the application's context, handed to every view (nil:
	// context.Background()); the shell cancels what it derives from it
	// when the user quits.
	Context context.Context
	// Jobs are the background jobs; nil means none (no count in the status
	// bar, quitting never asks).
	Jobs Jobs
	// Status are the status bar's segments after the lake label, e.g. the
	// AWS profile/region and the SQL engine.
	Status []string
	// Keys is the keymap; the zero value means DefaultKeyMap().
	Keys KeyMap
	// Theme is the theme; nil means: NO_COLOR set → colourless, else
	// follow the terminal's background (dark until it is known).
	Theme *Theme
	// ThemeFor makes the theme for a dark or light background when Theme
	// is nil (a configured palette); nil means NewTheme's colours.
	ThemeFor func(dark bool) *Theme
	// Views are the screens in tab order (1–6 select the first six).
	Views []View
	// LakeLabel names the lake in the status bar, e.g. "s3://bucket/lake".
	LakeLabel string
	// NotifyFor is how long a notification stays; 0 means DefaultNotifyFor.
	NotifyFor time.Duration
	// Getenv reads the environment (NO_COLOR); nil means os.Getenv.
	Getenv func(string) string
	// Feeds are the service events Run relays to the program (job
	// snapshots), each at most ~15 times a second.
	Feeds []Feed
	// Events carries other services' messages (notifications, flow
	// events) to the program; Run forwards them. Senders must not block on
	// it (use a buffered channel and a non-blocking send).
	Events <-chan tea.Msg
	// Commands are the composition root's command-line commands.
	Commands []Command
	// Notice is shown when the console opens (e.g. why a switch failed).
	Notice string
	// NoMouse leaves the mouse to the terminal (its own text selection);
	// :mouse turns capture on and off while the console runs.
	NoMouse bool
}

// mode is the shell's input mode; exactly one is active.
type mode int

const (
	modeNormal  mode = iota
	modeHelp         // the help screen replaces the view
	modeCommand      // the command line has focus
	modeConfirm      // "quit and cancel jobs?" waits for y/n
)

// App is the root model of the console: tabs, the current view, the
// command line, help, notifications and the status bar.
type App struct {
	jobs      Jobs
	segments  []string
	ctx       context.Context
	stop      context.CancelFunc // cancels ctx: on quit
	keys      KeyMap
	theme     *Theme
	detect    bool                   // the theme follows tea.BackgroundColorMsg
	themeFor  func(dark bool) *Theme // the theme for a background, when detect
	views     []View
	ctxs      []*Context // one per view, sizes kept current
	cur       int
	label     string
	notifyFor time.Duration

	width, height int
	areaW, areaH  int // the view area last handed to views

	mode    mode
	cmdline textinput.Model
	tabFrom string   // what was typed before tab cycled the completions
	cycling bool     // the last key on the command line was tab
	cmdList []string // what the command line completes, listed when it opened

	note    string // sanitized
	noteErr bool
	noteGen int

	active       int // queued+running jobs, as the last job message said
	confirmN     int
	mouse        bool // the console captures the mouse (clicks, the wheel)
	commandsFrom []Command
	notice       string
	switching    *Switch // asked, waiting for the jobs question
	helpOff      int     // the help's first column shown
	helpCols     int     // the help's columns, last frame
	next         *Switch // the switch to make after quitting
}

// notifyExpired clears the notification of generation gen.
type notifyExpired struct{ gen int }

// heartbeat redraws the screen every HeartbeatEvery, so what depends on
// the clock (a running job's duration, a note that expired) is current
// even when nothing else happens.
type heartbeat struct{}

// HeartbeatEvery is how often the shell redraws without a reason.
const HeartbeatEvery = time.Second

func beat() tea.Cmd { return tea.Tick(HeartbeatEvery, func(time.Time) tea.Msg { return heartbeat{} }) }

// quitCheck carries the number of active jobs when the user asked to quit.
type quitCheck struct{ n int }

// NewApp builds the console shell. Views are initialised by Init.
func NewApp(opts AppOptions) *App {
	keys := opts.Keys
	if isZeroKeyMap(keys) {
		keys = DefaultKeyMap()
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	themeFor := opts.ThemeFor
	if themeFor == nil {
		themeFor = func(dark bool) *Theme { return NewTheme(dark, false) }
	}
	theme, detect := opts.Theme, false
	switch {
	case theme != nil:
	case getenv("NO_COLOR") != "":
		theme = NewTheme(true, true)
	default:
		theme, detect = themeFor(true), true
	}
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := context.WithCancel(parent)
	a := &App{
		jobs: opts.Jobs, segments: append([]string(nil), opts.Status...), ctx: ctx, stop: stop,
		keys: keys, theme: theme, detect: detect, themeFor: themeFor,
		views: append([]View(nil), opts.Views...), label: opts.LakeLabel,
		notifyFor: opts.NotifyFor, mouse: !opts.NoMouse,
		commandsFrom: append([]Command(nil), opts.Commands...), notice: opts.Notice,
	}
	if a.notifyFor <= 0 {
		a.notifyFor = DefaultNotifyFor
	}
	for range a.views {
		a.ctxs = append(a.ctxs, &Context{App: ctx, Keys: keys, Theme: theme})
	}
	a.cmdline = textinput.New()
	a.cmdline.Prompt = ":"
	a.cmdline.CharLimit = 256
	a.cmdline.SetVirtualCursor(false)
	a.cmdline.ShowSuggestions = true
	a.styleCmdline()
	return a
}

func isZeroKeyMap(k KeyMap) bool {
	return len(k.Quit.Keys()) == 0 && len(k.ForceQuit.Keys()) == 0 &&
		len(k.Command.Keys()) == 0 && len(k.NextView.Keys()) == 0
}

func (a *App) styleCmdline() {
	plain := lipgloss.NewStyle()
	st := textinput.StyleState{Text: plain, Placeholder: a.theme.Dim, Suggestion: a.theme.Dim.Faint(true), Prompt: a.theme.Key}
	a.cmdline.SetStyles(textinput.Styles{
		Focused: st, Blurred: st,
		// No cursor colour: the terminal's own cursor, also under NO_COLOR.
		Cursor: textinput.CursorStyle{Shape: tea.CursorBlock, Blink: true},
	})
}

// Init initialises every view (each gets its first command) and asks for
// the terminal background when the theme follows it.
func (a *App) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.views)+1)
	for i, v := range a.views {
		cmds = append(cmds, v.Init(a.ctxs[i]))
	}
	if a.detect {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	cmds = append(cmds, beat())
	if a.notice != "" {
		cmds = append(cmds, NotifyCmd(a.notice, true))
	}
	return tea.Batch(cmds...)
}

// Update routes a message: input to the focused input or the current view,
// everything else to every view.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		return a, a.layout(true)
	case tea.KeyPressMsg:
		return a, a.key(msg)
	case tea.PasteMsg:
		if a.mode == modeCommand {
			var cmd tea.Cmd
			a.cmdline, cmd = a.cmdline.Update(msg)
			return a, cmd
		}
		return a, a.toCurrent(msg)
	case tea.KeyReleaseMsg, tea.PasteStartMsg, tea.PasteEndMsg:
		if a.mode == modeNormal {
			return a, a.toCurrent(msg)
		}
		return a, nil
	case tea.MouseClickMsg:
		return a, a.click(msg)
	case tea.MouseMsg:
		if a.mode == modeNormal || a.mode == modeCommand {
			return a, a.toCurrent(msg)
		}
		return a, nil
	case Notify:
		return a, a.notify(msg.Text, msg.Error)
	case heartbeat:
		return a, beat()
	case notifyExpired:
		if msg.gen == a.noteGen && a.note != "" {
			a.note = ""
			return a, a.layout(false)
		}
		return a, nil
	case Go: // a note belongs to the view it was made in: it goes with it
		if a.note != "" {
			return a, tea.Batch(a.notify("", false), a.follow(msg.To))
		}
		return a, a.follow(msg.To)
	case Copy:
		return a, tea.Batch(tea.SetClipboard(msg.Text), a.notify("copied", false))
	case JobCount:
		a.active = msg.ActiveJobs()
		return a, a.toAll(msg)
	case Switch:
		a.switching = &msg
		return a, a.askQuit()
	case quitCheck:
		a.active = msg.n
		if msg.n == 0 {
			return a, a.quit()
		}
		if a.mode == modeCommand {
			a.closeCommand()
		}
		a.mode, a.confirmN = modeConfirm, msg.n
		return a, nil
	case tea.BackgroundColorMsg:
		if a.detect {
			a.setTheme(a.themeFor(msg.IsDark()))
		}
		return a, a.toAll(msg)
	}
	cmd := a.toAll(msg)
	if a.mode == modeCommand {
		var c tea.Cmd
		a.cmdline, c = a.cmdline.Update(msg)
		cmd = tea.Batch(cmd, c)
	}
	return a, cmd
}

// key handles a key press. Order: force quit; a pending confirmation; the
// command line; a view whose text input has focus; global shortcuts; the
// current view.
func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	k := a.keys
	if key.Matches(msg, k.ForceQuit) {
		return a.quit()
	}
	switch a.mode {
	case modeConfirm:
		switch {
		case key.Matches(msg, k.Confirm):
			return a.quit()
		case key.Matches(msg, k.Deny):
			a.mode, a.switching = modeNormal, nil
		}
		return nil
	case modeCommand:
		return a.commandKey(msg)
	}
	if a.mode == modeNormal && a.hasViews() && a.views[a.cur].InputFocused() {
		return a.toCurrent(msg)
	}
	for i := range min(len(a.views), len(k.Views)) {
		if key.Matches(msg, k.Views[i]) {
			return a.show(i)
		}
	}
	switch {
	case key.Matches(msg, k.NextView) && a.hasViews():
		return a.show((a.cur + 1) % len(a.views))
	case key.Matches(msg, k.PrevView) && a.hasViews():
		return a.show((a.cur + len(a.views) - 1) % len(a.views))
	case key.Matches(msg, k.Command):
		return a.openCommand()
	case key.Matches(msg, k.Help):
		if a.mode == modeHelp {
			a.mode = modeNormal
		} else {
			a.mode = modeHelp
		}
		return nil
	case a.mode == modeHelp && key.Matches(msg, k.Back):
		a.mode = modeNormal
		return nil
	case a.mode == modeHelp && key.Matches(msg, k.Right):
		a.helpOff = min(a.helpOff+1, max(a.helpCols-1, 0))
		return nil
	case a.mode == modeHelp && key.Matches(msg, k.Left):
		a.helpOff = max(a.helpOff-1, 0)
		return nil
	case key.Matches(msg, k.Quit):
		return a.askQuit()
	case a.mode == modeHelp:
		return nil // the view is hidden: its keys wait
	}
	return a.toCurrent(msg)
}

func (a *App) hasViews() bool { return len(a.views) > 0 }

// find returns the index of the view titled t (case-insensitive), or -1.
func (a *App) find(t string) int {
	for i, v := range a.views {
		if strings.EqualFold(strings.TrimSpace(v.Title()), strings.TrimSpace(t)) {
			return i
		}
	}
	return -1
}

// show makes view i current and leaves help.
func (a *App) show(i int) tea.Cmd {
	a.cur = i
	if a.mode == modeHelp {
		a.mode = modeNormal
	}
	return nil
}

// follow shows the first view that takes an intent and hands it over.
func (a *App) follow(to Intent) tea.Cmd {
	i := -1
	for j, v := range a.views {
		if t, ok := v.(IntentTaker); ok && t.Takes(to) {
			i = j
			break
		}
	}
	if i < 0 {
		return a.notify(fmt.Sprintf("no view takes %T", to), true)
	}
	if a.mode != modeConfirm {
		if a.mode == modeCommand {
			a.closeCommand()
		}
		a.mode = modeNormal
	}
	a.cur = i
	return a.toView(i, to)
}

// askQuit quits when no job is active, else asks first. The count is read
// by a command, off the Update goroutine.
func (a *App) askQuit() tea.Cmd {
	jobs := a.jobs
	if jobs == nil {
		return a.quit()
	}
	return func() tea.Msg { return quitCheck{n: jobs.Active()} }
}

// quit cancels the application's context (every command a view runs
// under it) and the active jobs (without waiting for them), and quits.
func (a *App) quit() tea.Cmd {
	a.next, a.switching = a.switching, nil
	a.stop()
	jobs := a.jobs
	if jobs == nil {
		return tea.Quit
	}
	return tea.Sequence(func() tea.Msg { jobs.CancelActive(); return nil }, tea.Quit)
}

// notify shows text (sanitized) for notifyFor; empty text clears.
func (a *App) notify(text string, isErr bool) tea.Cmd {
	had := len(a.noteLines(a.width))
	a.note, a.noteErr = textfmt.Sanitize(strings.TrimSpace(text)), isErr
	a.noteGen++
	gen := a.noteGen
	if a.note == "" {
		return a.layout(false)
	}
	stay := a.notifyFor
	if n := len(a.noteLines(a.width)); n > 1 { // a long note stays long enough to be read
		stay *= time.Duration(n)
	}
	expire := tea.Tick(stay, func(time.Time) tea.Msg { return notifyExpired{gen: gen} })
	if had == len(a.noteLines(a.width)) { // the views keep their height
		return expire
	}
	return tea.Batch(expire, a.layout(false))
}

func (a *App) setTheme(t *Theme) {
	a.theme = t
	for _, c := range a.ctxs {
		c.Theme = t
	}
	a.styleCmdline()
}

// layout recomputes the view area (tabs, notification and status bar take
// a line each) and sends views a WindowSizeMsg of their area when it
// changed, or always when force is set.
func (a *App) layout(force bool) tea.Cmd {
	w, h := max(a.width, 0), a.areaHeight()
	for _, c := range a.ctxs {
		c.Width, c.Height = w, h
	}
	if a.mode == modeCommand {
		a.cmdline.SetWidth(max(1, w-lipgloss.Width(a.cmdline.Prompt)-1))
	}
	if !force && w == a.areaW && h == a.areaH {
		return nil
	}
	a.areaW, a.areaH = w, h
	return a.toAll(tea.WindowSizeMsg{Width: w, Height: h})
}

// toCurrent hands msg to the current view.
func (a *App) toCurrent(msg tea.Msg) tea.Cmd {
	if !a.hasViews() {
		return nil
	}
	return a.toView(a.cur, msg)
}

func (a *App) toView(i int, msg tea.Msg) tea.Cmd {
	v, cmd := a.views[i].Update(a.ctxs[i], msg)
	if v != nil {
		a.views[i] = v
	}
	return cmd
}

// toAll hands msg to every view (results of a view's commands reach it even
// after the user switched away).
func (a *App) toAll(msg tea.Msg) tea.Cmd {
	if len(a.views) == 0 {
		return nil
	}
	cmds := make([]tea.Cmd, 0, len(a.views))
	for i := range a.views {
		cmds = append(cmds, a.toView(i, msg))
	}
	return tea.Batch(cmds...)
}

// Next is the switch the user asked for when the console quit to make
// it (nil: the user quit).
func (a *App) Next() *Switch { return a.next }

// Current returns the title of the current view ("" without views).
func (a *App) Current() string {
	if !a.hasViews() {
		return ""
	}
	return a.views[a.cur].Title()
}
