package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/ui"
)

// configEnv writes a configuration file at the XDG place of a new folder
// and returns the environment that finds it.
func configEnv(t *testing.T, doc string) (map[string]string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lakeops", "config.toml")
	writeFile(t, path, doc)
	return map[string]string{"XDG_CONFIG_HOME": dir}, path
}

// shown runs config show --format json and returns the settings by name.
func shown(t *testing.T, env map[string]string, args ...string) (map[string]resolvedSetting, settingsOut) {
	t.Helper()
	out, stderr, code := runEnv(t, env, append(args, "config", "show", "--format", "json")...)
	var res settingsOut
	if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("config show: exit %d %s\n%s", code, stderr, out)
	}
	byName := map[string]resolvedSetting{}
	for _, s := range res.Settings {
		byName[s.Name] = s
	}
	return byName, res
}

func TestConfigPrecedenceFileEnvFlag(t *testing.T) {
	lakeA, lakeB := t.TempDir(), t.TempDir()
	env, path := configEnv(t, `default = "a"

[lakes.a]
uri = "`+lakeA+`"
region = "eu-west-1"
athena_workgroup = "wg-file"
read_only = true

[lakes.b]
uri = "`+lakeB+`"
region = "eu-north-1"
`)
	want := func(s resolvedSetting, value, source, where string) {
		t.Helper()
		if s.Value != value || s.Source != source || s.Where != where {
			t.Errorf("%s = %q from %s (%s); want %q from %s (%s)", s.Name, s.Value, s.Source, s.Where, value, source, where)
		}
	}
	// The file (its default lake), then the environment over it, then a flag over both.
	s, res := shown(t, env)
	want(s["lake"], lakeA, fromFile, path+":4")
	want(s["region"], "eu-west-1", fromFile, path+":5")
	want(s["athena_workgroup"], "wg-file", fromFile, path+":6")
	want(s["read_only"], "true", fromFile, path+":7")
	want(s["profile"], "", fromDefault, "")
	if res.Lake != "a" || res.LakeFrom != path+":1" || res.Precedence != "flag > environment > config file > default" || strings.Join(res.Lakes, ",") != "a,b" {
		t.Errorf("lake %q from %q, precedence %q, lakes %v", res.Lake, res.LakeFrom, res.Precedence, res.Lakes)
	}
	env["AWS_REGION"], env["LAKEOPS_ATHENA_WORKGROUP"], env["LAKEOPS_READ_ONLY"] = "us-east-1", "wg-env", "0"
	s, _ = shown(t, env)
	want(s["region"], "us-east-1", fromEnv, "AWS_REGION")
	want(s["athena_workgroup"], "wg-env", fromEnv, "LAKEOPS_ATHENA_WORKGROUP")
	want(s["read_only"], "false", fromEnv, "LAKEOPS_READ_ONLY")
	s, _ = shown(t, env, "--region", "ap-south-1", "--workgroup", "wg-flag", "--read-only")
	want(s["region"], "ap-south-1", fromFlag, "--region")
	want(s["athena_workgroup"], "wg-flag", fromFlag, "--workgroup")
	want(s["read_only"], "true", fromFlag, "--read-only")

	// --use picks another lake; LAKEOPS_USE too, and the flag wins.
	delete(env, "AWS_REGION")
	s, res = shown(t, env, "--use", "b")
	want(s["lake"], lakeB, fromFile, path+":10")
	want(s["region"], "eu-north-1", fromFile, path+":11")
	if res.Lake != "b" || res.LakeFrom != "--use" {
		t.Errorf("--use b: %q from %q", res.Lake, res.LakeFrom)
	}
	env["LAKEOPS_USE"] = "b"
	if _, res = shown(t, env); res.Lake != "b" || res.LakeFrom != "LAKEOPS_USE" {
		t.Errorf("LAKEOPS_USE: %q from %q", res.Lake, res.LakeFrom)
	}
	if _, res = shown(t, env, "--use", "a"); res.Lake != "a" {
		t.Errorf("--use over LAKEOPS_USE: %q", res.Lake)
	}
	delete(env, "LAKEOPS_USE")
	// An unknown lake is a usage error naming the ones there are.
	if _, stderr, code := runEnv(t, env, "--use", "prod", "table", "ls"); code != ExitUsage || !strings.Contains(stderr, `no lake named "prod"`) || !strings.Contains(stderr, "a, b") {
		t.Errorf("--use prod: exit %d %q", code, stderr)
	}

	// The settings are what commands use: read_only from the file refuses a run of lake a.
	writeFile(t, filepath.Join(lakeA, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\n")
	delete(env, "LAKEOPS_READ_ONLY")
	if _, stderr, code := runEnv(t, env, "run", "--quiet"); code != ExitFail || !strings.Contains(stderr, "read-only") {
		t.Errorf("run on the file's read-only lake: exit %d %q", code, stderr)
	}
	out, stderr, code := runEnv(t, env, "run", "--quiet", "--json", "--read-only=false")
	if code != ExitOK || !strings.Contains(out, `"accepted": 1`) {
		t.Errorf("run --read-only=false on the file's lake: exit %d %s\n%s", code, stderr, out)
	}
	// --config names another file, which must exist.
	other := filepath.Join(t.TempDir(), "other.toml")
	writeFile(t, other, "[lakes.x]\nuri = \""+lakeB+"\"\n")
	if s, res := shown(t, env, "--config", other, "--use", "x"); s["lake"].Value != lakeB || res.ConfigPath != other {
		t.Errorf("--config: %+v %s", s["lake"], res.ConfigPath)
	}
	if _, stderr, code := runEnv(t, env, "--config", filepath.Join(t.TempDir(), "none.toml"), "table", "ls"); code != ExitUsage || !strings.Contains(stderr, "none.toml") {
		t.Errorf("missing --config: exit %d %q", code, stderr)
	}
}

func TestConfigShowHidesSecrets(t *testing.T) {
	env, _ := configEnv(t, `default = "minio"
[lakes.minio]
uri = "s3://lake/prefix"
endpoint_url = "https://admin:hunter2@minio.example.com:9000/?X-Amz-Security-Token=tok-in-url&region=x"
`)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = "AKIAEXAMPLEKEY", "wJalrXUtnFEMIsecret", "FQoGZXIvYXdzsession"
	env["LAKEOPS_LAKE"] = "s3://lake/prefix?apiKey=key-in-lake-uri"
	for _, format := range []string{"table", "json"} {
		out, stderr, code := runEnv(t, env, "config", "show", "--format", format)
		if code != ExitOK {
			t.Fatalf("%s: exit %d %s", format, code, stderr)
		}
		for _, secret := range []string{"hunter2", "tok-in-url", "AKIAEXAMPLEKEY", "wJalrXUtnFEMIsecret", "FQoGZXIvYXdzsession", "key-in-lake-uri"} {
			if strings.Contains(out+stderr, secret) {
				t.Errorf("%s: config show prints %q:\n%s", format, secret, out)
			}
		}
		for _, want := range []string{"https://admin:****@minio.example.com:9000/", "aws_secret_access_key", "region=x", "apiKey=****"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: config show lacks %q:\n%s", format, want, out)
			}
		}
	}
}

func TestBadConfigIsOneLineNamingFileLineAndKey(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want []string
	}{
		{"[lakes.p]\nuri = \"x\"\nregoin = \"eu-west-1\"\n", []string{":3", "lakes.p.regoin", `did you mean "region"`}},
		{"[console.keys]\nqiut = \"Q\"\n", []string{":2", "console.keys.qiut", `unknown action "qiut"`}},
		{"[console.keys]\nhelp = \"F1\"\nquit = [\"j\"]\n", []string{":3", "console.keys.quit", `key "j" is bound to both quit and down`}},
		{"[console.keys]\nquit = 3\n", []string{":2", "console.keys.quit", "a key or a list of keys"}},
		{"[console]\ntheme = \"solarized\"\n", []string{":2", "console.theme", `unknown theme "solarized"`, "auto, dark, light, mono"}},
		{"[console]\ntheme = \"dark\"\n[console.colors]\nok = \"green\"\n", []string{":4", "console.colors.ok", "not a colour"}},
		{"[sql]\nallow_file_access = true\n", []string{":2", "sql.allow_file_access", "unknown setting"}},
	} {
		env, path := configEnv(t, c.doc)
		_, stderr, code := runEnv(t, env, "table", "ls")
		if code != ExitUsage || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, path) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2, one line naming %s", c.doc, code, stderr, path)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%q: %q does not say %q", c.doc, stderr, w)
			}
		}
		// Help and completion still work with a broken file.
		if _, _, code := runEnv(t, env, "table", "ls", "--help"); code != ExitOK {
			t.Errorf("--help with a broken config: exit %d", code)
		}
	}
}

func TestUnsafeSQLFileAccessOptIn(t *testing.T) {
	lake := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside.csv")
	writeFile(t, outside, "a\n1\n")
	sql := "SELECT count(*) AS n FROM read_csv('" + outside + "')"
	// Off by default; a setting that merely says "allow" is not the opt-in.
	env, _ := configEnv(t, "")
	if _, stderr, code := runEnv(t, env, "--lake", lake, "query", sql); code != ExitFail || !strings.Contains(stderr, "local file access is off") {
		t.Fatalf("default: exit %d %q", code, stderr)
	}
	for name, e := range map[string]map[string]string{
		"file": func() map[string]string {
			env, _ := configEnv(t, "[sql]\ndangerously_allow_file_access = true\n")
			return env
		}(),
		"env": {"LAKEOPS_UNSAFE_SQL_FILE_ACCESS": "1"},
	} {
		out, stderr, code := runEnv(t, e, "--lake", lake, "query", "--format", "csv", sql)
		if code != ExitOK || !strings.Contains(out, "1") {
			t.Errorf("%s opt-in: exit %d %q %q", name, code, out, stderr)
		}
	}
}

func TestConsoleTakesKeysThemeAndAthenaFromTheConfig(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Header.Get("X-Amz-Target")+" "+string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch r.Header.Get("X-Amz-Target") {
		case "AmazonAthena.StartQueryExecution":
			io.WriteString(w, `{"QueryExecutionId":"q-1"}`)
		case "AmazonAthena.GetQueryExecution":
			io.WriteString(w, `{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"SUCCEEDED"},"Statistics":{"DataScannedInBytes":0}}}`)
		case "AmazonAthena.GetQueryResults":
			io.WriteString(w, `{"ResultSet":{"ResultSetMetadata":{"ColumnInfo":[{"Name":"one","Type":"integer"}]},"Rows":[{"Data":[{"VarCharValue":"one"}]},{"Data":[{"VarCharValue":"1"}]}]}}`)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"InvalidRequestException","Message":"unexpected"}`)
		}
	}))
	defer srv.Close()
	lake := t.TempDir()
	env, _ := configEnv(t, `default = "prod"
[lakes.prod]
uri = "`+lake+`"
aws = true
region = "eu-west-1"
athena_database = "db_from_file"
athena_workgroup = "wg_from_file"
athena_output_location = "s3://results/from-file/"

[console]
theme = "light"
colors = { accent = "#FF8800" }
[console.keys]
quit = ["ctrl+q", "Q"]
help = "f1"
`)
	env["AWS_ENDPOINT_URL"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = srv.URL, "AKID", "SECRET"
	for k, v := range env {
		t.Setenv(k, v) // the SDK reads its endpoint and credentials from the process environment
	}
	a := newApp(Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }})
	tree := a.tree()
	if err := tree.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	if err := resolveSettings(tree.PersistentFlags(), a.env.Getenv, a.g); err != nil {
		t.Fatal(err)
	}
	a.g.root = newRoot(a.g, a.env)
	defer a.g.root.Close()
	opts, err := a.g.root.consoleOptions(context.Background(), consoleParts{})
	if err != nil {
		t.Fatal(err)
	}
	if k := opts.Keys.Quit.Keys(); len(k) != 2 || k[0] != "ctrl+q" || opts.Keys.Help.Keys()[0] != "f1" || opts.Keys.Down.Keys()[0] != "down" {
		t.Errorf("keys: quit %v help %v", k, opts.Keys.Help.Keys())
	}
	if opts.Theme == nil || opts.Theme.Title.GetForeground() != ui.ThemeWith(false, map[string]string{"accent": "#FF8800"}).Title.GetForeground() {
		t.Error("the console's theme is not the configured light one with its accent")
	}
	if !strings.Contains(strings.Join(opts.Status, " "), "athena") {
		t.Errorf("status %v: not on Athena", opts.Status)
	}
	// The Query view's engine is Athena with the file's database, workgroup and result location.
	rows, err := a.g.root.engine.Query(context.Background(), "SELECT 1 AS one")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	mu.Lock()
	defer mu.Unlock()
	start := bodies[0]
	for _, want := range []string{"StartQueryExecution", `"Database":"db_from_file"`, `"WorkGroup":"wg_from_file"`, `"OutputLocation":"s3://results/from-file/"`} {
		if !strings.Contains(start, want) {
			t.Errorf("StartQueryExecution lacks %s: %s", want, start)
		}
	}
}
