package query

import (
	"fmt"
	"io"
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

// loadSQL reads a .sql file for the editor (:open PATH).
func loadSQL(path string) tea.Cmd {
	return func() tea.Msg {
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
// file named .sql is written, and replaced when it exists.
func saveSQL(path, text string) tea.Cmd {
	return func() tea.Msg {
		if !strings.EqualFold(filepath.Ext(path), ".sql") {
			return sqlFileMsg{path: path, saved: true, err: fmt.Errorf("%s: name a file ending in .sql", path)}
		}
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
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
		return ui.NotifyCmd("saved the SQL to "+msg.path, false)
	}
	m.editor.SetValue(editorSafe(msg.text))
	m.list.Dismiss()
	return tea.Batch(m.editor.Focus(), ui.NotifyCmd("opened "+msg.path+" in the editor (ctrl+r runs it)", false))
}

// editorSafe drops the carriage returns of a Windows file.
func editorSafe(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
