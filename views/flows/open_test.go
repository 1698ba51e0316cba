package flows

import (
	"testing"
	"time"

	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// Open(id): the view starts in that machine's executions; esc goes back to
// the machines, and a later reload of the machines does not open it again.
func TestOpenAMachine(t *testing.T) {
	f := newFakeService(t)
	f.add(8)
	v := New(f, Poll(time.Second), Open("arn:aws:states:local:machine:other"))
	h := viewtest.New(t, v)
	h.ExpectContains("other", "executions · 0")
	if v.mode != modeExecs || v.machine.Name != "other" {
		t.Fatalf("mode %v machine %q", v.mode, v.machine.Name)
	}
	h.Press("esc")
	h.ExpectContains("state machines", "lakehouse", "other")
	h.Press("r")
	h.ExpectContains("state machines")
	if v.mode != modeMachines {
		t.Errorf("a reload opened the machine again (mode %v)", v.mode)
	}

	// A machine that is not listed leaves the view on the machines.
	v = New(f, Poll(time.Second), Open("arn:aws:states:local:machine:gone"))
	h = viewtest.New(t, v)
	h.ExpectContains("state machines", "lakehouse")
	if v.mode != modeMachines {
		t.Errorf("mode %v", v.mode)
	}
}
