package gwtest

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
	"path/filepath"
	"runtime"
	"strings"
)

// toolPkg is versitygw's main package, a tool of the repository's tools
// module (tools/go.mod), which keeps test-only programs out of the lakeops
// module's dependency graph.
const (
	toolModule = "github.com/versity/versitygw"
	toolPkg    = toolModule + "/cmd/versitygw"
	toolsDir   = "tools"
)

// Binary returns the path of a versitygw executable built from the version that
// tools/go.mod pins, building it on first use into os.UserCacheDir()/lakeops-test
// (keyed by that version and the Go toolchain) so later test runs start at
// once. Concurrent builds by several test processes are safe: each builds to a
// temporary name and renames it into place.
func Binary(ctx context.Context) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	tools := filepath.Join(root, toolsDir)
	version, key, err := toolVersion(filepath.Join(tools, "go.mod"))
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "lakeops-test")
	bin := filepath.Join(cache, fmt.Sprintf("versitygw-%s-%s", version, key))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("gwtest: binary cache: %w", err)
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
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", tmp, toolPkg)
	cmd.Dir = tools
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("gwtest: go build %s (in %s): %w\n%s", toolPkg, tools, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		if _, serr := os.Stat(bin); serr != nil { // not merely lost a race to another build
			return "", fmt.Errorf("gwtest: binary cache: %w", err)
		}
	}
	return bin, nil
}

// moduleRoot walks up from the working directory to the folder with the
// lakeops module's go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("gwtest: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, toolsDir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("gwtest: no folder with tools/go.mod above the working directory")
		}
		dir = parent
	}
}

// toolVersion reads go.mod for the versitygw version, checking that versitygw
// is a tool, and returns a cache key over every go.mod line naming versitygw
// (require, replace, tool) and the Go toolchain.
func toolVersion(gomod string) (version, key string, err error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", "", fmt.Errorf("gwtest: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	isTool := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.Contains(line, toolModule) {
			continue
		}
		fmt.Fprintln(h, line)
		fields := strings.Fields(strings.TrimPrefix(line, "require "))
		switch {
		case len(fields) >= 1 && fields[0] == "tool" || (len(fields) == 1 && fields[0] == toolPkg):
			isTool = true
		case len(fields) >= 2 && fields[0] == toolModule && strings.HasPrefix(fields[1], "v") && version == "":
			version = fields[1]
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("gwtest: read %s: %w", gomod, err)
	}
	if !isTool || version == "" {
		return "", "", fmt.Errorf("gwtest: %s does not pin versitygw as a tool; run in tools/: go get -tool %s@v1.8.0", gomod, toolPkg)
	}
	return version, hex.EncodeToString(h.Sum(nil))[:12], nil
}
