// Package local is the flows service's local stand-in for AWS Step
// Functions: it runs state machines (Amazon States Language JSON) with the
// asl interpreter, task resources mapped to the lake (LakeResources), and
// keeps every execution in the lake under _lakeops/flows/<machine>/<name>.json
// — definition, input, status, events, output, error — written as events
// happen, so executions survive a restart. Executions run in background
// goroutines; they can be listed, described, stopped and redriven.
package local

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/lake"
)

// Prefix is where executions are kept, relative to the lake root.
const Prefix = "_lakeops/flows/"

// arnPrefix starts every local ARN (region "local", account 000000000000).
const arnPrefix = "arn:aws:states:local:000000000000:"

// ErrNotFound reports an unknown machine or execution.
var ErrNotFound = errors.New("not found")

// Execution is one execution as kept in the lake.
type Execution struct {
	ARN            string          `json:"execution_arn"`
	Machine        string          `json:"machine"`
	Name           string          `json:"name"`
	DefinitionHash string          `json:"definition_sha256"`
	Definition     json.RawMessage `json:"definition"`
	Status         string          `json:"status"` // RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT
	Input          json.RawMessage `json:"input"`
	Output         json.RawMessage `json:"output"` // null unless SUCCEEDED
	Error          string          `json:"error,omitempty"`
	Cause          string          `json:"cause,omitempty"`
	StartDate      time.Time       `json:"start_date"`
	StopDate       time.Time       `json:"stop_date,omitzero"`
	RedriveCount   int             `json:"redrive_count"`
	RedriveDate    time.Time       `json:"redrive_date,omitzero"`  // the last redrive
	FailedState    string          `json:"failed_state,omitempty"` // top-level state a redrive restarts
	FailedInput    json.RawMessage `json:"failed_input,omitempty"`
	Events         []asl.Event     `json:"events"`
	// MapRuns are the Map Runs of its distributed Map states, in the order
	// they started, with their latest progress.
	MapRuns []asl.MapRun `json:"map_runs,omitempty"`
}

// Summary is an execution without its definition and events.
type Summary struct {
	ARN, Machine, Name, Status string
	StartDate, StopDate        time.Time
	RedriveCount               int
}

func (e *Execution) summary() Summary {
	return Summary{ARN: e.ARN, Machine: e.Machine, Name: e.Name, Status: e.Status, StartDate: e.StartDate, StopDate: e.StopDate, RedriveCount: e.RedriveCount}
}

// Machine describes a state machine the service knows.
type Machine struct {
	Name, ARN      string
	DefinitionHash string // empty when only executions in the lake name it
	Registered     bool
}

// Service runs and keeps executions. It is safe for concurrent use.
type Service struct {
	lake  *lake.Lake
	res   Resources
	clock asl.Clock
	// OnEvent, when set, receives each event of each execution as it is
	// recorded (for the console); it must not block.
	OnEvent func(executionARN string, e asl.Event)
	// OnMapRun, when set, receives a Map Run of an execution whenever its
	// progress changes (for the console); it must not block.
	OnMapRun func(executionARN string, r asl.MapRun)
	// StopPoll is how often (real time) a running execution checks for a
	// stop request from another process (`lakeops flow stop`); default 1s.
	StopPoll time.Duration

	mu       sync.Mutex // guards the maps and the running executions' records
	machines map[string]json.RawMessage
	running  map[string]*active
}

// active is an execution running in this process.
type active struct {
	exec       *Execution
	cancel     context.CancelFunc
	done       chan struct{}
	persistMu  sync.Mutex // serializes writes of this execution
	persistErr error
}

// New returns the service over a lake. clock nil means the real clock.
func New(lk *lake.Lake, res Resources, clock asl.Clock) *Service {
	if clock == nil {
		clock = asl.RealClock{}
	}
	return &Service{lake: lk, res: res, clock: clock, machines: map[string]json.RawMessage{}, running: map[string]*active{}}
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// Register validates a definition and registers it under a machine name
// (replacing an earlier one).
func (s *Service) Register(name string, def []byte) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("flows: bad machine name %q (letters, digits, - and _, at most 80)", name)
	}
	if _, err := asl.Parse(def); err != nil {
		return fmt.Errorf("flows: machine %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines[name] = append(json.RawMessage(nil), def...)
	return nil
}

// MachineARN is the local ARN of a machine.
func MachineARN(name string) string { return arnPrefix + "stateMachine:" + name }

// ExecutionARN is the local ARN of an execution.
func ExecutionARN(machine, name string) string {
	return arnPrefix + "execution:" + machine + ":" + name
}

// parseARN splits an execution ARN (or "machine:name", or "machine/name").
func parseARN(arn string) (string, string, error) {
	rest := strings.TrimPrefix(arn, arnPrefix+"execution:")
	rest = strings.Replace(rest, "/", ":", 1)
	m, n, ok := strings.Cut(rest, ":")
	if !ok || !nameRE.MatchString(m) || !nameRE.MatchString(n) {
		return "", "", fmt.Errorf("flows: %q is not an execution ARN: %w", arn, ErrNotFound)
	}
	return m, n, nil
}

func execKey(machine, name string) string { return Prefix + machine + "/" + name + ".json" }

// stopKey marks an execution that another process asked to stop.
func stopKey(machine, name string) string { return Prefix + machine + "/" + name + ".stop" }

// mapRunSaveEvery is how often a running Map Run's progress is written to
// the lake (each event, and a Map Run's end, are written at once).
const mapRunSaveEvery = 250 * time.Millisecond

// defaultStopPoll is how often a running execution looks for a stop request
// from another process.
const defaultStopPoll = time.Second

func hashOf(def []byte) string {
	h := sha256.Sum256(def)
	return hex.EncodeToString(h[:])
}

func newExecName(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Start starts an execution of a machine in the background and returns its
// ARN. def nil uses the registered definition; otherwise def is registered
// under the name first. input nil means {}.
func (s *Service) Start(ctx context.Context, machine string, def []byte, input json.RawMessage) (string, error) {
	if def != nil {
		if err := s.Register(machine, def); err != nil {
			return "", err
		}
	}
	s.mu.Lock()
	def = s.machines[machine]
	s.mu.Unlock()
	if def == nil {
		return "", fmt.Errorf("flows: machine %q is not registered: %w", machine, ErrNotFound)
	}
	if len(bytes.TrimSpace(input)) == 0 {
		input = json.RawMessage("{}")
	}
	if !json.Valid(input) {
		return "", fmt.Errorf("flows: the input is not valid JSON")
	}
	if err := s.lake.CheckWritable("start an execution"); err != nil {
		return "", err
	}
	m, err := asl.Parse(def)
	if err != nil {
		return "", fmt.Errorf("flows: machine %s: %w", machine, err)
	}
	now := s.clock.Now().UTC()
	name := newExecName(now)
	e := &Execution{
		ARN: ExecutionARN(machine, name), Machine: machine, Name: name, DefinitionHash: hashOf(def), Definition: def,
		Status: asl.StatusRunning, Input: compact(input), StartDate: now, Events: []asl.Event{},
	}
	a := s.launch(ctx, e, m, asl.Options{})
	if err := s.persist(ctx, a); err != nil {
		a.cancel()
		<-a.done
		return "", err
	}
	return e.ARN, nil
}

func compact(b json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// launch runs an execution in a goroutine, recording its events.
func (s *Service) launch(ctx context.Context, e *Execution, m *asl.Machine, opts asl.Options) *active {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a := &active{exec: e, cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	s.running[e.ARN] = a
	s.mu.Unlock()
	opts.Invoker, opts.Clock = s.res, s.clock
	opts.Context = asl.ExecutionContext{
		ID: e.ARN, Name: e.Name, StartTime: e.StartDate, StateMachineID: MachineARN(e.Machine),
		StateMachineName: e.Machine, RedriveCount: e.RedriveCount, RedriveTime: e.RedriveDate,
	}
	opts.OnEvent = func(ev asl.Event) {
		s.mu.Lock()
		e.Events = append(e.Events, ev)
		s.mu.Unlock()
		if s.OnEvent != nil {
			s.OnEvent(e.ARN, ev)
		}
		_ = s.persist(rctx, a) // the error is kept in a.persistErr
	}
	var lastMapRunSave time.Time
	opts.OnMapRun = func(mr asl.MapRun) {
		s.mu.Lock()
		i := slices.IndexFunc(e.MapRuns, func(x asl.MapRun) bool { return x.ARN == mr.ARN })
		if i < 0 {
			e.MapRuns = append(e.MapRuns, mr)
		} else {
			e.MapRuns[i] = mr
		}
		save := mr.Status != asl.StatusRunning || time.Since(lastMapRunSave) >= mapRunSaveEvery
		if save {
			lastMapRunSave = time.Now()
		}
		s.mu.Unlock()
		if s.OnMapRun != nil {
			s.OnMapRun(e.ARN, mr)
		}
		if save { // progress between saves shows in Describe in this process
			_ = s.persist(rctx, a)
		}
	}
	go s.watchStop(rctx, a)
	go func() {
		defer close(a.done)
		defer cancel()
		res := asl.Run(rctx, m, e.Input, opts)
		s.mu.Lock()
		e.Status, e.Output, e.Error, e.Cause = res.Status, res.Output, res.Error, res.Cause
		e.StopDate = s.clock.Now().UTC()
		if res.Status != asl.StatusSucceeded && res.FailedState != "" {
			e.FailedState, e.FailedInput = res.FailedState, res.FailedInput
		}
		s.mu.Unlock()
		// The final write must not be skipped because the run was stopped.
		_ = s.persist(context.WithoutCancel(rctx), a)
		s.mu.Lock()
		delete(s.running, e.ARN)
		s.mu.Unlock()
	}()
	return a
}

// watchStop cancels a running execution when another process leaves a
// stop request for it (see Stop).
func (s *Service) watchStop(ctx context.Context, a *active) {
	every := s.StopPoll
	if every <= 0 {
		every = defaultStopPoll
	}
	key := stopKey(a.exec.Machine, a.exec.Name)
	_ = s.lake.Store.Delete(ctx, key) // an old request is not for this run
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := s.lake.Store.Stat(ctx, key); err == nil {
				_ = s.lake.Store.Delete(ctx, key)
				a.cancel()
				return
			}
		}
	}
}

// persist writes a running execution's record.
func (s *Service) persist(ctx context.Context, a *active) error {
	a.persistMu.Lock()
	defer a.persistMu.Unlock()
	s.mu.Lock()
	b, err := json.Marshal(a.exec)
	key := execKey(a.exec.Machine, a.exec.Name)
	s.mu.Unlock()
	if err == nil {
		err = s.lake.Store.Put(context.WithoutCancel(ctx), key, bytes.NewReader(b))
	}
	if err != nil {
		err = fmt.Errorf("flows: save execution %s: %w", a.exec.ARN, err)
		a.persistErr = err
	}
	return err
}

// Wait waits for an execution to finish (or ctx) and returns its record.
func (s *Service) Wait(ctx context.Context, arn string) (*Execution, error) {
	s.mu.Lock()
	a := s.running[arn]
	s.mu.Unlock()
	if a != nil {
		select {
		case <-a.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		a.persistMu.Lock()
		perr := a.persistErr
		a.persistMu.Unlock()
		if perr != nil {
			return nil, perr
		}
	}
	return s.Describe(ctx, arn)
}

// Describe returns an execution's record (a copy).
func (s *Service) Describe(ctx context.Context, arn string) (*Execution, error) {
	machine, name, err := parseARN(arn)
	if err != nil {
		return nil, err
	}
	arn = ExecutionARN(machine, name)
	s.mu.Lock()
	if a := s.running[arn]; a != nil {
		cp := *a.exec
		cp.Events = append([]asl.Event(nil), a.exec.Events...)
		cp.MapRuns = append([]asl.MapRun(nil), a.exec.MapRuns...)
		s.mu.Unlock()
		return &cp, nil
	}
	s.mu.Unlock()
	b, err := storage.ReadAll(ctx, s.lake.Store, execKey(machine, name))
	if errors.Is(err, storage.ErrNotExist) {
		return nil, fmt.Errorf("flows: execution %s: %w", arn, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("flows: read execution %s: %w", arn, err)
	}
	var e Execution
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("flows: read execution %s: %w", arn, err)
	}
	if string(e.Output) == "null" {
		e.Output = nil
	}
	return &e, nil
}

// History returns an execution's events, oldest first.
func (s *Service) History(ctx context.Context, arn string) ([]asl.Event, error) {
	e, err := s.Describe(ctx, arn)
	if err != nil {
		return nil, err
	}
	return e.Events, nil
}

// Machines lists the registered machines and those the lake has executions of.
func (s *Service) Machines(ctx context.Context) ([]Machine, error) {
	byName := map[string]Machine{}
	s.mu.Lock()
	for n, def := range s.machines {
		byName[n] = Machine{Name: n, ARN: MachineARN(n), DefinitionHash: hashOf(def), Registered: true}
	}
	s.mu.Unlock()
	for obj, err := range s.lake.Store.List(ctx, Prefix, storage.ListOptions{Delimited: true}) {
		if err != nil {
			return nil, fmt.Errorf("flows: list machines: %w", err)
		}
		n := strings.TrimSuffix(strings.TrimPrefix(obj.Key, Prefix), "/")
		if obj.IsPrefix && nameRE.MatchString(n) {
			if _, ok := byName[n]; !ok {
				byName[n] = Machine{Name: n, ARN: MachineARN(n)}
			}
		}
	}
	out := make([]Machine, 0, len(byName))
	for _, m := range byName {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Executions lists a machine's executions, newest first.
func (s *Service) Executions(ctx context.Context, machine string) ([]Summary, error) {
	if !nameRE.MatchString(machine) {
		return nil, fmt.Errorf("flows: bad machine name %q", machine)
	}
	var out []Summary
	for obj, err := range s.lake.Store.List(ctx, Prefix+machine+"/", storage.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("flows: list executions: %w", err)
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(obj.Key, Prefix+machine+"/"), ".json")
		if !ok || !nameRE.MatchString(name) {
			continue
		}
		e, err := s.Describe(ctx, ExecutionARN(machine, name))
		if err != nil {
			return nil, err
		}
		out = append(out, e.summary())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartDate.Equal(out[j].StartDate) {
			return out[i].StartDate.After(out[j].StartDate)
		}
		return out[i].Name > out[j].Name
	})
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
