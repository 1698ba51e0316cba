// Package pinnedtool builds the programs the tests run that are not part of
// lakeops (the versitygw S3 server, the actionlint workflow linter): each
// is a Go tool of the repository's tools module (tools/go.mod, a module of
// its own, so the lakeops module's go.mod lists only what the binary
// uses), built on first use into the user's cache and kept there under a
// key of the tools module's go.mod and go.sum and the Go toolchain, so a
// later test run starts at once and a changed pin builds anew.
package pinnedtool

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// ToolsDir is the tools module's folder in the repository.
const ToolsDir = "tools"

// Binary returns the path of the executable of the tool package pkg (e.g.
// "github.com/rhysd/actionlint/cmd/actionlint"), built from the version
// tools/go.mod pins. Concurrent builds by several test processes are safe:
// each builds to a temporary name and renames it into place.
func Binary(ctx context.Context, pkg string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	tools := filepath.Join(root, ToolsDir)
	version, key, err := pin(tools, pkg)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "lakeops-test")
	bin := filepath.Join(cache, fmt.Sprintf("%s-%s-%s", path.Base(pkg), version, key))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("pinnedtool: binary cache: %w", err)
	}
	tmp := filepath.Join(cache, ".build-"+rand.Text())
	if runtime.GOOS == "windows" {
		tmp += ".exe"
	}
	defer os.Remove(tmp)
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", tmp, pkg)
	cmd.Dir = tools
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("pinnedtool: go build %s (in %s): %w\n%s", pkg, tools, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		if _, serr := os.Stat(bin); serr != nil { // not merely lost a race to another build
			return "", fmt.Errorf("pinnedtool: binary cache: %w", err)
		}
	}
	return bin, nil
}

// RepoRoot walks up from the working directory to the folder holding
// tools/go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("pinnedtool: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ToolsDir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("pinnedtool: no folder with tools/go.mod above the working directory")
		}
		dir = parent
	}
}

// pin checks that tools/go.mod declares pkg as a tool and returns the
// version of the module providing it, and the cache key: the toolchain,
// the package, and the tools module's go.mod and go.sum.
func pin(tools, pkg string) (version, key string, err error) {
	gomod := filepath.Join(tools, "go.mod")
	mod, err := os.ReadFile(gomod)
	if err != nil {
		return "", "", fmt.Errorf("pinnedtool: %w", err)
	}
	sum, err := os.ReadFile(filepath.Join(tools, "go.sum"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("pinnedtool: %w", err)
	}
	isTool, module := false, ""
	block := ""
	sc := bufio.NewScanner(strings.NewReader(string(mod)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
			continue
		case fields[len(fields)-1] == "(":
			block = fields[0]
			continue
		case fields[0] == ")":
			block = ""
			continue
		}
		directive := block
		if block == "" {
			directive, fields = fields[0], fields[1:]
		}
		switch {
		case directive == "tool" && len(fields) == 1 && fields[0] == pkg:
			isTool = true
		case directive == "require" && len(fields) >= 2 && (pkg == fields[0] || strings.HasPrefix(pkg, fields[0]+"/")) && len(fields[0]) > len(module):
			module, version = fields[0], fields[1]
		}
	}
	if !isTool || version == "" {
		return "", "", fmt.Errorf("pinnedtool: %s does not pin %s as a tool; run in %s: go get -tool %s@VERSION", gomod, pkg, tools, pkg)
	}
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH, pkg)
	h.Write(mod)
	h.Write(sum)
	return version, hex.EncodeToString(h.Sum(nil))[:12], nil
}
