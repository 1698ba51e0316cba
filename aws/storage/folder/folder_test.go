package folder_test

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
)

func newStore(t *testing.T) *folder.Store {
	t.Helper()
	s, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newStore(t) })
}

func TestEscapesRefused(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s3cr3t"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newStore(t)
	dir := s.Dir()
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "secretlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../"+filepath.Base(outside)+"/secret", filepath.Join(dir, "rel")); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, key := range []string{"out/secret", "out/new", "secretlink", "rel"} {
		_, err := s.Stat(ctx, key)
		wantInvalid(t, err, "stat", key)
		_, err = s.Open(ctx, key, 0, -1)
		wantInvalid(t, err, "open", key)
		wantInvalid(t, s.Put(ctx, "out/"+path.Base(key), strings.NewReader("x")), "put", "out/"+path.Base(key))
		wantInvalid(t, s.PutIfAbsent(ctx, "out/x/"+path.Base(key), []byte("x")), "put-if-absent", "out/x/"+path.Base(key))
		wantInvalid(t, s.Copy(ctx, key, "copied"), "copy", key)
	}
	for _, key := range []string{"../x", "a/../../x", "/etc/passwd", ".lakeops-tmp-abc", "d/.lakeops-tmp-x/y"} {
		_, err := s.Stat(ctx, key)
		wantInvalid(t, err, "stat", key)
		wantInvalid(t, s.Put(ctx, key, strings.NewReader("x")), "put", key)
	}
	// Links that leave the root are not listed, and listing through one is refused.
	if got := keys(t, s, "", storage.ListOptions{}); len(got) != 0 {
		t.Errorf("List = %q", got)
	}
	for _, err := range s.List(ctx, "out/", storage.ListOptions{}) {
		wantInvalid(t, err, "list", "out/")
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "s3cr3t" {
		t.Errorf("outside file changed: %q", b)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("outside folder has %d entries, want 1", len(entries))
	}
}

func wantInvalid(t *testing.T, err error, op, key string) {
	t.Helper()
	var se *storage.Error
	if !errors.Is(err, storage.ErrInvalidKey) || !errors.As(err, &se) || se.Op != op || se.Key != key {
		t.Errorf("%s %q: error %v, want a *storage.Error wrapping ErrInvalidKey", op, key, err)
	}
}

func keys(t *testing.T, s *folder.Store, prefix string, opts storage.ListOptions) []string {
	t.Helper()
	var got []string
	for oi, err := range s.List(t.Context(), prefix, opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, oi.Key)
	}
	return got
}

func TestHiddenAndSkipped(t *testing.T) {
	s := newStore(t)
	dir := s.Dir()
	ctx := t.Context()
	for _, p := range []string{"a/.lakeops-tmp-123", ".lakeops-tmp-x", "empty/deeper/.lakeops-tmp-y", "b/real"} {
		mustWrite(t, filepath.Join(dir, p), "x")
	}
	for _, p := range []string{"emptydir/sub", "c/empty"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(dir, "c/file"), "x")
	if err := os.Symlink("real", filepath.Join(dir, "b/link")); err != nil { // a file link inside the root
		t.Fatal(err)
	}
	if err := os.Symlink("../c", filepath.Join(dir, "b/dirlink")); err != nil { // folder links are not followed
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, "b/broken")); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, s, "", storage.ListOptions{}), []string{"b/link", "b/real", "c/file"}; !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	if got, want := keys(t, s, "", storage.ListOptions{Delimited: true}), []string{"b/", "c/"}; !slices.Equal(got, want) {
		t.Errorf("delimited List = %q, want %q", got, want)
	}
	if got, want := keys(t, s, "c/", storage.ListOptions{Delimited: true}), []string{"c/file"}; !slices.Equal(got, want) {
		t.Errorf("delimited List(c/) = %q, want %q", got, want)
	}
	if got := storagetestRead(t, s, "b/link"); got != "x" {
		t.Errorf("b/link = %q", got)
	}
	// A Put leaves no temporary file behind.
	if err := s.Put(ctx, "c/new", strings.NewReader("n")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutIfAbsent(ctx, "c/new2", []byte("n")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "c"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"empty", "file", "new", "new2"}; !slices.Equal(names, want) {
		t.Errorf("folder c holds %q, want %q", names, want)
	}
}

func TestKeyIsFolder(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if err := s.Put(ctx, "d/e", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	err := s.PutIfAbsent(ctx, "d", []byte("x"))
	if err == nil || errors.Is(err, storage.ErrExists) {
		t.Errorf("PutIfAbsent onto a folder: %v, want an error other than ErrExists", err)
	}
	if err := s.Put(ctx, "d", strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("Put onto a folder: %v", err)
	}
	if err := s.Put(ctx, "d/e/f", strings.NewReader("x")); err == nil {
		t.Error("Put below a file: no error")
	}
	if got := keys(t, s, "", storage.ListOptions{}); !slices.Equal(got, []string{"d/e"}) {
		t.Errorf("List = %q", got)
	}
}

// TestPutDeleteRace: Delete prunes folders that concurrent Puts are creating.
func TestPutDeleteRace(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				key := fmt.Sprintf("x/y/z/%d-%d", w, i)
				if err := s.Put(ctx, key, strings.NewReader("v")); err != nil {
					t.Error(err)
					return
				}
				if err := s.Delete(ctx, key); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if entries, _ := os.ReadDir(s.Dir()); len(entries) != 0 {
		t.Errorf("root not empty after all deletes: %d entries", len(entries))
	}
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	if _, err := folder.New(filepath.Join(dir, "missing")); err == nil {
		t.Error("New of a missing folder: no error")
	}
	mustWrite(t, filepath.Join(dir, "file"), "x")
	if _, err := folder.New(filepath.Join(dir, "file")); err == nil {
		t.Error("New of a file: no error")
	}
	s, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.URI() != "file://"+filepath.ToSlash(dir) {
		t.Errorf("URI = %q", s.URI())
	}
	_, err = s.Stat(t.Context(), "nope")
	if want := "stat file://" + filepath.ToSlash(dir) + "/nope: object does not exist"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func storagetestRead(t *testing.T, s storage.Store, key string) string {
	t.Helper()
	b, err := storage.ReadAll(t.Context(), s, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
