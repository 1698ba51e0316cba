package pinnedtool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeMod(t *testing.T, mod string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The pin is read from both forms of the tool and require directives, the
// version is the providing module's, and the key follows the files.
func TestPin(t *testing.T) {
	block := writeMod(t, "module x/tools\n\ngo 1.26\n\ntool (\n\tgithub.com/a/b/cmd/b\n\texample.com/c\n)\n\nrequire (\n\tgithub.com/a/b v1.2.3 // indirect\n\tgithub.com/a/b/cmd v0.0.1 // indirect\n\texample.com/c v0.4.0\n)\n")
	v, key1, err := pin(block, "github.com/a/b/cmd/b")
	if err != nil || v != "v0.0.1" {
		t.Errorf("block: %q, %v (the longest module path providing the package wins)", v, err)
	}
	if v, _, err := pin(block, "example.com/c"); err != nil || v != "v0.4.0" {
		t.Errorf("block, second tool: %q, %v", v, err)
	}
	single := writeMod(t, "module x/tools\n\ntool github.com/a/b/cmd/b\n\nrequire github.com/a/b v1.2.3\n")
	v, key2, err := pin(single, "github.com/a/b/cmd/b")
	if err != nil || v != "v1.2.3" || key1 == key2 {
		t.Errorf("single: %q, %v, keys %s %s", v, err, key1, key2)
	}
	if _, _, err := pin(single, "github.com/a/b/cmd/other"); err == nil || !strings.Contains(err.Error(), "go get -tool github.com/a/b/cmd/other") {
		t.Errorf("not a tool: %v", err)
	}
	if err := os.WriteFile(filepath.Join(single, "go.sum"), []byte("github.com/a/b v1.2.3 h1:x=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, key3, _ := pin(single, "github.com/a/b/cmd/b"); key3 == key2 {
		t.Error("a changed go.sum keeps the key")
	}
}

// The repository's own tools are pinned.
func TestRepositoryTools(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"github.com/versity/versitygw/cmd/versitygw", "github.com/rhysd/actionlint/cmd/actionlint"} {
		if v, _, err := pin(filepath.Join(root, ToolsDir), pkg); err != nil || !strings.HasPrefix(v, "v") {
			t.Errorf("%s: %q, %v", pkg, v, err)
		}
	}
}
