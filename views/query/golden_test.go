package query

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// TestGoldenResults: a result with 7- and 10-digit numbers and a long
// text at 80×24 and 200×50 (fixed clock); at 200 columns the text is not
// capped while the width holds it.
func TestGoldenResults(t *testing.T) {
	time.Local = time.UTC
	dir := t.TempDir()
	m := New(newFake(), HistoryFile(filepath.Join(dir, "history.sql")), ExportDir(dir))
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	m.now = func() time.Time { return at }
	d := newDriver(t, m)
	d.waitFor("history and tables", func() bool { return m.histLoaded && m.tablesOK })
	d.runSQL("SELECT * FROM golden")
	d.press("esc")
	viewtest.Golden(t, func(t *testing.T, w, h int) string {
		d.t, d.ctx.Width, d.ctx.Height = t, w, h
		return d.screen()
	}, []string{"3302817", "8000000001", "1234567.50",
		"customer asked for the order to be split across two deliveries because the second half was on back order; support agreed and waived the fee"},
		[]string{"3302817", "8000000001"})
}
