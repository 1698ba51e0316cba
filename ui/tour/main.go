// Command tour records the README's pictures from the real console: it
// builds lakeops, runs `lakeops demo` in a tmux session, drives it with
// tmux send-keys, captures frames with `tmux capture-pane -e -p`, renders
// them to SVG with freeze (github.com/charmbracelet/freeze, works offline),
// rasterizes the SVG with ffmpeg's SVG decoder (freeze's own PNG output
// crashes when freeze is built with Go 1.26) and joins the frames into a
// GIF with ffmpeg. VHS needs ttyd, which Debian lacks;
// demo.tape holds the same tour for anyone who has VHS.
//
// Usage (from the repository root; needs tmux, ffmpeg and freeze on PATH,
// or set FREEZE to its path):
//
//	go run ./ui/tour [-out ui/tour] [-width 120] [-height 32]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// step is one moment of the tour: keys to send, then a pause, then
// (optionally) a named screenshot; hold is how many GIF frames it lasts.
type step struct {
	keys    []string
	wait    time.Duration
	shot    string
	hold    int
	waitFor string // wait (up to 60 s) until the screen shows this text
}

func tourSteps() []step {
	return []step{
		{wait: 3 * time.Second, waitFor: "Files", shot: "files", hold: 3},
		// The project's flow says what it would do and asks (n: not now).
		{keys: []string{"6", "Down", "Enter", "s"}, wait: 2 * time.Second, waitFor: "input JSON", hold: 1},
		{keys: []string{"C-s"}, wait: 2 * time.Second, waitFor: "start this execution? y/n", shot: "flow-start", hold: 3},
		{keys: []string{"n"}, wait: 500 * time.Millisecond, hold: 1},
		{keys: []string{"Escape"}, wait: 500 * time.Millisecond, hold: 1},
		{keys: []string{"Escape", "1"}, wait: time.Second, hold: 1},
		{keys: []string{"R"}, wait: 700 * time.Millisecond, hold: 1},
		{wait: 700 * time.Millisecond, hold: 1},
		{wait: 700 * time.Millisecond, hold: 1},
		{wait: 2 * time.Second, waitFor: "succeeded", shot: "runs", hold: 3},
		{keys: []string{"3"}, wait: 2 * time.Second, shot: "rejects", hold: 3},
		{keys: []string{"Enter"}, wait: time.Second, shot: "reject-detail", hold: 3},
		{keys: []string{"Escape", "?"}, wait: time.Second, shot: "help", hold: 2},
		{keys: []string{"Escape", "4"}, wait: 2 * time.Second, waitFor: "order_items", shot: "tables", hold: 2},
		{keys: []string{"j", "j", "s"}, wait: 2 * time.Second, waitFor: "rows", shot: "query", hold: 3},
		// The lab's state machine (the first one), run on the local runner.
		{keys: []string{"Escape", "6", "Up", "Enter", "s"}, wait: 2 * time.Second, hold: 1},
		{keys: []string{"C-s"}, wait: 2 * time.Second, waitFor: "start this execution? y/n", hold: 2},
		{keys: []string{"y"}, wait: 6 * time.Second, waitFor: "SUCCEEDED", shot: "flows", hold: 3},
		{keys: []string{"Escape", "Escape", "1"}, wait: time.Second, hold: 2},
	}
}

func main() {
	out := flag.String("out", "ui/tour", "folder for the PNGs and tour.gif")
	width := flag.Int("width", 120, "terminal columns")
	height := flag.Int("height", 32, "terminal rows")
	flag.Parse()
	if err := run(*out, *width, *height); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func run(out string, width, height int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, tool := range []string{"tmux", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (apt-get install %s)", tool, tool)
		}
	}
	freeze := os.Getenv("FREEZE")
	if freeze == "" {
		freeze = "freeze"
	}
	if _, err := exec.LookPath(freeze); err != nil {
		return fmt.Errorf("freeze is needed: go install github.com/charmbracelet/freeze@v0.2.2")
	}
	work, err := os.MkdirTemp("", "lakeops-tour-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "lakeops")
	if err := sh(ctx, "go", "build", "-o", bin, "."); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	session := fmt.Sprintf("lakeops-tour-%d", os.Getpid())
	lakeDir := filepath.Join(work, "lake")
	cmd := fmt.Sprintf("cd %s && TERM=xterm-256color COLORTERM=truecolor %s --lake %s demo", work, bin, lakeDir)
	if err := sh(ctx, "tmux", "new-session", "-d", "-s", session, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), cmd); err != nil {
		return err
	}
	defer exec.Command("tmux", "kill-session", "-t", session).Run()
	frames := filepath.Join(work, "frames")
	if err := os.MkdirAll(frames, 0o755); err != nil {
		return err
	}
	n := 0
	for i, s := range tourSteps() {
		for _, k := range s.keys {
			if err := sh(ctx, "tmux", "send-keys", "-t", session, k); err != nil {
				return err
			}
			time.Sleep(150 * time.Millisecond)
		}
		time.Sleep(s.wait)
		screen, err := capture(ctx, session)
		if err != nil {
			return err
		}
		if s.waitFor != "" {
			deadline := time.Now().Add(60 * time.Second)
			for !strings.Contains(stripANSI(screen), s.waitFor) && time.Now().Before(deadline) {
				time.Sleep(500 * time.Millisecond)
				if screen, err = capture(ctx, session); err != nil {
					return err
				}
			}
		}
		ansi := filepath.Join(frames, fmt.Sprintf("step-%02d.ansi", i))
		// freeze ignores SGR 49 (default background), so a background would
		// run on past its cell; a full reset draws the same on a terminal.
		frame := strings.ReplaceAll(screen, "\x1b[49m", "\x1b[0m")
		if err := os.WriteFile(ansi, []byte(frame), 0o644); err != nil {
			return err
		}
		svg := filepath.Join(frames, fmt.Sprintf("step-%02d.svg", i))
		// A monospace font the SVG rasterizer finds on the system (it does
		// not load the web font freeze embeds): columns stay aligned.
		if err := sh(ctx, freeze, ansi, "--language", "ansi", "--window", "--font.family", "DejaVu Sans Mono", "-o", svg); err != nil {
			return err
		}
		png := filepath.Join(frames, fmt.Sprintf("step-%02d.png", i))
		if err := sh(ctx, "ffmpeg", "-y", "-loglevel", "error", "-width", "2400", "-i", svg, png); err != nil {
			return err
		}
		for h := 0; h < max(s.hold, 1); h++ {
			n++
			if err := os.Link(png, filepath.Join(frames, fmt.Sprintf("%03d.png", n))); err != nil {
				return err
			}
		}
		if s.shot != "" {
			// A smaller copy for the README.
			if err := sh(ctx, "ffmpeg", "-y", "-loglevel", "error", "-i", png, "-vf", "scale=1200:-1:flags=lanczos",
				filepath.Join(out, s.shot+".png")); err != nil {
				return err
			}
		}
	}
	_ = sh(ctx, "tmux", "send-keys", "-t", session, "q")
	gif := filepath.Join(out, "tour.gif")
	// freeze's frames differ in height by a few pixels; without a fixed
	// size (and with ffmpeg's default filter re-initialisation on a size
	// change) the GIF would end at the first frame of another height.
	return sh(ctx, "ffmpeg", "-y", "-loglevel", "error", "-reinit_filter", "0", "-framerate", "1", "-i", filepath.Join(frames, "%03d.png"),
		"-vf", "scale=960:548:force_original_aspect_ratio=decrease:flags=lanczos,pad=960:548:(ow-iw)/2:(oh-ih)/2:color=0x171717,"+
			"split[a][b];[a]palettegen[p];[b][p]paletteuse", gif)
}

func capture(ctx context.Context, session string) (string, error) {
	b, err := exec.CommandContext(ctx, "tmux", "capture-pane", "-e", "-p", "-t", session).Output()
	if err != nil {
		return "", fmt.Errorf("tmux capture-pane: %w", err)
	}
	return string(b), nil
}

func sh(ctx context.Context, name string, args ...string) error {
	c := exec.CommandContext(ctx, name, args...)
	c.Stderr = os.Stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// stripANSI drops escape sequences, to look for text on a captured screen.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i++; i < len(s) && !(s[i] >= 0x40 && s[i] <= 0x7e && s[i] != '['); i++ {
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
