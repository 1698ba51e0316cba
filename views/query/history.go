package query

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// entryMarker starts each statement in the history file, which stays a
// valid SQL file:
//
//	-- lakeops:entry 2026-11-25T10:00:00Z
//	SELECT count(*) FROM orders
const entryMarker = "-- lakeops:entry"

// historyMsg carries the statements read from the history file.
type historyMsg struct {
	entries []string
	err     error
}

// historySavedMsg reports a failed append to the history file.
type historySavedMsg struct{ err error }

func loadHistoryCmd(path string) tea.Cmd {
	return func() tea.Msg {
		if path == "" {
			return historyMsg{}
		}
		entries, err := readHistory(path)
		return historyMsg{entries: entries, err: err}
	}
}

// readHistory reads the newest maxHistory statements of a history file; a
// missing file is an empty history.
func readHistory(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the SQL history: %w", err)
	}
	defer f.Close()
	var entries []string
	var cur []string
	flush := func() {
		if s := strings.TrimSpace(strings.Join(cur, "\n")); s != "" &&
			(len(entries) == 0 || entries[len(entries)-1] != s) {
			entries = append(entries, s)
		}
		cur = cur[:0]
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, entryMarker) {
			flush()
			continue
		}
		cur = append(cur, strings.TrimPrefix(line, " ")) // see appendHistory
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the SQL history %s: %w", path, err)
	}
	if len(entries) > maxHistory {
		entries = entries[len(entries)-maxHistory:]
	}
	return entries, nil
}

// appendHistory appends one statement to the history file, creating it
// (and its folder) readable by the user only.
func appendHistory(path, sql string, at time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save the SQL history: %w", err)
	}
	var b strings.Builder
	b.WriteString(entryMarker + " " + at.UTC().Format(time.RFC3339) + "\n")
	for _, line := range strings.Split(sql, "\n") {
		// A leading space keeps lines that start like a marker (or with a
		// space) from being read as one; readHistory drops it again.
		if strings.HasPrefix(line, entryMarker) || strings.HasPrefix(line, " ") {
			line = " " + line
		}
		b.WriteString(line + "\n")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("save the SQL history: %w", err)
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save the SQL history %s: %w", path, err)
	}
	return nil
}

// historyLoaded puts the file's statements before the ones run since the
// view started.
func (m *Model) historyLoaded(msg historyMsg) {
	if m.histLoaded {
		return
	}
	m.histLoaded = true
	if msg.err != nil {
		m.setNote(msg.err.Error(), true)
	}
	merged := append([]string(nil), msg.entries...)
	for _, s := range m.history {
		if len(merged) == 0 || merged[len(merged)-1] != s {
			merged = append(merged, s)
		}
	}
	if len(merged) > maxHistory {
		merged = merged[len(merged)-maxHistory:]
	}
	m.history, m.histPos = merged, len(merged)
}

// remember adds a statement that ran to the history (unless it repeats
// the last one) and appends it to the history file in a command.
func (m *Model) remember(sql string) tea.Cmd {
	defer func() { m.histPos = len(m.history) }()
	if n := len(m.history); n > 0 && m.history[n-1] == sql {
		return nil
	}
	m.history = append(m.history, sql)
	if len(m.history) > maxHistory {
		m.history = m.history[len(m.history)-maxHistory:]
	}
	path, at := m.histPath, m.now()
	if path == "" {
		return nil
	}
	if m.histLog == nil {
		m.histLog = newHistoryLog()
	}
	log, seq := m.histLog, m.histLog.take()
	return func() tea.Msg {
		if err := log.append(seq, path, sql, at); err != nil {
			return historySavedMsg{err: err}
		}
		return nil
	}
}

// historyLog keeps appends to the history file in the order the statements
// ran, although each append runs in its own command (goroutine).
type historyLog struct {
	mu      sync.Mutex
	turn    *sync.Cond
	next    int // sequence number handed to the next append
	written int // appends done
}

func newHistoryLog() *historyLog {
	l := &historyLog{}
	l.turn = sync.NewCond(&l.mu)
	return l
}

// take reserves the next place in the order (called from Update).
func (l *historyLog) take() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	return l.next
}

// append waits for the earlier appends, then writes.
func (l *historyLog) append(seq int, path, sql string, at time.Time) error {
	l.mu.Lock()
	for l.written != seq-1 {
		l.turn.Wait()
	}
	l.mu.Unlock()
	err := appendHistory(path, sql, at)
	l.mu.Lock()
	l.written = seq
	l.turn.Broadcast()
	l.mu.Unlock()
	return err
}

func historyNote(pos, n int) string {
	return fmt.Sprintf("history %d/%d · ctrl+p older · ctrl+n newer", pos+1, n)
}
