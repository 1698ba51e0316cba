package uitest

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Probe wraps the console (or any model) for teatest and keeps the frames it drew (on
// the program's goroutine, without styles), so a test reads whole
// screens rather than the renderer's partial updates, and can check every
// frame a run went through.
type Probe struct {
	Model  tea.Model
	mu     sync.Mutex
	frames []string
}

// Init starts the console.
func (p *Probe) Init() tea.Cmd { return p.Model.Init() }

// Update hands msg to the console.
func (p *Probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := p.Model.Update(msg)
	p.Model = m
	return p, cmd
}

// View draws the console and keeps the frame.
func (p *Probe) View() tea.View {
	v := p.Model.View()
	p.mu.Lock()
	if f := ansi.Strip(v.Content); len(p.frames) == 0 || p.frames[len(p.frames)-1] != f {
		p.frames = append(p.frames, f)
	}
	p.mu.Unlock()
	return v
}

// Screen is the last frame.
func (p *Probe) Screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.frames) == 0 {
		return ""
	}
	return p.frames[len(p.frames)-1]
}

// Frames are the frames drawn so far, each once.
func (p *Probe) Frames() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.frames...)
}

// WaitScreen waits up to d until the last frame holds every text and
// returns it.
func (p *Probe) WaitScreen(t testing.TB, d time.Duration, subs ...string) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := p.Screen()
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(scr, s)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q; screen:\n%s", subs, scr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
