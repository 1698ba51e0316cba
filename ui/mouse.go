package ui

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// click handles a mouse click: a tab shows its view; a left click in the
// view's area goes to the view as a Click in its own cells.
func (a *App) click(msg tea.MouseClickMsg) tea.Cmd {
	if a.mode != modeNormal || !a.hasViews() {
		return nil
	}
	m := msg.Mouse()
	if m.Y == 0 {
		x := 0
		for i := range a.views {
			w := lipgloss.Width(a.tabLabel(i))
			if m.X >= x && m.X < x+w {
				return a.show(i)
			}
			x += w
		}
		return nil
	}
	if m.Button != tea.MouseLeft || m.Y-1 >= a.areaHeight() {
		return nil
	}
	return a.toCurrent(Click{X: m.X, Y: m.Y - 1})
}
