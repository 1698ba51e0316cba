package artifact

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Paths inside the image.
const (
	ImageBinary = "/usr/local/bin/lakeops"
	ImageCerts  = "/etc/ssl/certs/ca-certificates.crt"
	imageUser   = "65532:65532" // no root in the task
)

// epoch is the time stamped on every file and the image, so that the same
// binary packs to the same bytes (and the same S3 key and image digest).
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteLambdaZip writes a zip holding the binary as an executable
// `bootstrap`, as Lambda's provided runtimes expect.
func WriteLambdaZip(path, binary string) error {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("artifact: %w", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: epoch}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(bin)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return fmt.Errorf("artifact: zip %s: %w", path, err)
	}
	return writeFile(path, buf.Bytes())
}

// WriteImage writes an OCI image tarball of the worker for linux/arch: an
// OCI image layout (oci-layout, index.json, blobs/sha256/…) that also holds
// the `docker save` manifest.json over the same blobs, as Docker 25+ writes
// it, so that `docker load`, `crane push`, skopeo and go-containerregistry
// all read it. The image is one layer on an empty base, with the binary,
// the CA certificates and /tmp; its entry point is the binary, its command
// `worker` (the state machine's tasks give the same command).
func WriteImage(path, arch, binary string, caCerts []byte) error {
	img, err := workerImage(arch, binary, caCerts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeImageTar(&buf, img, arch); err != nil {
		return fmt.Errorf("artifact: image tarball: %w", err)
	}
	return writeFile(path, buf.Bytes())
}

// workerImage builds the worker's image.
func workerImage(arch, binary string, caCerts []byte) (v1.Image, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("artifact: %w", err)
	}
	layerTar, err := imageLayer(bin, caCerts)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("artifact: image layer: %w", err)
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, MediaType: types.OCILayer, History: v1.History{
		Created: v1.Time{Time: epoch}, CreatedBy: "lakeops deploy package", Comment: "the lakeops worker and CA certificates",
	}})
	if err != nil {
		return nil, fmt.Errorf("artifact: image: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("artifact: image config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = []string{ImageBinary}
	cfg.Config.Cmd = []string{"worker"}
	cfg.Config.User = imageUser
	cfg.Config.WorkingDir = "/tmp"
	cfg.Config.Env = []string{"PATH=/usr/local/bin", "SSL_CERT_FILE=" + ImageCerts, "TMPDIR=/tmp"}
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.title": "lakeops worker", "org.opencontainers.image.source": "https://" + ModulePath}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, fmt.Errorf("artifact: image config: %w", err)
	}
	return img, nil
}

// writeImageTar writes the image's blobs once, with the OCI layout's index
// and the docker manifest pointing at them.
func writeImageTar(w io.Writer, img v1.Image, arch string) error {
	tw := tar.NewWriter(w)
	put := func(name string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	blob := func(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }
	rawManifest, err := img.RawManifest()
	if err != nil {
		return err
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	manifestDigest, err := img.Digest()
	if err != nil {
		return err
	}
	configDigest, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	var layerPaths []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := put(blob(d), data); err != nil {
			return err
		}
		layerPaths = append(layerPaths, blob(d))
	}
	tag := ImageTag(arch)
	index := map[string]any{
		"schemaVersion": 2,
		"mediaType":     types.OCIImageIndex,
		"manifests": []any{map[string]any{
			"mediaType": types.OCIManifestSchema1, "digest": manifestDigest.String(), "size": len(rawManifest),
			"platform": map[string]string{"os": "linux", "architecture": arch},
			"annotations": map[string]string{
				"org.opencontainers.image.ref.name": "linux-" + arch, "io.containerd.image.name": tag,
			},
		}},
	}
	dockerManifest := []any{map[string]any{"Config": blob(configDigest), "RepoTags": []string{tag}, "Layers": layerPaths}}
	indexJSON, _ := json.Marshal(index)
	dockerJSON, _ := json.Marshal(dockerManifest)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{blob(configDigest), rawConfig},
		{blob(manifestDigest), rawManifest},
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", indexJSON},
		{"manifest.json", dockerJSON},
	} {
		if err := put(f.name, f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// imageLayer is the tar of the image's one layer.
func imageLayer(bin, caCerts []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: epoch, Format: tar.FormatPAX})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	var err error
	for _, step := range []func() error{
		func() error { return dir("etc/", 0o755) },
		func() error { return dir("etc/ssl/", 0o755) },
		func() error { return dir("etc/ssl/certs/", 0o755) },
		func() error { return file(ImageCerts[1:], 0o644, caCerts) },
		func() error { return dir("tmp/", 0o1777) },
		func() error { return dir("usr/", 0o755) },
		func() error { return dir("usr/local/", 0o755) },
		func() error { return dir("usr/local/bin/", 0o755) },
		func() error { return file(ImageBinary[1:], 0o755, bin) },
		tw.Close,
	} {
		if err = step(); err != nil {
			return nil, fmt.Errorf("artifact: image layer: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// systemCAFiles are where Linux distributions and macOS keep the PEM bundle.
var systemCAFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL, Amazon Linux
	"/etc/ssl/ca-bundle.pem",             // openSUSE
	"/etc/ssl/cert.pem",                  // macOS, Alpine
}

// SystemCACertificates returns the machine's CA bundle and its file, or nil.
func SystemCACertificates() ([]byte, string) {
	for _, f := range systemCAFiles {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("-----BEGIN CERTIFICATE-----")) {
			return b, f
		}
	}
	return nil, ""
}

// EmbeddedCACertificates is the Mozilla root set that
// golang.org/x/crypto/x509roots/fallback embeds, as PEM; roots that bundle
// trusts only with a constraint (PEM cannot carry it) are left out.
func EmbeddedCACertificates() []byte {
	var buf bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
	}
	return buf.Bytes()
}

// writeFile writes data through a temporary file in the same folder.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("artifact: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("artifact: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("artifact: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("artifact: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("artifact: %w", err)
	}
	return nil
}
