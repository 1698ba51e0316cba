package artifact

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// BuildFlags are the Go command's flags for the worker: no local paths in
// the binary, no symbol table (a smaller zip). .ci/run builds the worker
// with the same flags, so the tests reuse its compiled packages.
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// BuildWorker builds the lakeops module in src as a static linux binary for
// arch (CGO_ENABLED=0) at out and returns out.
func BuildWorker(ctx context.Context, src, arch, out string, log io.Writer) (string, error) {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("artifact: %w", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", out, ".")
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if log != nil {
		fmt.Fprintf(log, "building the worker for linux/%s: CGO_ENABLED=0 GOOS=linux GOARCH=%s go %s\n", arch, arch, strings.Join(args, " "))
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("artifact: go build for linux/%s (in %s): %w\n%s", arch, src, err, strings.TrimSpace(output.String()))
	}
	if log != nil && output.Len() > 0 {
		_, _ = log.Write(output.Bytes())
	}
	return out, nil
}

// FindModule returns the folder of the lakeops module at or above dir.
func FindModule(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("artifact: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if path, ok := modulePath(filepath.Join(d, "go.mod")); ok {
			if path == ModulePath {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", errors.New("artifact: the worker is built from the lakeops source: run in a clone of " + ModulePath + " (or pass its folder), or use a release's zips and image")
}

// modulePath reads the module line of a go.mod.
func modulePath(gomod string) (string, bool) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), true
		}
	}
	return "", false
}
