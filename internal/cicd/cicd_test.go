package cicd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lakeops/lakeops/internal/pinnedtool"
)

const actionlint = "github.com/rhysd/actionlint/cmd/actionlint"

func root(t *testing.T) string {
	t.Helper()
	r, err := pinnedtool.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Both workflows pass actionlint (syntax, expressions, runner labels,
// action inputs, the shell of each run step when shellcheck is on PATH),
// and actionlint does fail on a broken workflow.
func TestWorkflowsPassActionlint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, err := pinnedtool.Binary(ctx, actionlint)
	if err != nil {
		t.Fatal(err)
	}
	dir := root(t)
	files := []string{".github/workflows/ci.yml", ".github/workflows/release.yml"}
	cmd := exec.CommandContext(ctx, bin, append([]string{"-no-color"}, files...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}

	broken := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(ci), "runs-on: ubuntu-24.04", "runs-on: ubuntu-2404", 1)
	bad = strings.Replace(bad, "${{ github.ref }}", "${{ github.reff }}", 1)
	if err := os.WriteFile(filepath.Join(broken, "ci.yml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.CommandContext(ctx, bin, "-no-color", filepath.Join(broken, "ci.yml"))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ubuntu-2404") || !strings.Contains(string(out), "reff") {
		t.Errorf("actionlint passed a broken workflow: %v\n%s", err, out)
	}
}

type workflow struct {
	On   map[string]map[string][]string `yaml:"on"`
	Jobs map[string]struct {
		RunsOn   string `yaml:"runs-on"`
		Needs    any    `yaml:"needs"`
		Strategy struct {
			Matrix struct {
				Include []map[string]string `yaml:"include"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// ci.yml runs .ci/run itself, on pushes and pull requests to main, with
// the Go of go.mod: the same steps, by construction.
func TestCIRunsTheCIScript(t *testing.T) {
	var wf workflow
	readYAML(t, ".github/workflows/ci.yml", &wf)
	for _, ev := range []string{"push", "pull_request"} {
		if !slices.Equal(wf.On[ev]["branches"], []string{"main"}) {
			t.Errorf("on.%s.branches = %v", ev, wf.On[ev]["branches"])
		}
	}
	runs, goFromMod := 0, false
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if strings.TrimSpace(s.Run) == "bash .ci/run" {
				runs++
			}
			if strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["go-version-file"] == "go.mod" {
				goFromMod = true
			}
		}
	}
	if runs != 1 || !goFromMod {
		t.Errorf("ci.yml: bash .ci/run in %d steps, Go from go.mod %v", runs, goFromMod)
	}
	script, err := os.ReadFile(filepath.Join(root(t), ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"gofmt -l", "go vet ./...", "CGO_ENABLED=0 GOOS=linux GOARCH=amd64", "CGO_ENABLED=0 GOOS=linux GOARCH=arm64", "go test ./...", "-fuzz"} {
		if !strings.Contains(string(script), step) {
			t.Errorf(".ci/run lacks %q", step)
		}
	}
}

type goreleaser struct {
	Version int `yaml:"version"`
	Before  struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		ID      string   `yaml:"id"`
		Skip    string   `yaml:"skip"`
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Checksum struct {
		ExtraFiles []struct {
			Glob string `yaml:"glob"`
		} `yaml:"extra_files"`
	} `yaml:"checksum"`
	Release struct {
		ExtraFiles []struct {
			Glob string `yaml:"glob"`
		} `yaml:"extra_files"`
	} `yaml:"release"`
}

// The GoReleaser configuration: the console (cgo) is built only where
// LAKEOPS_NATIVE=1 (release.yml's native runners, one platform each), the
// static worker only in the release job, cross-compiled for linux amd64 and
// arm64; the release packs and attaches the Lambda zips, the image tarballs
// and the native consoles, with checksums.
func TestGoReleaserConfig(t *testing.T) {
	var cfg goreleaser
	readYAML(t, ".goreleaser.yaml", &cfg)
	if cfg.Version != 2 {
		t.Errorf("version %d", cfg.Version)
	}
	skip := func(tmpl, native string) string {
		var sb strings.Builder
		tp := template.Must(template.New("skip").Option("missingkey=error").Parse(tmpl))
		env := map[string]string{}
		if native != "" {
			env["LAKEOPS_NATIVE"] = native
		}
		if err := tp.Execute(&sb, map[string]any{"Env": env}); err != nil {
			t.Fatalf("skip template %s: %v", tmpl, err)
		}
		return sb.String()
	}
	builds := map[string]int{}
	for i, b := range cfg.Builds {
		builds[b.ID] = i
	}
	console, worker := cfg.Builds[builds["lakeops"]], cfg.Builds[builds["worker"]]
	if console.ID != "lakeops" || worker.ID != "worker" {
		t.Fatalf("builds %v", builds)
	}
	if !slices.Contains(console.Env, "CGO_ENABLED=1") || skip(console.Skip, "1") != "false" || skip(console.Skip, "") != "true" {
		t.Errorf("console build: env %v, skip %q (native %s, release %s)", console.Env, console.Skip, skip(console.Skip, "1"), skip(console.Skip, ""))
	}
	if !slices.Contains(worker.Env, "CGO_ENABLED=0") || !slices.Equal(worker.Goos, []string{"linux"}) || !slices.Equal(worker.Goarch, []string{"amd64", "arm64"}) ||
		skip(worker.Skip, "") != "false" || skip(worker.Skip, "1") != "true" {
		t.Errorf("worker build: %+v", worker)
	}
	for _, b := range cfg.Builds { // lakeops --version names the release, its commit and date
		for _, v := range []string{"version={{ .Version }}", "commit={{ .FullCommit }}", "date={{ .Date }}"} {
			if !slices.Contains(b.Ldflags, "-X github.com/lakeops/lakeops/internal/version."+v) {
				t.Errorf("build %s does not set internal/version.%s: %v", b.ID, v, b.Ldflags)
			}
		}
	}
	if !slices.Contains(cfg.Before.Hooks, "go run . deploy package --out dist-deploy") {
		t.Errorf("before hooks %v", cfg.Before.Hooks)
	}
	var attached, summed []string
	for _, f := range cfg.Release.ExtraFiles {
		attached = append(attached, f.Glob)
	}
	for _, f := range cfg.Checksum.ExtraFiles {
		summed = append(summed, f.Glob)
	}
	for _, g := range []string{"./dist-deploy/*.zip", "./dist-deploy/*.image.tar", "./dist-native/*.tar.gz"} {
		if !slices.Contains(attached, g) || !slices.Contains(summed, g) {
			t.Errorf("%s: attached %v, checksummed %v", g, attached, summed)
		}
	}

	var wf workflow
	readYAML(t, ".github/workflows/release.yml", &wf)
	native := wf.Jobs["console"]
	var targets []string
	for _, inc := range native.Strategy.Matrix.Include {
		targets = append(targets, inc["target"])
	}
	slices.Sort(targets)
	if !slices.Equal(targets, []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"}) {
		t.Errorf("native targets %v", targets)
	}
	built := false
	for _, s := range native.Steps {
		if strings.HasPrefix(s.Uses, "goreleaser/goreleaser-action@") && strings.Contains(s.With["args"], "--single-target --id lakeops") && s.Env["LAKEOPS_NATIVE"] == "1" {
			built = true
		}
	}
	if !built {
		t.Error("the native jobs do not build the console with GoReleaser")
	}
	release := wf.Jobs["release"]
	downloads, releases := false, false
	for _, s := range release.Steps {
		downloads = downloads || (strings.HasPrefix(s.Uses, "actions/download-artifact@") && s.With["path"] == "dist-native")
		releases = releases || (strings.HasPrefix(s.Uses, "goreleaser/goreleaser-action@") && strings.HasPrefix(s.With["args"], "release"))
	}
	if release.Needs != "console" || !downloads || !releases {
		t.Errorf("release job: needs %v, downloads %v, releases %v", release.Needs, downloads, releases)
	}
}
