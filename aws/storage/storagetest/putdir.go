package storagetest

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
)

// PutDir puts every file under dir into the store, each under prefix
// joined with its path relative to dir ("" keeps the relative path).
func PutDir(t testing.TB, st storage.Store, prefix, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return st.Put(context.Background(), path.Join(prefix, filepath.ToSlash(rel)), f)
	})
	if err != nil {
		t.Fatalf("put %s into %s: %v", dir, st.URI(), err)
	}
}
