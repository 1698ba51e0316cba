package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Error names of the States Language.
const (
	ErrAll                    = "States.ALL"
	ErrTaskFailed             = "States.TaskFailed"
	ErrTimeout                = "States.Timeout"
	ErrRuntime                = "States.Runtime"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrBranchFailed           = "States.BranchFailed"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
)

// TaskError is an error an Invoker returns to fail a task with a named
// error that Retry and Catch can match. Any other error fails the task with
// States.TaskFailed and the error text as cause.
// (The name is in Name: a field called Error would clash with the method.)
type TaskError struct {
	Name  string `json:"Error"`
	Cause string `json:"Cause"`
}

// NewTaskError returns a TaskError.
func NewTaskError(name, cause string) *TaskError { return &TaskError{Name: name, Cause: cause} }

func (e *TaskError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// failure is how a state, branch or execution fails.
type failure struct {
	name, cause string
	aborted     bool // the context was cancelled
	timedOut    bool // the execution's TimeoutSeconds passed
}

func fail(name, format string, args ...any) *failure {
	return &failure{name: name, cause: fmt.Sprintf(format, args...)}
}

// failureOf turns an invoker error into a failure.
func failureOf(err error) *failure {
	var te *TaskError
	if errors.As(err, &te) {
		return &failure{name: te.Name, cause: te.Cause}
	}
	return &failure{name: ErrTaskFailed, cause: err.Error()}
}

// object is the {"Error","Cause"} value Catch passes on.
func (f *failure) object() any {
	return map[string]any{"Error": f.name, "Cause": f.cause}
}

// decodeJSON parses one JSON value with numbers kept as json.Number.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// encodeJSON renders a value compactly, without HTML escaping.
func encodeJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from decodeJSON or the runner; this cannot happen.
		return json.RawMessage(strconv.Quote(err.Error()))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// number makes a json.Number of a float, as an integer when it is one.
func number(f float64) json.Number {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// toFloat reads a JSON number.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// toInt reads a JSON number that is an integer.
func toInt(v any) (int64, bool) {
	f, ok := toFloat(v)
	if !ok || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, int, int64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// timeText formats a time as Step Functions does in the context object.
func timeText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// parseTimestamp reads an RFC 3339 timestamp (the only form ASL accepts).
func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
