package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `# lakeops
default = "prod"
read_only = true

[lakes.demo]
uri = "lakeops-demo"
read_only = false

[lakes.prod]
uri = "s3://acme-lake/lakehouse"
profile = "prod"
region = "eu-west-1"
aws = true
athena_database = "lakeops"
athena_workgroup = "analysts"
athena_output_location = "s3://acme-athena/results/"
state_machine = "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops"

[sql]
dangerously_allow_file_access = false

[console]
theme = "dark"
colors = { accent = "#FF8800" }

[console.keys]
quit = ["q", "ctrl+q"]
help = "F1"
`

func TestParseSample(t *testing.T) {
	f, err := Parse("config.toml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	prod := f.Lakes["prod"]
	if f.Default != "prod" || !*f.ReadOnly || prod.URI != "s3://acme-lake/lakehouse" || prod.Profile != "prod" || !*prod.AWS ||
		prod.AthenaWorkgroup != "analysts" || *f.Lakes["demo"].ReadOnly || *f.SQL.DangerouslyAllowFileAccess {
		t.Fatalf("%+v", f)
	}
	if f.Console.Theme != "dark" || f.Console.Colors["accent"] != "#FF8800" || f.Console.Keys["help"] != "F1" {
		t.Fatalf("console %+v", f.Console)
	}
	for key, want := range map[string]int{"default": 2, "lakes.prod.region": 12, "lakes.prod": 9, "console.colors.accent": 24,
		"console.keys.help": 28, "console.keys.quit": 27} {
		if got := f.Line(strings.Split(key, ".")...); got != want {
			t.Errorf("line of %s = %d, want %d", key, got, want)
		}
	}
	if got := f.LakeNames(); strings.Join(got, ",") != "demo,prod" {
		t.Errorf("lake names %v", got)
	}
	if _, err := f.Lake("staging"); err == nil || !strings.Contains(err.Error(), "demo, prod") {
		t.Errorf("unknown lake: %v", err)
	}
}

func TestBadFilesNameFileLineAndKey(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want []string
	}{
		{"[lakes.prod]\nuri = \"s3://b/p\"\nregoin = \"eu-west-1\"\n", []string{"cfg.toml:3", "lakes.prod.regoin", "unknown setting", `did you mean "region"`}},
		{"default = \"x\"\n[lakes.prod]\nuri = \"s3://b/p\"\n", []string{"cfg.toml:1", "default", `no lake is named "x"`, "prod"}},
		{"[lakes.prod]\nuri = \"s3://b/p\"\naws = \"yes\"\n", []string{"cfg.toml:3", "lakes.prod.aws"}},
		{"\n\n[lakes.prod]\nprofile = \"p\"\n", []string{"cfg.toml:3", "lakes.prod", "no uri"}},
		{"[lakes.prod\nuri = 1\n", []string{"cfg.toml:1"}},
		{"aws_secret_access_key = \"x\"\n", []string{"cfg.toml:1", "aws_secret_access_key", "unknown setting", "known: default"}},
	} {
		_, err := Parse("cfg.toml", []byte(c.doc))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: error %v is not a *config.Error", c.doc, err)
			continue
		}
		msg := err.Error()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q: error %q does not say %q", c.doc, msg, w)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("error is not one line: %q", msg)
		}
	}
}

func TestLoadAndDefaultPath(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": "/home/x"}
	get := func(k string) string { return env[k] }
	if p := DefaultPath(get); p != filepath.Join(dir, "lakeops", "config.toml") {
		t.Fatalf("DefaultPath = %s", p)
	}
	env["XDG_CONFIG_HOME"] = "relative/ignored"
	if p := DefaultPath(get); p != "/home/x/.config/lakeops/config.toml" {
		t.Fatalf("DefaultPath without XDG = %s", p)
	}
	missing := filepath.Join(dir, "none.toml")
	if f, err := Load(missing, true); err != nil || len(f.Lakes) != 0 {
		t.Fatalf("optional missing file: %v", err)
	}
	if _, err := Load(missing, false); err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Fatalf("a missing --config file must fail naming it: %v", err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path, false)
	if err != nil || f.Path != path || f.Lakes["demo"].URI != "lakeops-demo" {
		t.Fatalf("Load: %v %+v", err, f)
	}
}
