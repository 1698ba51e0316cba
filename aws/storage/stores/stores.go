// Package stores opens a storage.Store from a lake URI: a folder path,
// "file:///abs/path", or "s3://bucket/prefix".
package stores

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/aws/storage/s3store"
)

// AWSOptions carry the command-line AWS settings to an S3 store, and how to
// treat a missing folder.
type AWSOptions struct {
	// Config loads the AWS configuration for an S3 store (the composition
	// root's, loaded once); nil: the store loads one with Profile and Region.
	Config func(context.Context) (aws.Config, error)

	Profile     string // shared config profile
	Region      string
	EndpointURL string // S3-compatible endpoint (path-style addressing)
	// Create makes a missing lake folder (and its parents); without it a
	// missing folder is an error. It does not apply to S3.
	Create bool
}

// Open returns the store for uri. A folder store also implements io.Closer.
func Open(ctx context.Context, uri string, opts AWSOptions) (storage.Store, error) {
	if uri == "" {
		return nil, errors.New("open lake: empty lake URI")
	}
	scheme, rest, found := strings.Cut(uri, "://")
	if !found {
		return openFolder(uri, opts)
	}
	switch strings.ToLower(scheme) {
	case "file":
		p, err := filePath(rest)
		if err != nil {
			return nil, fmt.Errorf("open lake %s: %w", uri, err)
		}
		return openFolder(p, opts)
	case "s3":
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, fmt.Errorf("open lake %s: no bucket (want s3://bucket/prefix)", uri)
		}
		var cfg *aws.Config
		if opts.Config != nil {
			c, err := opts.Config(ctx)
			if err != nil {
				return nil, fmt.Errorf("open lake %s: %w", uri, err)
			}
			cfg = &c
		}
		s, err := s3store.New(ctx, s3store.Options{
			Config:      cfg,
			Bucket:      bucket,
			Prefix:      prefix,
			Profile:     opts.Profile,
			Region:      opts.Region,
			EndpointURL: opts.EndpointURL,
		})
		if err != nil {
			return nil, fmt.Errorf("open lake: %w", err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("open lake %s: unsupported scheme %q (want a folder path, file:///path or s3://bucket/prefix)", uri, scheme)
	}
}

// Folder is the folder on this machine that uri names (a path, or a file://
// URI taken as Open takes it); ok is false for any other URI.
func Folder(uri string) (dir string, ok bool) {
	scheme, rest, found := strings.Cut(uri, "://")
	if !found {
		return uri, true
	}
	if !strings.EqualFold(scheme, "file") {
		return "", false
	}
	p, err := filePath(rest)
	return p, err == nil
}

// filePath is the path of a file URI after "file://": "/abs" or "localhost/abs".
// The path is taken literally (no percent-decoding), as folder.Store.URI writes it.
func filePath(rest string) (string, error) {
	if after, ok := strings.CutPrefix(rest, "localhost/"); ok {
		rest = "/" + after
	}
	if !strings.HasPrefix(rest, "/") {
		return "", errors.New("file URI needs an absolute path: file:///path")
	}
	if runtime.GOOS == "windows" && len(rest) >= 3 && rest[2] == ':' {
		rest = rest[1:] // file:///C:/lake
	}
	return filepath.FromSlash(rest), nil
}

func openFolder(dir string, opts AWSOptions) (storage.Store, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && opts.Create:
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open lake: create folder: %w", err)
		}
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open lake: folder %s does not exist", dir)
	case err != nil:
		return nil, fmt.Errorf("open lake: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("open lake: %s is not a folder", dir)
	}
	s, err := folder.New(dir)
	if err != nil {
		return nil, fmt.Errorf("open lake: %w", err)
	}
	return s, nil
}
