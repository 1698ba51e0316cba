package rejects

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// stub is a second view: a digit that reaches the shell shows it.
type stub struct{}

func (stub) Title() string                                    { return "Other" }
func (stub) Init(*ui.Context) tea.Cmd                         { return nil }
func (s stub) Update(*ui.Context, tea.Msg) (ui.View, tea.Cmd) { return s, nil }
func (stub) Render(*ui.Context) string                        { return "the other view" }
func (stub) Help() []key.Binding                              { return nil }
func (stub) InputFocused() bool                               { return false }

// TestFilePickerTakesItsKeys: in the file picker, / filters the files and
// digits typed there go to the filter, not to the shell's view keys.
func TestFilePickerTakesItsKeys(t *testing.T) {
	lk := opstest.Lake(t)
	opstest.Run(t, lk, "bronze_layer/products.csv", day1, "bronze_layer/orders/orders_2025_04_02.csv")
	o, _ := opstest.Ops(t, lk)
	app := ui.NewApp(ui.AppOptions{Theme: ui.NewTheme(true, true), Views: []ui.View{New(o), stub{}}, LakeLabel: "/tmp/lake"})
	p := &uitest.Probe{Model: app}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(100, 30))
	p.WaitScreen(t, 10*time.Second, "[products]")
	tm.Send(uitest.Key("d")) // orders
	p.WaitScreen(t, 10*time.Second, "orders_2025_04_01.csv")
	tm.Send(uitest.Key("f"))
	p.WaitScreen(t, 5*time.Second, "(all files)", "orders_2025_04_02.csv")
	tm.Send(uitest.Key("2")) // not a view key here: the picker stays
	tm.Send(uitest.Key("/"))
	for _, r := range "04_02" {
		tm.Send(uitest.Key(string(r)))
	}
	scr := p.WaitScreen(t, 5*time.Second, "/04_02", "orders_2025_04_02.csv")
	if containsAll(scr, "orders_2025_04_01.csv") || containsAll(scr, "the other view") {
		t.Fatalf("the picker's filter did not filter:\n%s", scr)
	}
	tm.Send(uitest.Key("enter")) // ends the filter
	tm.Send(uitest.Key("enter")) // picks the one file
	p.WaitScreen(t, 5*time.Second, "file: orders/orders_2025_04_02.csv")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
