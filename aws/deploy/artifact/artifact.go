// Package artifact builds what a lakeops stack runs, without an AWS account,
// Docker or the network: the worker (this module built by the Go toolchain
// with CGO_ENABLED=0 for linux/arm64 and linux/amd64: a static binary),
// packed as a Lambda zip for provided.al2023 (the binary as `bootstrap`) and
// as an image tarball for ECS (go-containerregistry: an empty base, the
// binary and CA certificates, its entry point the worker), with a manifest
// of their SHA-256 digests.
package artifact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// ModulePath is the module the worker is built from.
const ModulePath = "github.com/lakeops/lakeops"

// Kinds of artifacts.
const (
	KindLambdaZip = "lambda-zip"
	KindImage     = "image"
)

// ManifestFile is the manifest's name in the output folder.
const ManifestFile = "manifest.json"

// Options say what to build and where.
type Options struct {
	// Source is the lakeops module's folder ("" → found upwards from the
	// working directory).
	Source string
	// Out is the folder the artifacts are written to.
	Out string
	// Arches are the architectures (default arm64 and amd64).
	Arches []string
	// BuildDir keeps the built binaries (bin/linux_<arch>/lakeops). The Go
	// command leaves an up-to-date binary alone, so a lasting folder makes
	// a rebuild of unchanged sources cheap; "" is a temporary folder.
	BuildDir string
	// CACertificates is the PEM bundle the image carries; nil means the
	// machine's (SystemCACertificates) or else the embedded one.
	CACertificates []byte
	// Log receives the Go command's output and progress lines (may be nil).
	Log io.Writer
}

// Artifact is one file written.
type Artifact struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Arch   string `json:"arch"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Manifest lists what Build wrote.
type Manifest struct {
	Module    string     `json:"module"`
	CASource  string     `json:"ca_certificates"` // the bundle's origin
	Artifacts []Artifact `json:"artifacts"`
}

// ZipName and ImageName name an architecture's artifacts.
func ZipName(arch string) string   { return "lakeops-worker_linux_" + arch + ".zip" }
func ImageName(arch string) string { return "lakeops-worker_linux_" + arch + ".image.tar" }

// ImageTag is the tag an architecture's image carries in its tarball.
func ImageTag(arch string) string { return "lakeops-worker:linux-" + arch }

// Find returns the artifact of a kind and architecture.
func (m Manifest) Find(kind, arch string) (Artifact, bool) {
	for _, a := range m.Artifacts {
		if a.Kind == kind && a.Arch == arch {
			return a, true
		}
	}
	return Artifact{}, false
}

// Build builds the worker for each architecture and writes its zip and
// image tarball, then the manifest.
func Build(ctx context.Context, opts Options) (Manifest, error) {
	if opts.Out == "" {
		return Manifest{}, errors.New("artifact: no output folder")
	}
	if len(opts.Arches) == 0 {
		opts.Arches = []string{"arm64", "amd64"}
	}
	for _, a := range opts.Arches {
		if a != "arm64" && a != "amd64" {
			return Manifest{}, fmt.Errorf("artifact: architecture %q: want arm64 or amd64", a)
		}
	}
	src := opts.Source
	if src == "" {
		var err error
		if src, err = FindModule("."); err != nil {
			return Manifest{}, err
		}
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("artifact: %w", err)
	}
	certs, caSource := opts.CACertificates, "given"
	if certs == nil {
		certs, caSource = SystemCACertificates()
		if certs == nil {
			certs, caSource = EmbeddedCACertificates(), "embedded (golang.org/x/crypto/x509roots/fallback)"
		}
	}
	buildDir := opts.BuildDir
	if buildDir == "" {
		tmp, err := os.MkdirTemp("", "lakeops-worker-build-")
		if err != nil {
			return Manifest{}, fmt.Errorf("artifact: %w", err)
		}
		defer os.RemoveAll(tmp)
		buildDir = tmp
	}
	m := Manifest{Module: ModulePath, CASource: caSource}
	for _, arch := range opts.Arches {
		bin, err := BuildWorker(ctx, src, arch, filepath.Join(buildDir, "bin", "linux_"+arch, "lakeops"), opts.Log)
		if err != nil {
			return Manifest{}, err
		}
		zipPath := filepath.Join(opts.Out, ZipName(arch))
		if err := WriteLambdaZip(zipPath, bin); err != nil {
			return Manifest{}, err
		}
		imgPath := filepath.Join(opts.Out, ImageName(arch))
		if err := WriteImage(imgPath, arch, bin, certs); err != nil {
			return Manifest{}, err
		}
		for _, f := range []struct{ path, kind string }{{zipPath, KindLambdaZip}, {imgPath, KindImage}} {
			a, err := describe(f.path, f.kind, arch)
			if err != nil {
				return Manifest{}, err
			}
			m.Artifacts = append(m.Artifacts, a)
		}
	}
	sort.Slice(m.Artifacts, func(i, j int) bool { return m.Artifacts[i].Name < m.Artifacts[j].Name })
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(opts.Out, ManifestFile), append(b, '\n'), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("artifact: %w", err)
	}
	return m, nil
}

// ReadManifest reads the manifest of an output folder and checks that each
// artifact is there with its digest.
func ReadManifest(dir string) (Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return Manifest{}, fmt.Errorf("artifact: %w (build the artifacts with: lakeops deploy package --out %s)", err, dir)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("artifact: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	for _, a := range m.Artifacts {
		got, err := describe(filepath.Join(dir, a.Name), a.Kind, a.Arch)
		if err != nil {
			return Manifest{}, err
		}
		if got.SHA256 != a.SHA256 {
			return Manifest{}, fmt.Errorf("artifact: %s changed since it was built (sha256 %s, the manifest says %s)", a.Name, got.SHA256, a.SHA256)
		}
	}
	return m, nil
}

func describe(path, kind, arch string) (Artifact, error) {
	f, err := os.Open(path)
	if err != nil {
		return Artifact{}, fmt.Errorf("artifact: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Artifact{}, fmt.Errorf("artifact: read %s: %w", path, err)
	}
	return Artifact{Name: filepath.Base(path), Kind: kind, Arch: arch, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}
