package artifact

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// built runs `deploy package` once per test binary. The binaries are built
// in the user's cache (one folder per source tree), where the Go command
// leaves an up-to-date binary alone: with unchanged sources a later run
// packs without linking again.
var built = sync.OnceValues(func() (string, error) {
	src, err := FindModule(".")
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	key := sha256.Sum256([]byte(src))
	out, err := os.MkdirTemp("", "lakeops-package-")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	_, err = Build(ctx, Options{Source: src, Out: out, BuildDir: filepath.Join(cache, "lakeops-test", "worker-"+hex.EncodeToString(key[:6]))})
	return out, err
})

func packageDir(t *testing.T) string {
	t.Helper()
	dir, err := built()
	if err != nil {
		t.Fatalf("deploy package: %v", err)
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := built(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

var elfMachine = map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}

// checkStatic fails unless b is a static 64-bit linux executable for arch:
// the ELF header's machine, an executable (not a position-independent,
// dynamically loaded one), and no program interpreter or dynamic section.
func checkStatic(t *testing.T, what string, b []byte, arch string) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s is not an ELF file: %v", what, err)
	}
	if f.Machine != elfMachine[arch] || f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC {
		t.Errorf("%s: machine %v, class %v, type %v; want %v, 64-bit, an executable", what, f.Machine, f.Class, f.Type, elfMachine[arch])
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s has a %v program header: not static", what, p.Type)
		}
	}
	if f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("%s: OS ABI %v", what, f.OSABI)
	}
}

// The Lambda zips hold one file, an executable `bootstrap` that is a static
// binary for the zip's architecture.
func TestLambdaZipsHoldAStaticBootstrap(t *testing.T) {
	dir := packageDir(t)
	for _, arch := range []string{"arm64", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			zr, err := zip.OpenReader(filepath.Join(dir, ZipName(arch)))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
				t.Fatalf("zip entries: %v", zr.File)
			}
			f := zr.File[0]
			if f.Mode()&0o111 != 0o111 || !f.Mode().IsRegular() {
				t.Errorf("bootstrap mode %v: not an executable file", f.Mode())
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			checkStatic(t, "bootstrap", b, arch)
		})
	}
}

// The image tarball loads with go-containerregistry; its config runs the
// worker (entry point the binary, command `worker`) as a non-root user on
// linux/arch; its one layer holds the static binary and CA certificates;
// and the binary, extracted and run as the image would run it, is the
// worker.
func TestImageTarballRunsTheWorker(t *testing.T) {
	dir := packageDir(t)
	for _, arch := range []string{"arm64", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			tag, err := name.NewTag(ImageTag(arch))
			if err != nil {
				t.Fatal(err)
			}
			img, err := tarball.ImageFromPath(filepath.Join(dir, ImageName(arch)), &tag)
			if err != nil {
				t.Fatalf("load the image tarball: %v", err)
			}
			checkOCILayout(t, filepath.Join(dir, ImageName(arch)), img)
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.OS != "linux" || cfg.Architecture != arch {
				t.Errorf("platform %s/%s", cfg.OS, cfg.Architecture)
			}
			if !slices.Equal(cfg.Config.Entrypoint, []string{ImageBinary}) || !slices.Equal(cfg.Config.Cmd, []string{"worker"}) {
				t.Errorf("entrypoint %v, cmd %v: not the worker", cfg.Config.Entrypoint, cfg.Config.Cmd)
			}
			if cfg.Config.User == "" || strings.HasPrefix(cfg.Config.User, "0") || cfg.Config.User == "root" {
				t.Errorf("runs as %q", cfg.Config.User)
			}
			layers, err := img.Layers()
			if err != nil || len(layers) != 1 {
				t.Fatalf("%d layers (%v): want one on an empty base", len(layers), err)
			}
			files := extract(t, img)
			bin, ok := files[ImageBinary]
			if !ok {
				t.Fatalf("no %s in the image: %v", ImageBinary, keys(files))
			}
			checkStatic(t, ImageBinary, bin, arch)
			certs := files[ImageCerts]
			if n := countCerts(t, certs); n < 50 {
				t.Errorf("%s holds %d certificates", ImageCerts, n)
			}
			if runtime.GOOS != "linux" || runtime.GOARCH != arch {
				return // a foreign binary: its header is checked above
			}
			exe := filepath.Join(t.TempDir(), "lakeops")
			if err := os.WriteFile(exe, bin, 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(exe, "--help").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Usage:\n  lakeops") || !strings.Contains(string(out), "deploy") {
				t.Errorf("lakeops --help: %v\n%s", err, out)
			}
			// As the image runs it: entry point, command, and an action.
			args := append(append(slices.Clone(cfg.Config.Entrypoint[1:]), cfg.Config.Cmd...), `{"action":"nope"}`)
			cmd := exec.Command(exe, args...)
			cmd.Env = append(cfg.Config.Env, "LAKEOPS_LAKE="+t.TempDir())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "Lakeops.InvalidInput") {
				t.Errorf("the worker on an unknown action: %v, stderr %s", err, stderr.String())
			}
		})
	}
}

// checkOCILayout reads the tarball as an OCI image layout: one OCI image
// for the platform, the same image the docker manifest names.
func checkOCILayout(t *testing.T, tarPath string, dockerImg v1.Image) {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatalf("OCI layout: %v", err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("index: %v, %v", im, err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatalf("OCI image: %v", err)
	}
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("the OCI image does not validate: %v", err)
	}
	a, _ := img.ConfigName()
	b, _ := dockerImg.ConfigName()
	if a != b {
		t.Errorf("the layout's config %s, the docker manifest's %s", a, b)
	}
}

// extract returns the image's files (the flattened layers) by absolute path.
func extract(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("image layers: %v", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files["/"+strings.TrimPrefix(h.Name, "/")] = b
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func countCerts(t *testing.T, b []byte) int {
	t.Helper()
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return n
		}
		if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
			t.Errorf("certificate %d: %v", n, err)
		}
		n++
	}
}

// The manifest names each artifact with its digest, and a changed file is
// caught.
func TestManifest(t *testing.T) {
	dir := packageDir(t)
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Artifacts) != 4 {
		t.Fatalf("%d artifacts: %+v", len(m.Artifacts), m.Artifacts)
	}
	for _, arch := range []string{"arm64", "amd64"} {
		for _, kind := range []string{KindLambdaZip, KindImage} {
			a, ok := m.Find(kind, arch)
			if !ok || len(a.SHA256) != 64 || a.Size == 0 {
				t.Errorf("%s %s: %+v", kind, arch, a)
			}
		}
	}
	copyDir := t.TempDir()
	for _, a := range m.Artifacts {
		b, err := os.ReadFile(filepath.Join(dir, a.Name))
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind == KindLambdaZip && a.Arch == "amd64" {
			b = append(b, 0)
		}
		if err := os.WriteFile(filepath.Join(copyDir, a.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mb, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err := os.WriteFile(filepath.Join(copyDir, ManifestFile), mb, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(copyDir); err == nil || !strings.Contains(err.Error(), ZipName("amd64")) {
		t.Errorf("a changed zip: %v", err)
	}
}

// The same binary packs to the same bytes, so an unchanged worker keeps its
// S3 key and image digest.
func TestPackingIsReproducible(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.WriteFile(bin, []byte("\x7fELF not really"), 0o755); err != nil {
		t.Fatal(err)
	}
	certs := EmbeddedCACertificates()
	var sums []string
	for i := range 2 {
		z, img := filepath.Join(dir, "z"+string(rune('0'+i))), filepath.Join(dir, "i"+string(rune('0'+i)))
		if err := WriteLambdaZip(z, bin); err != nil {
			t.Fatal(err)
		}
		if err := WriteImage(img, "arm64", bin, certs); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{z, img} {
			a, err := describe(p, "", "")
			if err != nil {
				t.Fatal(err)
			}
			sums = append(sums, a.SHA256)
		}
	}
	if sums[0] != sums[2] || sums[1] != sums[3] {
		t.Errorf("two packs differ: %v", sums)
	}
}

// The embedded bundle is a real root set, for machines without one.
func TestEmbeddedCACertificates(t *testing.T) {
	if n := countCerts(t, EmbeddedCACertificates()); n < 100 {
		t.Errorf("%d certificates", n)
	}
}

func TestFindModule(t *testing.T) {
	root, err := FindModule(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "main.go")); err != nil {
		t.Errorf("module root %s: %v", root, err)
	}
	if _, err := FindModule(t.TempDir()); err == nil || !strings.Contains(err.Error(), "lakeops source") {
		t.Errorf("outside the module: %v", err)
	}
	if _, err := Build(context.Background(), Options{Out: t.TempDir(), Arches: []string{"386"}}); err == nil {
		t.Error("a 386 build was accepted")
	}
}
