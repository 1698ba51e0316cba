package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// switched builds a root like the first with one setting changed, and a
// lake that cannot open is refused naming it (the console stays).
func TestRootSwitched(t *testing.T) {
	a, b := genLake(t, 100), genLake(t, 100)
	r := testRoot(t, a)
	ctx := context.Background()
	nr, err := r.switched(ctx, ui.Switch{Setting: "lake", Value: b})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nr.Close() })
	if lk, _ := nr.Lake(ctx, false); !strings.HasSuffix(lk.URI(), b) || nr.g.Lake != b || r.g.Lake != a {
		t.Fatalf("switched lake %s (globals %s, first %s)", lk.URI(), nr.g.Lake, r.g.Lake)
	}
	er, err := nr.switched(ctx, ui.Switch{Setting: "engine", Value: "athena"})
	if err != nil || er.engineName != "athena" || er.g.Lake != b {
		t.Fatalf("engine switch: %v %+v", err, er)
	}
	_ = er.Close()
	sr, err := nr.switched(ctx, ui.Switch{Setting: "stack", Value: "lakeops-prod"})
	if err != nil || sr.g.Stack != "lakeops-prod" || nr.g.Stack != "" || sr.g.Lake != b {
		t.Fatalf("stack switch: %v %+v", err, sr)
	}
	if got := sr.stackChoices(); len(got) != 1 || got[0] != "lakeops-prod" {
		t.Fatalf(":stack completion %v", got)
	}
	_ = sr.Close()
	if _, err := r.switched(ctx, ui.Switch{Setting: "lake", Value: "s3://"}); err == nil || !strings.Contains(err.Error(), ":lake s3://") {
		t.Fatalf("a lake that cannot open: %v", err)
	}
	if _, err := r.switched(ctx, ui.Switch{Setting: "engine", Value: "spark"}); err == nil {
		t.Fatal(":engine spark accepted")
	}
}

// :run in the console runs every new file and shows the job; :reprocess
// orders reprocesses that dataset's open rows.
func TestConsoleRunCommand(t *testing.T) {
	c, jm := newConsole(t, 300)
	waitFrame(t, c, "the raw files", shows([]string{"products.csv"}))
	for i, line := range []string{"run", "reprocess orders"} {
		c.Send(uitest.Key(":"))
		c.Type(line)
		c.Send(uitest.Key("enter"))
		deadline := time.Now().Add(30 * time.Second)
		for jm.Active() > 0 || len(jm.Jobs()) != i+1 || !jm.Jobs()[0].State.Done() {
			if time.Now().After(deadline) {
				t.Fatalf(":%s: jobs %+v", line, jm.Jobs())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	j := jm.Jobs()
	if len(j) != 2 || j[1].Spec.Title != "run all new files" || j[0].Spec.Reprocess == nil || j[0].Spec.Reprocess.Dataset != "orders" {
		t.Fatalf("jobs: %+v", j)
	}
	waitFrame(t, c, "the reprocess job", shows([]string{"reprocess the open rejected rows of orders"}))
	c.Send(uitest.Key(":")) // every file is ingested now: :run says so and runs nothing
	c.Type("run")
	c.Send(uitest.Key("enter"))
	waitFrame(t, c, "nothing new", shows([]string{"nothing new to load: every raw file is ingested"}))
	if n := len(jm.Jobs()); n != 2 {
		t.Fatalf("%d jobs after :run with nothing new", n)
	}
	quit(t, c)
}
