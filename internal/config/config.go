// Package config reads lakeops' configuration file: TOML at
// $XDG_CONFIG_HOME/lakeops/config.toml (else ~/.config/lakeops/config.toml)
// or a path given with --config, holding named lakes — each a lake URI with
// its endpoint, AWS profile and region, Athena settings and Step Functions
// machine or stack — the SQL sandbox's opt-out, the read-only default and
// the console's keymap and theme. Every mistake is one error naming the
// file, the line and the key. The file only holds values; which one wins
// over flags and the environment is the caller's business.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// File is a parsed configuration file.
type File struct {
	Path string `toml:"-"`
	// Exists is false for the default path when nothing is there.
	Exists bool `toml:"-"`
	// Default names the lake used when none is chosen with --use.
	Default string `toml:"default"`
	// ReadOnly is the read-only default of every lake (a lake may say otherwise).
	ReadOnly *bool `toml:"read_only"`
	// Lakes are the named lakes.
	Lakes map[string]Lake `toml:"lakes"`
	SQL   SQL             `toml:"sql"`
	// Console holds the console's theme, colours and keys.
	Console Console `toml:"console"`

	lines map[string]int // dotted key → line it is set on
}

// Lake is one named lake and the settings that go with it.
type Lake struct {
	URI                  string `toml:"uri"`
	EndpointURL          string `toml:"endpoint_url"`
	Profile              string `toml:"profile"`
	Region               string `toml:"region"`
	AWS                  *bool  `toml:"aws"`
	ReadOnly             *bool  `toml:"read_only"`
	AthenaDatabase       string `toml:"athena_database"`
	AthenaWorkgroup      string `toml:"athena_workgroup"`
	AthenaOutputLocation string `toml:"athena_output_location"`
	StateMachine         string `toml:"state_machine"`
	Stack                string `toml:"stack"`
}

// SQL holds the local SQL engine's settings.
type SQL struct {
	// DangerouslyAllowFileAccess lifts the sandbox: SQL may read and write
	// any local file, attach databases, load extensions and change settings.
	DangerouslyAllowFileAccess *bool `toml:"dangerously_allow_file_access"`
}

// Console holds the console's look and keys, checked by the caller against
// the console's own names.
type Console struct {
	Theme  string            `toml:"theme"`
	Colors map[string]string `toml:"colors"`
	// Keys are keys by action name: a key ("q") or a list (["q", "ctrl+q"]).
	Keys map[string]any `toml:"keys"`
}

// Error is a mistake in the file: where it is and what is wrong.
type Error struct {
	Path string
	Line int    // 0 when not known
	Key  string // dotted key, "" when not known
	Msg  string
}

func (e *Error) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("config %s: %s: %s", loc, e.Key, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", loc, e.Msg)
}

// DefaultPath is where the file is looked for when no path is given:
// $XDG_CONFIG_HOME/lakeops/config.toml, else ~/.config/lakeops/config.toml.
func DefaultPath(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "lakeops", "config.toml")
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		home = h
	}
	return filepath.Join(home, ".config", "lakeops", "config.toml")
}

// Load reads the file at path. A missing file is an empty configuration
// when optional is set (the default path), an error otherwise.
func Load(path string, optional bool) (*File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && optional {
		return &File{Path: path, lines: map[string]int{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, b)
}

// Parse reads a configuration from b; path names it in errors.
func Parse(path string, b []byte) (*File, error) {
	f := &File{Path: path}
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, decodeError(path, err)
	}
	f.Path, f.Exists = path, true
	f.lines = keyLines(b)
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

// decodeError names the file, line and key of a TOML library error.
func decodeError(path string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		de := strict.Errors[0]
		line, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		return &Error{Path: path, Line: line, Key: key, Msg: "unknown setting" + suggest(de.Key())}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return &Error{Path: path, Line: line, Key: strings.Join(de.Key(), "."), Msg: strings.TrimPrefix(de.Error(), "toml: ")}
	}
	return &Error{Path: path, Msg: err.Error()}
}

// known are the settings of each table, for "did you mean".
func known(table string) []string {
	switch table {
	case "":
		return []string{"default", "read_only", "lakes", "sql", "console"}
	case "lakes.*":
		return []string{"uri", "endpoint_url", "profile", "region", "aws", "read_only", "athena_database",
			"athena_workgroup", "athena_output_location", "state_machine", "stack"}
	case "sql":
		return []string{"dangerously_allow_file_access"}
	case "console":
		return []string{"theme", "colors", "keys"}
	}
	return nil
}

// suggest names the nearest known setting to an unknown key, if one is close.
func suggest(key []string) string {
	if len(key) == 0 {
		return ""
	}
	table := strings.Join(key[:len(key)-1], ".")
	if len(key) == 3 && key[0] == "lakes" {
		table = "lakes.*"
	}
	best := textfmt.Nearest(key[len(key)-1], known(table), 2)
	list := strings.Join(known(table), ", ")
	switch {
	case best != "":
		return fmt.Sprintf(" (did you mean %q?)", best)
	case list != "":
		return " (known: " + list + ")"
	}
	return ""
}

// check refuses what TOML allows but lakeops cannot use.
func (f *File) check() error {
	for _, name := range slices.Sorted(maps.Keys(f.Lakes)) {
		l := f.Lakes[name]
		if strings.TrimSpace(name) == "" {
			return f.Errorf([]string{"lakes", name}, "a lake needs a name")
		}
		if l.URI == "" {
			return f.Errorf([]string{"lakes", name}, "lake %q has no uri (a folder, file://… or s3://bucket/prefix)", name)
		}
	}
	if f.Default != "" {
		if _, ok := f.Lakes[f.Default]; !ok {
			return f.Errorf([]string{"default"}, "no lake is named %q (%s)", f.Default, f.lakeList())
		}
	}
	return nil
}

func (f *File) lakeList() string {
	if len(f.Lakes) == 0 {
		return "the file defines no [lakes.NAME]"
	}
	return "lakes: " + strings.Join(f.LakeNames(), ", ")
}

// LakeNames are the names of the file's lakes, sorted.
func (f *File) LakeNames() []string { return slices.Sorted(maps.Keys(f.Lakes)) }

// Lake returns the lake named name; an unknown name is an error listing
// the names there are.
func (f *File) Lake(name string) (Lake, error) {
	l, ok := f.Lakes[name]
	if !ok {
		where := f.Path
		if where == "" {
			where = "the configuration"
		}
		return Lake{}, fmt.Errorf("no lake named %q in %s (%s)", name, where, f.lakeList())
	}
	return l, nil
}

// Line is the line a key (its parts: "lakes", "prod", "region") is set
// on, or 0 when the file does not set it.
func (f *File) Line(key ...string) int { return f.lines[strings.Join(key, ".")] }

// Errorf is an Error about a key of the file.
func (f *File) Errorf(key []string, format string, args ...any) error {
	return &Error{Path: f.Path, Line: f.Line(key...), Key: strings.Join(key, "."), Msg: fmt.Sprintf(format, args...)}
}

// keyLines maps every key and table of a (valid) document to its line.
func keyLines(doc []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(doc)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e)
			recordKey(&p, lines, nil, e)
		case unstable.KeyValue:
			recordKeyValue(&p, lines, table, e)
		}
	}
	return lines
}

// recordKeyValue records a key = value (and, for an inline table, its keys).
func recordKeyValue(p *unstable.Parser, lines map[string]int, prefix []string, kv *unstable.Node) {
	full := recordKey(p, lines, prefix, kv)
	if v := kv.Value(); v != nil && v.Kind == unstable.InlineTable {
		it := v.Children()
		for it.Next() {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				recordKeyValue(p, lines, full, n)
			}
		}
	}
}

// recordKey records the line of a node's key (and of each shorter prefix
// not seen yet) and returns the full key.
func recordKey(p *unstable.Parser, lines map[string]int, prefix []string, n *unstable.Node) []string {
	it := n.Key()
	full := slices.Clone(prefix)
	line := 0
	for it.Next() {
		k := it.Node()
		if line == 0 {
			line = p.Shape(k.Raw).Start.Line
		}
		full = append(full, string(k.Data))
		if _, ok := lines[strings.Join(full, ".")]; !ok {
			lines[strings.Join(full, ".")] = line
		}
	}
	lines[strings.Join(full, ".")] = line
	return full
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}
