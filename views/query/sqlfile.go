package query

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/ui"
)

// maxSQLFile bounds a .sql file the editor opens.
const maxSQLFile = 1 << 20

// sqlFileMsg reports a .sql file opened or saved.
type sqlFileMsg struct {
	path, text string
	saved      bool
	err        error
}

// sqlName refuses a path that is not a .sql file's.
func sqlName(path string) error {
	if !strings.EqualFold(filepath.Ext(path), ".sql") {
		return fmt.Errorf("%s: name a file ending in .sql", path)
	}
	return nil
}

// loadSQL reads a .sql file for the editor (:open PATH).
func loadSQL(path string) tea.Cmd {
	return func() tea.Msg {
		if err := sqlName(path); err != nil {
			return sqlFileMsg{path: path, err: err}
		}
		f, err := os.Open(path)
		if err != nil {
			return sqlFileMsg{path: path, err: fmt.Errorf("open %s: %w", path, err)}
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxSQLFile+1))
		switch {
		case err != nil:
			return sqlFileMsg{path: path, err: fmt.Errorf("read %s: %w", path, err)}
		case len(b) > maxSQLFile:
			return sqlFileMsg{path: path, err: fmt.Errorf("%s is over 1 MiB: not an SQL script to edit here", path)}
		}
		return sqlFileMsg{path: path, text: string(b)}
	}
}

// saveSQL writes the editor's text to a .sql file (:save PATH); only a
// file named .sql is written. An existing file is replaced only when it is
// the one the editor opened or saved last (own); another is refused.
func saveSQL(path, own, text string) tea.Cmd {
	return func() tea.Msg {
		if err := sqlName(path); err != nil {
			return sqlFileMsg{path: path, saved: true, err: err}
		}
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if filepath.Clean(path) != filepath.Clean(own) || own == "" {
			flags |= os.O_EXCL // never replace a file the editor did not open
		}
		f, err := os.OpenFile(path, flags, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return sqlFileMsg{path: path, saved: true, err: fmt.Errorf("%s exists and is not the file in the editor: save under another name (or :open it first)", path)}
		}
		if err == nil {
			_, err = f.WriteString(text)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return sqlFileMsg{path: path, saved: true, err: fmt.Errorf("save %s: %w", path, err)}
		}
		return sqlFileMsg{path: path, saved: true}
	}
}

// sqlFile takes a file's outcome: an opened file fills the editor.
func (m *Model) sqlFile(msg sqlFileMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		return ui.NotifyCmd(msg.err.Error(), true)
	case msg.saved:
		m.sqlPath = msg.path
		return ui.NotifyCmd("saved the SQL to "+msg.path, false)
	}
	note := "opened " + msg.path + " in the editor (ctrl+r runs it)"
	var keep tea.Cmd
	if before := strings.TrimSpace(m.editor.Value()); before != "" && before != strings.TrimSpace(editorSafe(msg.text)) {
		keep = m.remember(before) // the text it replaces is not lost
		note += "; the text before is in the history (ctrl+p)"
	}
	m.sqlPath = msg.path
	m.editor.SetValue(editorSafe(msg.text))
	m.list.Dismiss()
	return tea.Batch(keep, m.editor.Focus(), ui.NotifyCmd(note, false))
}

// editorSafe drops the carriage returns of a Windows file.
func editorSafe(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
