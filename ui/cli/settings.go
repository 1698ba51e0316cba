package cli

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/internal/config"
	"github.com/lakeops/lakeops/ui"
)

// Where a setting's value came from, weakest first: a flag overrides the
// environment, which overrides the configuration file, which overrides
// the default.
const (
	fromDefault = "default"
	fromFile    = "file"
	fromEnv     = "env"
	fromFlag    = "flag"
)

// precedence is the order the README and config show state.
const precedence = "flag > environment > config file > default"

// setting is one global setting: its name (config show's, and its key in
// a [lakes.NAME] table when lakeKey is set), its flag, its environment
// variables (the first one set counts), its default and where it goes.
type setting struct {
	name, flag, usage string
	env               []string
	isBool            bool
	def               string
	lakeKey           bool // set per lake in the file (at tomlKey, else name)
	tomlKey           string
	fileKey           []string               // set at this key of the file (when not per lake)
	fromFile          func(*config.Lake) any // the lake's value: string or *bool
	apply             func(*Globals, string) // store the resolved value
	fileValue         func(*config.File) any // the file's value at fileKey: string or *bool
}

// settings lists the global settings in the order help and config show
// print them.
func settings() []setting {
	str := func(p func(*Globals) *string) func(*Globals, string) { return func(g *Globals, v string) { *p(g) = v } }
	boolean := func(p func(*Globals) *bool) func(*Globals, string) {
		return func(g *Globals, v string) { *p(g) = v == "true" }
	}
	return []setting{
		{name: "lake", flag: "lake", env: []string{"LAKEOPS_LAKE"}, def: "lake", lakeKey: true, tomlKey: "uri",
			usage:    "the lake: a folder, file://… or s3://bucket/prefix",
			fromFile: func(l *config.Lake) any { return l.URI }, apply: str(func(g *Globals) *string { return &g.Lake })},
		{name: "endpoint_url", flag: "endpoint-url", env: []string{"LAKEOPS_ENDPOINT_URL"}, lakeKey: true,
			usage:    "an S3-compatible endpoint (path-style addressing)",
			fromFile: func(l *config.Lake) any { return l.EndpointURL }, apply: str(func(g *Globals) *string { return &g.EndpointURL })},
		{name: "profile", flag: "profile", env: []string{"AWS_PROFILE"}, lakeKey: true,
			usage:    "the AWS shared config profile",
			fromFile: func(l *config.Lake) any { return l.Profile }, apply: str(func(g *Globals) *string { return &g.Profile })},
		{name: "region", flag: "region", env: []string{"AWS_REGION", "AWS_DEFAULT_REGION"}, lakeKey: true,
			usage:    "the AWS region",
			fromFile: func(l *config.Lake) any { return l.Region }, apply: str(func(g *Globals) *string { return &g.Region })},
		{name: "aws", flag: "aws", env: []string{"LAKEOPS_AWS"}, isBool: true, def: "false", lakeKey: true,
			usage:    "use AWS services (Athena, Step Functions, Glue, SNS) instead of the local stand-ins",
			fromFile: func(l *config.Lake) any { return l.AWS }, apply: boolean(func(g *Globals) *bool { return &g.AWS })},
		{name: "read_only", flag: "read-only", env: []string{"LAKEOPS_READ_ONLY"}, isBool: true, def: "false", lakeKey: true,
			fileKey: []string{"read_only"}, fileValue: func(f *config.File) any { return f.ReadOnly },
			usage:    "refuse every write, SQL included: only statements that read run",
			fromFile: func(l *config.Lake) any { return l.ReadOnly }, apply: boolean(func(g *Globals) *bool { return &g.ReadOnly })},
		{name: "unsafe_sql_file_access", flag: strings.TrimPrefix(duck.FileAccessFlag, "--"), env: []string{"LAKEOPS_UNSAFE_SQL_FILE_ACCESS"},
			isBool: true, def: "false", fileKey: []string{"sql", "dangerously_allow_file_access"},
			fileValue: func(f *config.File) any { return f.SQL.DangerouslyAllowFileAccess },
			usage:     "let SQL on the local engine read and write any local file, attach databases, load extensions and change settings",
			apply:     boolean(func(g *Globals) *bool { return &g.SQLFileAccess })},
		{name: "athena_database", flag: "database", env: []string{"LAKEOPS_ATHENA_DATABASE"}, lakeKey: true,
			usage:    "the Glue database Athena queries and table register --catalog glue writes",
			fromFile: func(l *config.Lake) any { return l.AthenaDatabase }, apply: str(func(g *Globals) *string { return &g.AthenaDatabase })},
		{name: "athena_workgroup", flag: "workgroup", env: []string{"LAKEOPS_ATHENA_WORKGROUP"}, lakeKey: true,
			usage:    "the Athena workgroup (default: primary)",
			fromFile: func(l *config.Lake) any { return l.AthenaWorkgroup }, apply: str(func(g *Globals) *string { return &g.AthenaWorkgroup })},
		{name: "athena_output_location", flag: "output-location", env: []string{"LAKEOPS_ATHENA_OUTPUT_LOCATION"}, lakeKey: true,
			usage:    "s3://bucket/prefix/ for Athena's results (default: the workgroup's)",
			fromFile: func(l *config.Lake) any { return l.AthenaOutputLocation }, apply: str(func(g *Globals) *string { return &g.AthenaOutputLocation })},
		{name: "state_machine", flag: "state-machine", env: []string{"LAKEOPS_STATE_MACHINE"}, lakeKey: true,
			usage:    "the Step Functions state machine ARN flow commands use with --aws",
			fromFile: func(l *config.Lake) any { return l.StateMachine }, apply: str(func(g *Globals) *string { return &g.StateMachine })},
		{name: "stack", flag: "stack", env: []string{"LAKEOPS_STACK"}, lakeKey: true,
			usage:    "a lakeops CloudFormation stack",
			fromFile: func(l *config.Lake) any { return l.Stack }, apply: str(func(g *Globals) *string { return &g.Stack })},
		{name: "debug", flag: "debug", env: []string{"LAKEOPS_DEBUG"}, isBool: true, def: "false",
			usage: "log the AWS SDK's requests, responses and retries on stderr (credentials masked)",
			apply: boolean(func(g *Globals) *bool { return &g.Debug })},
	}
}

// resolvedSetting is one setting's value and where it came from.
type resolvedSetting struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"` // default, file, env or flag
	Where  string `json:"where"`  // the file and line, the variable or the flag; "" for a default
}

// resolved is the outcome of reading the settings.
type resolved struct {
	ConfigPath  string            `json:"config_file"`
	ConfigFound bool              `json:"config_found"`
	Lake        string            `json:"lake_name"` // the file's lake in use, "" for none
	LakeFrom    string            `json:"lake_name_from"`
	Settings    []resolvedSetting `json:"settings"`
	Lakes       []string          `json:"lakes"` // the lakes the file names
}

// resolveSettings fills g from the flags, the environment and the
// configuration file, and records where each value came from.
func resolveSettings(fs *pflag.FlagSet, getenv func(string) string, g *Globals) error {
	f, res, err := loadConfig(fs, getenv)
	if err != nil {
		return err
	}
	var lake *config.Lake
	if res.Lake != "" {
		l, err := f.Lake(res.Lake)
		if err != nil {
			return &usageError{msg: err.Error()}
		}
		lake = &l
	}
	for _, s := range settings() {
		rs := resolvedSetting{Name: s.name, Value: s.def, Source: fromDefault}
		if v, key, ok := s.inFile(f, res.Lake, lake); ok {
			rs.Value, rs.Source, rs.Where = v, fromFile, fileWhere(f, key)
		}
		for _, name := range s.env {
			if v := getenv(name); v != "" {
				if s.isBool {
					b, err := parseBool(v)
					if err != nil {
						return usagef("%s=%q: %v", name, v, err)
					}
					v = strconv.FormatBool(b)
				}
				rs.Value, rs.Source, rs.Where = v, fromEnv, name
				break
			}
		}
		if fl := fs.Lookup(s.flag); fl != nil && fl.Changed {
			rs.Value, rs.Source, rs.Where = fl.Value.String(), fromFlag, "--"+s.flag
		}
		s.apply(g, rs.Value)
		if s.name == "lake" { // given, not the default nor only the file's default lake (demo makes ./lakeops-demo then)
			g.lakeSet = rs.Source == fromFlag || rs.Source == fromEnv || rs.Source == fromFile && res.LakeFrom != fileWhere(f, []string{"default"})
		}
		res.Settings = append(res.Settings, rs)
	}
	if err := consoleSettings(f, getenv, g, res); err != nil {
		return err
	}
	res.Settings = append(res.Settings, credentialSettings(getenv)...)
	g.settings = res
	return nil
}

// loadConfig reads the configuration file (--config, LAKEOPS_CONFIG, or
// the default path, which may be missing) and picks its lake (--use,
// LAKEOPS_USE, or the file's default).
func loadConfig(fs *pflag.FlagSet, getenv func(string) string) (*config.File, *resolved, error) {
	res := &resolved{}
	path, optional := config.DefaultPath(getenv), true
	if v := getenv("LAKEOPS_CONFIG"); v != "" {
		path, optional = v, false
	}
	if fl := fs.Lookup("config"); fl != nil && fl.Changed {
		path, optional = fl.Value.String(), false
	}
	f, err := config.Load(path, optional)
	if err != nil {
		return nil, nil, &usageError{msg: err.Error()}
	}
	res.ConfigPath, res.ConfigFound, res.Lakes = path, f.Exists, f.LakeNames()
	res.Lake, res.LakeFrom = f.Default, fileWhere(f, []string{"default"})
	if v := getenv("LAKEOPS_USE"); v != "" {
		res.Lake, res.LakeFrom = v, "LAKEOPS_USE"
	}
	if fl := fs.Lookup("use"); fl != nil && fl.Changed {
		res.Lake, res.LakeFrom = fl.Value.String(), "--use"
	}
	if res.Lake == "" {
		res.LakeFrom = ""
	}
	return f, res, nil
}

// inFile is the setting's value in the file: the lake's, else the file's
// own (read_only at the top), with the key it is set at.
func (s setting) inFile(f *config.File, lakeName string, l *config.Lake) (string, []string, bool) {
	if l != nil && s.fromFile != nil {
		if v, ok := present(s.fromFile(l)); ok {
			return v, []string{"lakes", lakeName, cmp.Or(s.tomlKey, s.name)}, true
		}
	}
	if s.fileValue != nil {
		if v, ok := present(s.fileValue(f)); ok {
			return v, s.fileKey, true
		}
	}
	return "", nil, false
}

// present turns a file value (a string, "" when unset, or a *bool) into text.
func present(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case *bool:
		if v == nil {
			return "", false
		}
		return strconv.FormatBool(*v), true
	}
	return "", false
}

// fileWhere names a key's place: "path:line".
func fileWhere(f *config.File, key []string) string {
	if line := f.Line(key...); line > 0 {
		return fmt.Sprintf("%s:%d", f.Path, line)
	}
	return f.Path
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, errors.New("want 1 or 0 (true or false)")
}

// consoleSettings applies the file's keymap and theme (NO_COLOR wins over
// the file's theme) and records them.
func consoleSettings(f *config.File, getenv func(string) string, g *Globals, res *resolved) error {
	g.Keys = ui.DefaultKeyMap()
	actions := slices.Sorted(maps.Keys(f.Console.Keys))
	for _, action := range actions {
		key := []string{"console", "keys", action}
		keys, err := keyList(f.Console.Keys[action])
		if err == nil {
			err = g.Keys.Rebind(action, keys...)
		}
		if err != nil {
			return &usageError{msg: f.Errorf(key, "%v", err).Error()}
		}
		res.Settings = append(res.Settings, resolvedSetting{Name: strings.Join(key, "."), Value: strings.Join(keys, ","),
			Source: fromFile, Where: fileWhere(f, key)})
	}
	if c := g.Keys.Conflicts(actions...); len(c) > 0 {
		return &usageError{msg: f.Errorf([]string{"console", "keys", c[0].Action}, "%v", c[0]).Error()}
	}
	g.Theme = ui.ThemeSpec{Name: f.Console.Theme, Colors: f.Console.Colors}
	if err := g.Theme.Check(); err != nil {
		key := []string{"console", "theme"}
		var se *ui.ThemeSpecError
		if errors.As(err, &se) && se.Color != "" {
			key = []string{"console", "colors", se.Color}
		}
		return &usageError{msg: f.Errorf(key, "%v", err).Error()}
	}
	theme := resolvedSetting{Name: "console.theme", Value: "auto", Source: fromDefault}
	if g.Theme.Name != "" {
		theme.Value, theme.Source, theme.Where = g.Theme.Name, fromFile, fileWhere(f, []string{"console", "theme"})
	}
	if getenv("NO_COLOR") != "" {
		g.Theme.Name = "mono"
		theme.Value, theme.Source, theme.Where = "mono", fromEnv, "NO_COLOR"
	}
	res.Settings = append(res.Settings, theme)
	for _, name := range slices.Sorted(maps.Keys(g.Theme.Colors)) {
		key := []string{"console", "colors", name}
		res.Settings = append(res.Settings, resolvedSetting{Name: strings.Join(key, "."), Value: g.Theme.Colors[name],
			Source: fromFile, Where: fileWhere(f, key)})
	}
	return nil
}

// keyList reads a keymap entry: one key or a list of them.
func keyList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		keys := make([]string, 0, len(v))
		for _, k := range v {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("keys are strings, not %T", k)
			}
			keys = append(keys, s)
		}
		return keys, nil
	}
	return nil, fmt.Errorf("want a key or a list of keys, e.g. \"q\" or [\"q\", \"ctrl+q\"], not %T", v)
}

// credentialSettings say where AWS credentials would come from the
// environment, never what they are.
func credentialSettings(getenv func(string) string) []resolvedSetting {
	var out []resolvedSetting
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if getenv(name) != "" {
			out = append(out, resolvedSetting{Name: strings.ToLower(name), Value: maskedValue, Source: fromEnv, Where: name})
		}
	}
	return out
}
