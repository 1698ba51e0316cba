package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/ui/uitest"
)

// recorder collects what fake views received; the program's goroutine
// writes, the test reads.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, s)
}

func (r *recorder) has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if m == s {
			return true
		}
	}
	return false
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

// fakeView draws "<TITLE> pane" on its own row (so the renderer redraws
// it whole when views switch) and records the messages it gets.
type fakeView struct {
	title string
	row   int
	focus bool // a text input of the view has focus
	typed string
	wide  bool // draw lines far wider than any terminal
	rec   *recorder
}

func (f *fakeView) Title() string { return f.title }

func (f *fakeView) Init(*Context) tea.Cmd { f.rec.add(f.title + ":init"); return nil }

func (f *fakeView) Update(_ *Context, msg tea.Msg) (View, tea.Cmd) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		f.typed += m.String()
		f.rec.add(f.title + ":key:" + m.String())
	case tea.MouseWheelMsg:
		f.rec.add(f.title + ":wheel")
	case Click:
		f.rec.add(fmt.Sprintf("%s:click:%d,%d", f.title, m.X, m.Y))
	case tea.WindowSizeMsg:
		f.rec.add(fmt.Sprintf("%s:size:%dx%d", f.title, m.Width, m.Height))
	case JobCount:
		f.rec.add(f.title + ":jobs")
	case ShowRejects:
		f.rec.add(f.title + ":show:" + m.File)
	case string:
		f.rec.add(f.title + ":" + m)
	}
	return f, nil
}

func (f *fakeView) Render(ctx *Context) string {
	lines := make([]string, f.row+1, ctx.Height+1)
	lines[f.row] = strings.ToUpper(f.title) + " pane " + f.typed
	if f.wide {
		for range ctx.Height + 5 {
			lines = append(lines, ctx.Theme.Error.Render(strings.Repeat("wide 日本語 \x1b[1mbold ", 40)))
		}
	}
	return strings.Join(lines, "\n")
}

func (f *fakeView) Help() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "frobnicate "+strings.ToLower(f.title)))}
}

func (f *fakeView) InputFocused() bool { return f.focus }

// Takes: the Rejects fake takes ShowRejects.
func (f *fakeView) Takes(i Intent) bool {
	_, ok := i.(ShowRejects)
	return ok && f.title == "Rejects"
}

func fakeViews(rec *recorder, titles ...string) []View {
	out := make([]View, len(titles))
	for i, t := range titles {
		out[i] = &fakeView{title: t, row: i, rec: rec}
	}
	return out
}

func newTestApp(rec *recorder, jobs Jobs) *App {
	return NewApp(AppOptions{
		Jobs:      jobs,
		Status:    []string{"local"},
		Theme:     NewTheme(true, true),
		Views:     fakeViews(rec, "Files", "Runs", "Rejects"),
		LakeLabel: "/tmp/lake",
		NotifyFor: 300 * time.Millisecond,
	})
}

func finish(t *testing.T, tm *teatest.TestModel) *App {
	t.Helper()
	tm.Send(uitest.Key("ctrl+c"))
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
}

func TestHelpListsKeys(t *testing.T) {
	rec := &recorder{}
	tm := teatest.NewTestModel(t, newTestApp(rec, nil), teatest.WithInitialTermSize(80, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Type("?")
	uitest.WaitOutput(t, tm, 5*time.Second, "shift+tab", "previous view", "ctrl+c", "command", "frobnicate files", "Global keys")
	tm.Send(uitest.Key("esc"))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	if a := finish(t, tm); a.mode != modeNormal {
		t.Fatalf("mode %d after esc, want normal", a.mode)
	}
}

func TestSwitchViews(t *testing.T) {
	rec := &recorder{}
	tm := teatest.NewTestModel(t, newTestApp(rec, nil), teatest.WithInitialTermSize(80, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Type("2")
	uitest.WaitOutput(t, tm, 5*time.Second, "RUNS pane")
	tm.Send(uitest.Key("tab"))
	uitest.WaitOutput(t, tm, 5*time.Second, "REJECTS pane")
	tm.Send(uitest.Key("tab")) // wraps
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Send(uitest.Key("shift+tab"))
	uitest.WaitOutput(t, tm, 5*time.Second, "REJECTS pane")
	tm.Type("1")
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Type("5") // only three views: not a shortcut, handed to the view
	a := finish(t, tm)
	if a.Current() != "Files" || !rec.has("Files:key:5") {
		t.Fatalf("current %q, want Files; views got %v", a.Current(), rec.all())
	}
}

func TestCommandLine(t *testing.T) {
	rec := &recorder{}
	tm := teatest.NewTestModel(t, newTestApp(rec, nil), teatest.WithInitialTermSize(80, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Type(":")
	tm.Type("ru2q") // the command line has the keys: no switch, no quit
	for range 2 {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	tm.Type("ns")
	tm.Send(uitest.Key("enter"))
	uitest.WaitOutput(t, tm, 5*time.Second, "RUNS pane")
	tm.Type(":")
	tm.Type("bogus")
	tm.Send(uitest.Key("enter"))
	uitest.WaitOutput(t, tm, 5*time.Second, `unknown command "bogus"`)
	a := finish(t, tm)
	if a.Current() != "Runs" {
		t.Fatalf("current %q, want Runs", a.Current())
	}
	for _, m := range rec.all() {
		if strings.Contains(m, ":key:") {
			t.Fatalf("a view got a key typed into the command line: %s", m)
		}
	}
}

func TestNotifyShowsAndExpires(t *testing.T) {
	rec := &recorder{}
	tm := teatest.NewTestModel(t, newTestApp(rec, nil), teatest.WithInitialTermSize(80, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Send(Notify{Text: "bad file \x1b]52;c;ZXZpbA==\x07x.csv", Error: true})
	uitest.WaitOutput(t, tm, 5*time.Second, `bad file \x1b]52;c;ZXZpbA==\x07x.csv`)
	deadline := time.Now().Add(5 * time.Second)
	// the view area shrinks by the notification line, then grows back
	for !rec.has("Files:size:80x21") || !lastSize(rec, "Files", "80x22") {
		if time.Now().After(deadline) {
			t.Fatalf("notification did not expire: %v", rec.all())
		}
		time.Sleep(10 * time.Millisecond)
	}
	tm.Send(Copy{Text: "abc"})
	uitest.WaitOutput(t, tm, 5*time.Second, "\x1b]52;c;YWJj", "copied")
	if a := finish(t, tm); a.note != "copied" && a.note != "" {
		t.Fatalf("note %q", a.note)
	}
}

func lastSize(rec *recorder, title, size string) bool {
	last := ""
	for _, m := range rec.all() {
		if s, ok := strings.CutPrefix(m, title+":size:"); ok {
			last = s
		}
	}
	return last == size
}

// fakeJobs counts active jobs and records CancelActive; its Changed
// channel signals every change, like a jobs manager's.
type fakeJobs struct {
	active    atomic.Int64
	cancelled atomic.Bool
	changed   chan struct{}
}

func newFakeJobs() *fakeJobs { return &fakeJobs{changed: make(chan struct{}, 1)} }

func (f *fakeJobs) Active() int   { return int(f.active.Load()) }
func (f *fakeJobs) CancelActive() { f.cancelled.Store(true); f.active.Store(0); f.signal() }
func (f *fakeJobs) set(n int)     { f.active.Store(int64(n)); f.signal() }
func (f *fakeJobs) signal() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// countMsg is a job message with a count, as the relay's snapshots are.
type countMsg int

func (c countMsg) ActiveJobs() int { return int(c) }

func TestQuitWithJobsRunningAsks(t *testing.T) {
	jobs := newFakeJobs()
	rec := &recorder{}
	app := newTestApp(rec, jobs)
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	ctx, stop := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	feed := Feed{Changed: jobs.changed, Message: func() tea.Msg { return countMsg(jobs.Active()) }}
	go func() { defer close(relayDone); Relay(ctx, tm.Send, feed, 10*time.Millisecond) }()
	t.Cleanup(func() { stop(); <-relayDone })
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane", "no jobs running")
	jobs.set(6)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return regexp.MustCompile(`6 jobs running`).Match(b) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	tm.Type("q")
	uitest.WaitOutput(t, tm, 5*time.Second, "jobs running — quit and cancel them? (y/n)")
	tm.Type("n")
	uitest.WaitOutput(t, tm, 5*time.Second, "q quit")
	tm.Type("2") // still running and taking keys
	uitest.WaitOutput(t, tm, 5*time.Second, "RUNS pane")
	tm.Type("q")
	uitest.WaitOutput(t, tm, 5*time.Second, "quit and cancel them?")
	tm.Type("y")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if !jobs.cancelled.Load() {
		t.Fatal("quitting did not cancel the jobs")
	}
	if app.ctx.Err() == nil {
		t.Fatal("quitting did not cancel the application's context")
	}
	if !rec.has("Files:jobs") || !rec.has("Rejects:jobs") {
		t.Fatal("the job message did not reach every view")
	}
}

func TestQuitWithoutJobs(t *testing.T) {
	rec := &recorder{}
	tm := teatest.NewTestModel(t, newTestApp(rec, nil), teatest.WithInitialTermSize(80, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// checkFrame asserts the frame is exactly h lines of at most w cells.
func checkFrame(t *testing.T, a *App, w, h int, what string) string {
	t.Helper()
	v := a.View()
	if !v.AltScreen || v.MouseMode != tea.MouseModeCellMotion {
		t.Fatalf("%s: AltScreen %v MouseMode %v", what, v.AltScreen, v.MouseMode)
	}
	lines := strings.Split(v.Content, "\n")
	if len(lines) != h {
		t.Fatalf("%s at %dx%d: %d lines, want %d", what, w, h, len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("%s at %dx%d: line %d is %d cells wide: %q", what, w, h, i, lw, l)
		}
	}
	return v.Content
}

func TestFrameFitsTheTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}, {40, 10}, {12, 3}, {1, 1}} {
		w, h := size[0], size[1]
		rec := &recorder{}
		views := fakeViews(rec, "Files", "Runs", "Rejects", "Tables with a very long title indeed", "Query", "Flows", "Seventh")
		for _, v := range views {
			v.(*fakeView).wide = true
		}
		a := NewApp(AppOptions{
			Status: []string{"prod-" + strings.Repeat("p", 60) + "/eu-west-1", "athena"}, Jobs: newFakeJobs(),
			Views: views, LakeLabel: "s3://" + strings.Repeat("bucket\x1b[2J", 30), Getenv: func(string) string { return "" },
		})
		a.Init()
		a.Update(tea.WindowSizeMsg{Width: w, Height: h})
		a.Update(countMsg(12))
		checkFrame(t, a, w, h, "view")
		a.Update(Notify{Text: strings.Repeat("a long notification 通知 ", 30), Error: true})
		out := checkFrame(t, a, w, h, "notification")
		if strings.Contains(out, "\x1b[2J") {
			t.Fatal("unsanitized lake label drawn")
		}
		a.Update(uitest.Key("?"))
		checkFrame(t, a, w, h, "help")
		a.Update(uitest.Key("esc"))
		a.Update(uitest.Key(":"))
		for _, r := range strings.Repeat("x", 300) {
			a.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		checkFrame(t, a, w, h, "command line")
		a.Update(uitest.Key("esc"))
		a.Update(quitCheck{n: 3})
		checkFrame(t, a, w, h, "confirm")
		a.Update(tea.BackgroundColorMsg{Color: lipgloss.Color("#ffffff")})
		checkFrame(t, a, w, h, "light theme")
	}
}

func TestInputFocusedViewGetsKeysFirst(t *testing.T) {
	rec := &recorder{}
	a := newTestApp(rec, nil)
	a.views[0].(*fakeView).focus = true
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, k := range []string{"2", "q", "?", ":", "tab"} {
		if _, cmd := a.Update(uitest.Key(k)); cmd != nil {
			t.Fatalf("key %q gave the shell command %T", k, cmd())
		}
	}
	if a.Current() != "Files" || a.mode != modeNormal {
		t.Fatalf("current %q mode %d", a.Current(), a.mode)
	}
	if got := a.views[0].(*fakeView).typed; got != "2q?:tab" {
		t.Fatalf("view typed %q", got)
	}
	_, cmd := a.Update(uitest.Key("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestGoFollowsIntents(t *testing.T) {
	rec := &recorder{}
	a := newTestApp(rec, nil)
	a.Update(Notify{Text: "0 would be accepted: load orders first"}) // a note of the view left
	a.Update(Go{To: ShowRejects{Dataset: "orders", File: "x.csv"}})
	if a.note != "" {
		t.Errorf("the note %q of the view left stays in the next", a.note)
	}
	if a.Current() != "Rejects" || !rec.has("Rejects:show:x.csv") || rec.has("Files:show:x.csv") {
		t.Fatalf("current %q, got %v", a.Current(), rec.all())
	}
	a.Update(Go{To: OpenSQL{SQL: "SELECT 1"}}) // no view takes it
	if a.Current() != "Rejects" || !strings.Contains(a.note, "no view takes") || !a.noteErr {
		t.Fatalf("current %q note %q", a.Current(), a.note)
	}
}

func TestMouseWheelGoesToCurrentView(t *testing.T) {
	rec := &recorder{}
	a := newTestApp(rec, nil)
	a.Update(uitest.Key("2"))
	a.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if !rec.has("Runs:wheel") || rec.has("Files:wheel") {
		t.Fatalf("got %v", rec.all())
	}
}

func TestThemeDetection(t *testing.T) {
	rec := &recorder{}
	noColor := NewApp(AppOptions{Views: fakeViews(rec, "Files"), Getenv: func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}})
	noColor.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	noColor.Update(tea.BackgroundColorMsg{Color: lipgloss.Color("#ffffff")})
	if out := noColor.View().Content; strings.Contains(out, "38;2;") || strings.Contains(out, "48;2;") {
		t.Fatalf("NO_COLOR frame has colours: %q", out)
	}
	a := NewApp(AppOptions{Views: fakeViews(rec, "Files"), Getenv: func(string) string { return "" }})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	dark := a.View().Content
	if !strings.Contains(dark, "185;166;255") { // dark accent #B9A6FF
		t.Fatalf("dark frame lacks the dark accent: %q", dark)
	}
	a.Update(tea.BackgroundColorMsg{Color: lipgloss.Color("#ffffff")})
	if light := a.View().Content; !strings.Contains(light, "90;63;192") { // light accent #5A3FC0
		t.Fatalf("light frame lacks the light accent: %q", light)
	}
	if a.ctxs[0].Theme != a.theme {
		t.Fatal("views did not get the new theme")
	}
}

func TestRelayThrottlesAndCoalesces(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan struct{}, 1)
	var mu sync.Mutex
	sent := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed := Feed{Changed: changed, Message: func() tea.Msg { return countMsg(1) }}
		Relay(ctx, func(tea.Msg) { mu.Lock(); sent++; mu.Unlock() }, feed, 50*time.Millisecond)
	}()
	start := time.Now()
	for time.Since(start) < 300*time.Millisecond {
		select {
		case changed <- struct{}{}:
		default:
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond) // the last change is still delivered
	mu.Lock()
	n := sent
	mu.Unlock()
	if n < 4 || n > 10 { // the first send, then one per interval
		t.Fatalf("%d sends for 300 ms of changes at a 50 ms interval", n)
	}
	if len(changed) != 0 {
		t.Fatal("a change was left undelivered")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("relay did not stop with its context")
	}
}
