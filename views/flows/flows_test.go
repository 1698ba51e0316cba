package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// The view implements the shell's View interface.
var _ ui.View = (*Model)(nil)

// seedStates are every state of the seed, branches included.
func seedStates() []string {
	return []string{"Glue StartJobRun", "StartCrawler", "WaitForCrawler", "CheckCrawlerStatus",
		"IsCrawlingComplete", "Parallel", "RunTestQueriesOrders", "RunTestQueriesOrderItems",
		"RunTestQueriesProducts", "Archive Files", "Failed Message", "Succeed Message"}
}

func newHarness(t *testing.T, f *fakeService) (*viewtest.Harness, *Model, *ticks) {
	t.Helper()
	v := New(f, Poll(time.Second))
	tk := &ticks{}
	v.tick = tk.tick
	v.now = func() time.Time { return f.t0.Add(2 * time.Hour) }
	return viewtest.New(t, v), v, tk
}

// openFirst goes from the machines to the newest execution of the first machine.
func openFirst(t *testing.T, h *viewtest.Harness) {
	t.Helper()
	h.Press("enter")
	h.ExpectContains("executions")
	h.Press("enter")
	h.ExpectContains("execution run-", "graph")
}

// markOf returns the status mark drawn before "[ state ]" on the screen.
func markOf(t *testing.T, scr, state string) string {
	t.Helper()
	for _, l := range strings.Split(scr, "\n") {
		if i := strings.Index(l, "[ "+state+" ]"); i >= 0 {
			r := []rune(strings.TrimRight(l[:i], " "))
			if len(r) == 0 {
				t.Fatalf("no mark before %q in %q", state, l)
			}
			return string(r[len(r)-1])
		}
	}
	t.Fatalf("no line for state %q:\n%s", state, scr)
	return ""
}

func TestNavigation(t *testing.T) {
	f := newFakeService(t)
	f.add(8) // succeeded
	f.add(2) // running
	h, v, _ := newHarness(t, f)
	h.ExpectContains("state machines", "local", "lakehouse", "other")

	h.Press("enter")
	scr := h.ExpectContains("lakehouse", "executions · 2", "run-1", "SUCCEEDED", "run-2", "RUNNING", "x stop")
	if strings.Index(scr, "run-2") > strings.Index(scr, "run-1") {
		t.Fatalf("executions are not newest first:\n%s", scr)
	}
	h.Press("down", "enter")
	h.ExpectContains("execution run-1", "SUCCEEDED", "[ Glue StartJobRun ]", "ExecutionSucceeded")
	if v.mode != modeExec || v.execID != "exec-1" {
		t.Fatalf("mode %v exec %q", v.mode, v.execID)
	}
	h.Press("esc")
	h.ExpectContains("executions · 2")
	h.Press("esc")
	h.ExpectContains("state machines")
	h.Press("down", "enter")
	h.ExpectContains("other", "executions · 0", "no executions yet")
}

func TestSeedGraph(t *testing.T) {
	g, err := parseGraph(seedDef(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, li := range g.states {
		names = append(names, g.lines[li].state)
	}
	want := []string{"Glue StartJobRun", "StartCrawler", "WaitForCrawler", "CheckCrawlerStatus", "IsCrawlingComplete",
		"Parallel", "RunTestQueriesOrders", "RunTestQueriesOrderItems", "RunTestQueriesProducts", "Archive Files",
		"Succeed Message", "Failed Message"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("states in order:\n%q\nwant\n%q", names, want)
	}

	f := newFakeService(t)
	f.add(0)
	h, _, _ := newHarness(t, f)
	h.Resize(200, 60)
	openFirst(t, h)
	scr := h.ExpectContains(
		"[ Glue StartJobRun ] Task glue:startJobRun.sync",
		"↳ catch States.ALL → Failed Message",
		"[ WaitForCrawler ] Wait 35s",
		`↳ $.Crawler.State == "READY" → Parallel`,
		`↳ $.Crawler.State == "STOPPING" → Parallel`,
		"↳ default → WaitForCrawler ↑",
		"├─ branch 1/3", "└─ branch 3/3",
		"[ Archive Files ] Task lambda:archive_on_success",
		"[ Succeed Message ] Task sns:publish · end",
		"12 states",
	)
	for _, s := range seedStates() {
		if !strings.Contains(scr, "[ "+s+" ]") {
			t.Fatalf("the graph lacks %q:\n%s", s, scr)
		}
	}
}

func TestGraphShapes(t *testing.T) {
	def := `{"StartAt":"Pick","States":{
	  "Pick":{"Type":"Choice","Choices":[
	    {"And":[{"Variable":"$.n","NumericGreaterThan":3},{"Not":{"Variable":"$.s","StringEquals":"x"}}],"Next":"Each"},
	    {"Variable":"$.v","IsPresent":false,"Next":"Bad"}],"Default":"Nowhere"},
	  "Each":{"Type":"Map","ItemProcessor":{"StartAt":"Work","States":{"Work":{"Type":"Pass","End":true}}},"Next":"Done"},
	  "Bad":{"Type":"Fail","Error":"Oops"},
	  "Done":{"Type":"Succeed"},
	  "Orphan":{"Type":"Pass","Next":"Pick"}}}`
	g, err := parseGraph([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, l := range g.lines {
		texts = append(texts, l.prefix+l.state+l.info)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{`$.n > 3 and not $.s == "x" → Each`, "$.v not IsPresent → Bad",
		"default → Nowhere (no such state)", "  └─ each item", "     Work", "BadOops", "next → Pick ↑", "Orphan"} {
		if !strings.Contains(all, want) {
			t.Fatalf("graph lacks %q:\n%s", want, all)
		}
	}
	for _, bad := range []string{`{"StartAt":"A","States":{}}`, `{"StartAt":"A","States":{"B":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{}}],"End":true}}}`, `[`} {
		if _, err := parseGraph([]byte(bad)); err == nil {
			t.Fatalf("parseGraph(%s) did not fail", bad)
		}
	}
	_, err = parseGraph([]byte(`{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"Y":{"Type":"Pass","End":true}}}],"End":true}}}`))
	if err == nil || !strings.Contains(err.Error(), `$.States["A"].Branches[0].StartAt`) {
		t.Fatalf("error does not name the path: %v", err)
	}
}

func TestStatusesFollowHistory(t *testing.T) {
	f := newFakeService(t)
	id := f.add(3) // three states succeeded, the fourth runs
	h, v, _ := newHarness(t, f)
	h.Resize(200, 60)
	openFirst(t, h)
	scr := h.Screen()
	want := map[string]string{"Glue StartJobRun": "✓", "StartCrawler": "✓", "WaitForCrawler": "✓", "CheckCrawlerStatus": "▶"}
	for _, s := range seedStates() {
		w, ok := want[s]
		if !ok {
			w = "·"
		}
		if got := markOf(t, scr, s); got != w {
			t.Fatalf("%s: mark %q, want %q\n%s", s, got, w, scr)
		}
	}
	if v.selName() != "CheckCrawlerStatus" {
		t.Fatalf("selection does not follow the running state: %q", v.selName())
	}
	// The running state is drawn in the warn colour, a state not reached dim.
	frame := h.Frame()
	th := h.Ctx.Theme
	if !strings.Contains(frame, th.Warn.Render("▶")) || !strings.Contains(frame, th.Dim.Render("[ Archive Files ]")) {
		t.Fatalf("status colours missing:\n%q", frame)
	}

	// The detail pane shows the selected state's input and output.
	h.Press("up") // WaitForCrawler
	h.ExpectContains("state WaitForCrawler", "input", `"at": "WaitForCrawler"`, "output", `"done": "WaitForCrawler"`, `"rows": 42`)

	// A failure: the running state turns ✗ and its error shows.
	f.fail(id, "States.TaskFailed", `{"ErrorMessage":"boom \u001b[31m"}`)
	h.Send(Changed{})
	scr = h.ExpectContains("FAILED", "States.TaskFailed", "R redrive")
	if got := markOf(t, scr, "CheckCrawlerStatus"); got != "✗" {
		t.Fatalf("failed state mark %q:\n%s", got, scr)
	}
	h.Press("down")
	h.ExpectContains("error States.TaskFailed", `"ErrorMessage": "boom \u001b[31m"`)
}

func TestReplay(t *testing.T) {
	ev := func(typ, state string) Event { return Event{Type: typ, State: state, Error: "E"} }
	runs, last := replay([]Event{
		ev("ExecutionStarted", ""),
		ev("TaskStateEntered", "A"), ev("TaskScheduled", "A"), ev("TaskFailed", "A"), // retried
		ev("TaskScheduled", "A"), ev("TaskSucceeded", "A"), ev("TaskStateExited", "A"),
		ev("TaskStateEntered", "B"), ev("TaskFailed", "B"), ev("TaskStateExited", "B"), // caught
		ev("WaitStateEntered", "C"), ev("WaitStateExited", "C"), ev("WaitStateEntered", "C"), // looped
		ev("ExecutionAborted", ""),
	})
	for name, want := range map[string]runStatus{"A": succeeded, "B": caught, "C": aborted} {
		if runs[name].status != want {
			t.Fatalf("%s: %v, want %v", name, runs[name].status, want)
		}
	}
	if runs["C"].entries != 2 || last != "C" || runs["B"].err != "E" {
		t.Fatalf("entries %d last %q err %q", runs["C"].entries, last, runs["B"].err)
	}
	runs, _ = replay([]Event{ev("TaskStateEntered", "A"), ev("ExecutionFailed", "")})
	if runs["A"].status != failed {
		t.Fatalf("a state running when the execution failed: %v", runs["A"].status)
	}
}

func TestStartWithEditor(t *testing.T) {
	f := newFakeService(t)
	h, v, _ := newHarness(t, f)
	h.Press("enter", "s")
	if !v.InputFocused() {
		t.Fatal("the editor does not have focus")
	}
	h.ExpectContains("start lakehouse", "input JSON", `"files": [`, "bronze_layer/orders/orders_2025-01-01.csv", "ctrl+s start")
	pretty := v.editor.Value()
	if err := checkJSON(pretty); err != nil {
		t.Fatalf("the prefilled input is not JSON: %v", err)
	}

	h.Type("x") // after the closing brace: not JSON; keys go to the editor, not to "stop"
	h.Press("ctrl+s")
	h.ExpectContains("invalid JSON at line 6, column 2")
	if starts, _, _, _ := f.calls(); len(starts) != 0 {
		t.Fatalf("Start was called with invalid JSON: %v", starts)
	}
	h.Press("backspace", "backspace")
	h.Type(`,"force":true}`)
	h.Press("ctrl+s")
	h.ExpectContains("start this execution? y/n")
	if starts, _, _, _ := f.calls(); len(starts) != 0 {
		t.Fatalf("Start was called before the user said yes: %v", starts)
	}
	h.Press("y")
	starts, _, _, _ := f.calls()
	want := strings.TrimSuffix(pretty, "}") + `,"force":true}`
	if len(starts) != 1 || starts[0].input != want || starts[0].machine != f.machines[0].ID {
		t.Fatalf("Start calls %q, want input %q", starts, want)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(starts[0].input), &doc); err != nil || doc["force"] != true {
		t.Fatalf("edited input %q: %v", starts[0].input, err)
	}
	if v.InputFocused() || v.mode != modeExec || v.execID != "exec-1" {
		t.Fatalf("after start: editing %v mode %v exec %q", v.InputFocused(), v.mode, v.execID)
	}
	h.ExpectContains("execution run-1", "RUNNING")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !strings.Contains(n.Text, "started execution exec-1") {
		t.Fatalf("notification %+v", n)
	}

	// esc closes the editor without starting; an empty input is {}.
	h.Press("s")
	h.Press("esc")
	if v.InputFocused() {
		t.Fatal("esc did not close the editor")
	}
	f.mu.Lock()
	f.input = ""
	f.mu.Unlock()
	h.Press("s")
	if v.editor.Value() != "{}" {
		t.Fatalf("an empty default input is not {}: %q", v.editor.Value())
	}
	h.Press("backspace", "backspace", "ctrl+s", "y")
	if starts, _, _, _ := f.calls(); len(starts) != 2 || starts[1].input != "{}" {
		t.Fatalf("empty input: %q", starts)
	}
}

func TestStopAsksFirst(t *testing.T) {
	f := newFakeService(t)
	f.add(1)
	h, v, _ := newHarness(t, f)
	openFirst(t, h)
	h.Press("x")
	h.ExpectContains("stop execution run-1? y/n")
	h.Press("n")
	if _, stops, _, _ := f.calls(); len(stops) != 0 {
		t.Fatalf("stopped without a yes: %v", stops)
	}
	h.Press("x", "y")
	if _, stops, _, _ := f.calls(); len(stops) != 1 || stops[0] != "exec-1" {
		t.Fatalf("stops %v", stops)
	}
	h.ExpectContains("ABORTED")
	if got := markOf(t, h.Screen(), "StartCrawler"); got != "■" {
		t.Fatalf("aborted state mark %q", got)
	}
	h.Press("x")
	h.ExpectContains("nothing to stop: the execution already ABORTED")
	if v.confirm != nil {
		t.Fatal("asked to stop a stopped execution")
	}
}

// TestRefusedKeyLeavesNoQuestion: x on an execution that has finished
// says there is nothing to stop, and the y the user presses next, meant
// as an answer, neither stops nor copies; the key after that is a key
// again. A stop asked while running and answered after the execution
// ended calls nothing either.
func TestRefusedKeyLeavesNoQuestion(t *testing.T) {
	f := newFakeService(t)
	f.add(8) // succeeded
	h, v, _ := newHarness(t, f)
	h.Resize(80, 22) // the notes fit an 80×24 terminal whole
	openFirst(t, h)
	h.ExpectContains("SUCCEEDED")
	h.Press("x")
	scr := h.ExpectContains("nothing to stop: the execution already SUCCEEDED")
	if strings.Contains(scr, "y/n") || v.confirm != nil {
		t.Fatalf("a question is open:\n%s", scr)
	}
	h.Press("y")
	if _, ok := viewtest.Last[ui.Copy](h); ok {
		t.Fatal("the y after the refusal copied")
	}
	h.ExpectContains("no question is open: nothing to stop: the execution already SUCCEEDED")
	h.Press("y")
	if _, ok := viewtest.Last[ui.Copy](h); !ok {
		t.Fatal("y copies again once the refusal was answered")
	}
	if _, stops, _, _ := f.calls(); len(stops) != 0 {
		t.Fatalf("stopped: %v", stops)
	}

	// Asked while running; the execution ends before the y.
	id2 := f.add(1)
	h.Press("esc", "r", "up", "enter")
	h.ExpectContains("execution run-2")
	h.Press("x")
	h.ExpectContains("stop execution run-2? y/n")
	for range 8 {
		f.advance(id2)
	}
	h.Send(Changed{ExecID: id2}) // the view learns it ended
	h.ExpectContains("stop execution run-2? y/n", "SUCCEEDED")
	h.Press("y")
	if _, stops, _, _ := f.calls(); len(stops) != 0 {
		t.Fatalf("stopped an execution that had ended: %v", stops)
	}
	h.ExpectContains("nothing to stop: the execution already SUCCEEDED")
}

// TestRedriveWhereStepFunctionsAllows: like RedriveExecution, R redrives
// FAILED, ABORTED and TIMED_OUT executions (asking first) and says why
// not for SUCCEEDED and RUNNING ones.
func TestRedriveWhereStepFunctionsAllows(t *testing.T) {
	f := newFakeService(t)
	failedID := f.add(2)
	f.fail(failedID, "States.TaskFailed", "crawler down")
	abortedID := f.add(1)
	if err := f.Stop(t.Context(), abortedID); err != nil {
		t.Fatal(err)
	}
	timedOutID := f.add(3)
	f.timeOut(timedOutID)
	f.add(8) // succeeded, newest
	h, v, _ := newHarness(t, f)
	h.Resize(80, 22) // the notes fit an 80×24 terminal whole
	h.Press("enter")
	scr := h.ExpectContains("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT")
	if strings.Contains(scr, "R redrive") {
		t.Fatalf("redrive offered for a SUCCEEDED execution:\n%s", scr)
	}
	h.Press("R")
	h.ExpectContains("nothing to redrive: it SUCCEEDED (R takes FAILED, ABORTED, TIMED_OUT)")
	if v.confirm != nil {
		t.Fatal("asked to redrive a succeeded execution")
	}
	// The list is newest first: run-3 timed out, run-2 aborted, run-1 failed.
	for i, id := range []string{timedOutID, abortedID, failedID} {
		h.Press("down")
		h.ExpectContains("R redrive")
		h.Press("enter", "R")
		h.ExpectContains(fmt.Sprintf("redrive execution run-%d? y/n", 3-i))
		h.Press("y")
		if _, _, redrives, _ := f.calls(); len(redrives) != i+1 || redrives[i] != id {
			t.Fatalf("redrives %v, want %s last", redrives, id)
		}
		h.ExpectContains("RUNNING")
		h.Press("R")
		h.ExpectContains("nothing to redrive: it is RUNNING (R takes FAILED, ABORTED, TIMED_OUT)")
		if i == 2 {
			break
		}
		h.Press("esc")
	}
	if got := markOf(t, h.Screen(), "WaitForCrawler"); got != "▶" {
		t.Fatalf("redriven state mark %q", got)
	}
}

func TestTicksWhileRunning(t *testing.T) {
	f := newFakeService(t)
	id := f.add(0)
	h, v, tk := newHarness(t, f)
	openFirst(t, h)
	n0 := tk.n
	if n0 == 0 || !v.ticking {
		t.Fatalf("ticks %d ticking %v", tk.n, v.ticking)
	}
	stale := v.gen.tick - 1
	_, _, _, before := f.calls()
	h.Send(tickMsg{gen: stale})
	if _, _, _, n := f.calls(); n != before {
		t.Fatal("a stale tick reloaded")
	}
	f.advance(id)
	h.Send(tickMsg{gen: v.gen.tick})
	if _, _, _, n := f.calls(); n != before+1 {
		t.Fatal("a tick did not reload")
	}
	if markOf(t, h.Screen(), "Glue StartJobRun") != "✓" || tk.n != n0+1 {
		t.Fatalf("after the tick: ticks %d\n%s", tk.n, h.Screen())
	}
	// Stale results are dropped.
	h.Send(execMsg{gen: v.gen.exec - 1, id: id, exec: Execution{ID: id, Status: StatusFailed}})
	if v.exec.Status != StatusRunning {
		t.Fatal("a stale result was used")
	}
	for range len(seedPath()) {
		f.advance(id)
	}
	h.Send(tickMsg{gen: v.gen.tick})
	h.ExpectContains("SUCCEEDED")
	if v.ticking || tk.n != n0+1 {
		t.Fatalf("still ticking after the end: %v %d", v.ticking, tk.n)
	}
}

func TestFramesStayInBounds(t *testing.T) {
	f := newFakeService(t)
	f.machines = append(f.machines, Machine{ID: "evil\x1b[2J", Name: "evil\x1b]0;pwned\x07name" + strings.Repeat("é", 300)})
	id := f.add(5)
	f.mu.Lock()
	x := f.find(id)
	x.e.Name = "run\x1b[31m-" + strings.Repeat("long", 80)
	x.events[5].Input = `{"text":"` + strings.Repeat("wide 漢字 ", 200) + `"}`
	f.mu.Unlock()
	h, v, _ := newHarness(t, f)
	sizes := [][2]int{{80, 24}, {200, 50}, {100, 30}, {20, 5}, {1, 1}}
	check := func(what string) {
		t.Helper()
		for _, s := range sizes {
			h.Resize(s[0], s[1])
			if scr := h.Screen(); s[0] >= 80 && strings.ContainsRune(scr, 0x1b) {
				t.Fatalf("%s at %v: a raw escape reached the screen", what, s)
			}
		}
	}
	check("machines")
	h.Resize(200, 50)
	h.ExpectContains(`evil\x1b]0;pwned\x07name`)
	h.Press("enter")
	check("executions")
	h.Press("enter")
	check("execution")
	h.Resize(200, 50)
	h.ExpectContains(`run\x1b[31m-long`)
	h.Press("up", "up", "up") // a state with a long input
	check("detail")
	h.Press("pgdown", "pgdown", "pgdown")
	check("detail scrolled")
	h.Press("f")
	check("events")
	h.Press("x")
	check("confirm")
	h.Press("n", "s")
	check("editor")
	if !v.InputFocused() {
		t.Fatal("the editor is not open")
	}
	for _, s := range sizes {
		h.Resize(s[0], s[1])
		for _, l := range strings.Split(h.Frame(), "\n") {
			if lipgloss.Width(l) > s[0] {
				t.Fatalf("line too wide at %v: %q", s, ansi.Strip(l))
			}
		}
	}
}

func TestNilService(t *testing.T) {
	h := viewtest.New(t, New(nil))
	for _, s := range [][2]int{{80, 24}, {200, 50}, {10, 2}} {
		h.Resize(s[0], s[1])
		h.Frame()
	}
	h.Resize(100, 30)
	h.ExpectContains("No state-machine service is configured")
	h.Press("enter", "s", "x")
	h.Send(Changed{})
}

func TestFocusAndEvents(t *testing.T) {
	f := newFakeService(t)
	f.add(4)
	h, v, _ := newHarness(t, f)
	h.Resize(80, 24)
	openFirst(t, h)
	h.ExpectContains("state IsCrawlingComplete") // narrow: the detail pane under the graph
	h.Press("f")
	h.ExpectContains("events · 10", "ChoiceStateEntered")
	h.Press("up", "up", "enter") // CheckCrawlerStatus entered → select it
	if v.focusEvents || v.selName() != "CheckCrawlerStatus" {
		t.Fatalf("focus events %v selected %q", v.focusEvents, v.selName())
	}
	h.Press("right")
	if !v.focusEvents {
		t.Fatal("→ did not focus the events")
	}
	h.Press("left", "y")
	if c, ok := viewtest.Last[ui.Copy](h); !ok || !strings.Contains(c.Text, `"done":"CheckCrawlerStatus"`) {
		t.Fatalf("copy %+v", c)
	}
}

func TestErrorsAreShown(t *testing.T) {
	f := newFakeService(t)
	f.add(1)
	f.defErr = errors.New("AccessDeniedException: not allowed")
	h, v, _ := newHarness(t, f)
	openFirst(t, h)
	h.ExpectContains("AccessDeniedException: not allowed")
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !n.Error || !strings.Contains(n.Text, "read the definition of") {
		t.Fatalf("notification %+v", n)
	}
	f.mu.Lock()
	f.defErr = nil
	f.mu.Unlock()
	h.Send(Changed{}) // data only: the definition is not asked again
	if v.graph != nil {
		t.Fatal("Changed reloaded the definition")
	}
	h.Press("r")
	h.ExpectContains("[ Glue StartJobRun ]")

	// A failed start keeps the editor open with the error in place.
	f.mu.Lock()
	f.startErr = errors.New("ExecutionLimitExceeded")
	f.mu.Unlock()
	h.Press("s", "ctrl+s", "y")
	h.ExpectContains("start lakehouse", "ExecutionLimitExceeded")
	if !v.InputFocused() {
		t.Fatal("the editor closed after a failed start")
	}
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !n.Error || !strings.Contains(n.Text, "start lakehouse: ExecutionLimitExceeded") {
		t.Fatalf("notification %+v", n)
	}
}

// lastEvent is an execution's newest event in the fake.
func lastEvent(f *fakeService, id string) *Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	x := f.find(id)
	e := x.events[len(x.events)-1]
	return &e
}

// TestPushedEventsNeedNoReload: the events the runner pushes carry their
// data, so the view shows them without asking the service again; a gap
// in the events makes it read the history once.
func TestPushedEventsNeedNoReload(t *testing.T) {
	f := newFakeService(t)
	id := f.add(0)
	v := New(f) // no polling: the local runner pushes
	h := viewtest.New(t, v)
	h.Resize(200, 60)
	openFirst(t, h)
	_, _, _, before := f.calls()
	for range 2 { // exit + enter events of one step, pushed one by one
		f.advance(id)
		f.mu.Lock()
		x := f.find(id)
		evs := append([]Event(nil), x.events[len(x.events)-2:]...)
		f.mu.Unlock()
		for _, e := range evs {
			h.Send(Changed{ExecID: id, Event: &e})
		}
	}
	if _, _, _, n := f.calls(); n != before {
		t.Fatalf("pushed events made the view read the history %d times", n-before)
	}
	scr := h.Screen()
	if markOf(t, scr, "Glue StartJobRun") != "✓" || markOf(t, scr, "StartCrawler") != "✓" || markOf(t, scr, "WaitForCrawler") != "▶" {
		t.Fatalf("marks after pushed events:\n%s", scr)
	}
	// The execution's own end comes as an event too.
	for range len(seedPath()) {
		f.advance(id)
	}
	h.Send(Changed{ExecID: id, Event: lastEvent(f, id)}) // events in between were not pushed
	if _, _, _, n := f.calls(); n != before+1 {
		t.Fatalf("a gap in the events read the history %d times, want once", n-before)
	}
	h.ExpectContains("SUCCEEDED")
	if v.ticking {
		t.Fatal("a view without Poll ticks")
	}
	// Back on the list, an event updates the execution's status in place.
	id2 := f.add(0)
	h.Press("esc")
	h.ExpectContains("run-2", "RUNNING")
	f.fail(id2, "States.TaskFailed", "boom")
	h.Send(Changed{ExecID: id2, Event: lastEvent(f, id2)})
	if l := viewtest.LineWith(t, h.Screen(), "run-2"); !strings.Contains(l, "FAILED") {
		t.Fatalf("list row after the failure event: %q", l)
	}
}

// TestFilterInFlows: / filters the machines, the executions and the events.
func TestFilterInFlows(t *testing.T) {
	f := newFakeService(t)
	f.add(2)
	failed := f.add(1)
	f.fail(failed, "States.TaskFailed", "x")
	h, v, _ := newHarness(t, f)
	h.Resize(200, 50)
	h.Press("/")
	if !v.InputFocused() {
		t.Fatal("/ did not open the filter")
	}
	h.Type("oth")
	if s := h.Screen(); !strings.Contains(s, "other") || strings.Contains(s, "lakehouse ") {
		t.Fatalf("machines filtered:\n%s", s)
	}
	h.Press("esc", "g") // esc while typing drops the filter; the cursor stayed on "other"
	h.Press("enter")
	h.Press("/")
	h.Type("FAIL")
	h.Press("enter")
	s := h.Screen()
	if !strings.Contains(s, "run-2") || strings.Contains(s, "run-1 ") {
		t.Fatalf("executions filtered:\n%s", s)
	}
	h.Press("esc") // clears the kept filter; a second esc goes back
	if v.mode != modeExecs || !strings.Contains(h.Screen(), "run-1") {
		t.Fatalf("esc should clear the filter first (mode %v):\n%s", v.mode, h.Screen())
	}
	h.Press("enter") // run-2, the newest
	h.Press("/")
	h.Type("Failed")
	if s := h.Screen(); !strings.Contains(s, "TaskFailed") || strings.Contains(s, "TaskStateEntered") {
		t.Fatalf("events filtered:\n%s", s)
	}
}
