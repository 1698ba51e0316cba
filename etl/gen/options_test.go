package gen

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/dataset"
)

// TestOptionErrors: an option out of range is an *OptionError naming the
// option and the rule, without the package's name in its rule (a command
// line puts its flag in front), and nothing is written.
func TestOptionErrors(t *testing.T) {
	for _, c := range []struct {
		opts   Options
		option string
		msg    string
	}{
		{Options{Orders: -5}, "Orders", "must be >= 0, got -5"},
		{Options{Orders: 10, Dirty: 2}, "Dirty", "must be in 0..0.9, got 2"},
		{Options{Orders: 10, Days: -1}, "Days", "must be in 0..100000, got -1"},
		{Options{Orders: 10, ItemsPerOrder: 0.5}, "ItemsPerOrder", "must be in 1..1000, got 0.5"},
		{Options{Orders: 60_000_000}, "Orders", "must be at most 50000000 (500 a day for at most 100000 days), got 60000000"},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		_, err := Generate(context.Background(), dir, c.opts, nil)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg || strings.Contains(oe.Msg, "gen:") {
			t.Errorf("%+v: %#v (%v); want option %s, %q", c.opts, oe, err, c.option, c.msg)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%+v: the output folder was made", c.opts)
		}
	}
	// An IO failure names what failed, once.
	_, err := Generate(context.Background(), "/dev/null/x", Options{Orders: 10}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "create the output folder: ") {
		t.Errorf("unwritable folder: %v", err)
	}
}

// TestDefectsAreReasonCodes: every defect the generator injects is a
// reason code its dataset's rules name (dataset.ReasonCodes).
func TestDefectsAreReasonCodes(t *testing.T) {
	for _, name := range []string{Products, Orders, OrderItems} {
		d, err := dataset.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range Defects(name) {
			if !slices.Contains(d.ReasonCodes(), code) {
				t.Errorf("%s: the generator injects %s, which is not among %q", name, code, d.ReasonCodes())
			}
		}
	}
}
