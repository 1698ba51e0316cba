package stores_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/stores"
)

func TestOpenFolder(t *testing.T) {
	dir := t.TempDir()
	for _, uri := range []string{dir, "file://" + filepath.ToSlash(dir), "FILE://" + filepath.ToSlash(dir), "file://localhost" + filepath.ToSlash(dir)} {
		s, err := stores.Open(t.Context(), uri, stores.AWSOptions{})
		if err != nil {
			t.Fatalf("Open(%q): %v", uri, err)
		}
		if want := "file://" + filepath.ToSlash(dir); s.URI() != want {
			t.Errorf("Open(%q).URI() = %q, want %q", uri, s.URI(), want)
		}
		s.(io.Closer).Close()
	}
	t.Chdir(dir)
	if err := os.Mkdir("rel", 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := stores.Open(t.Context(), "rel", stores.AWSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.(io.Closer).Close()
	if !strings.HasSuffix(s.URI(), "/rel") || !strings.HasPrefix(s.URI(), "file:///") {
		t.Errorf("URI = %q", s.URI())
	}
}

func TestOpenMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "lake", "deep")
	_, err := stores.Open(t.Context(), missing, stores.AWSOptions{})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open of a missing folder: %v", err)
	}
	s, err := stores.Open(t.Context(), missing, stores.AWSOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.(io.Closer).Close()
	if fi, err := os.Stat(missing); err != nil || !fi.IsDir() {
		t.Errorf("Create did not make the folder: %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := stores.Open(t.Context(), file, stores.AWSOptions{Create: true}); err == nil {
		t.Error("Open of a file: no error")
	}
}

func TestOpenBadURIs(t *testing.T) {
	for uri, want := range map[string]string{
		"":                 "empty",
		"gs://bucket/x":    `unsupported scheme "gs"`,
		"https://host/x":   `unsupported scheme "https"`,
		"s3://":            "no bucket",
		"s3:///prefix":     "no bucket",
		"file://relative":  "absolute",
		"file://host/path": "absolute",
	} {
		_, err := stores.Open(t.Context(), uri, stores.AWSOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", uri, err, want)
		}
	}
}

func TestOpenS3(t *testing.T) {
	srv := gwtest.Start(t)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	uri := "s3://" + srv.Bucket + "/lake/one"
	s, err := stores.Open(t.Context(), uri, stores.AWSOptions{EndpointURL: srv.Endpoint, Region: srv.Region})
	if err != nil {
		t.Fatal(err)
	}
	if s.URI() != uri {
		t.Errorf("URI = %q, want %q", s.URI(), uri)
	}
	if err := s.Put(t.Context(), "bronze/x.csv", strings.NewReader("a\n")); err != nil {
		t.Fatal(err)
	}
	if b, err := storage.ReadAll(t.Context(), s, "bronze/x.csv"); err != nil || string(b) != "a\n" {
		t.Errorf("read back %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, srv.Bucket, "lake", "one", "bronze", "x.csv")); err != nil {
		t.Errorf("object not under the prefix: %v", err)
	}
}

// TestFolder: plain paths and file:// URIs name folders here, as Open takes
// them; S3 and malformed file URIs do not.
func TestFolder(t *testing.T) {
	for _, c := range []struct {
		uri, dir string
		ok       bool
	}{
		{"lake", "lake", true},
		{"/srv/lake", "/srv/lake", true},
		{"file:///srv/lake", "/srv/lake", true},
		{"FILE:///srv/lake", "/srv/lake", true},
		{"file://localhost/srv/lake", "/srv/lake", true},
		{"file://relative/lake", "", false},
		{"s3://bucket/lake", "", false},
	} {
		dir, ok := stores.Folder(c.uri)
		if dir != c.dir || ok != c.ok {
			t.Errorf("Folder(%q) = %q, %v; want %q, %v", c.uri, dir, ok, c.dir, c.ok)
		}
	}
}
