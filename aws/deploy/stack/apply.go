package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/aws/deploy"
	"github.com/lakeops/lakeops/aws/deploy/artifact"
	"github.com/lakeops/lakeops/aws/storage"
)

// ErrDeclined is returned when the changes were shown and not confirmed.
var ErrDeclined = errors.New("the changes were not applied")

// DeployPrefix is where apply uploads the artifacts and the template,
// under the artifact store's root, one folder per content digest.
const DeployPrefix = "_lakeops/deploy/"

// Apply is one `lakeops deploy apply`.
type Apply struct {
	Stack    string
	Template deploy.Options
	// Parameters are the stack's parameters (LakeBucketName, LakePrefix and
	// any overrides); ArtifactBucket and WorkerCodeKey are filled in.
	Parameters map[string]string
	// Artifacts is the folder `lakeops deploy package` wrote.
	Artifacts string
	// Uploads is the store the artifacts and the template go to, on
	// UploadBucket under UploadPrefix ("" or ending with /).
	Uploads      storage.Store
	UploadBucket string
	UploadPrefix string
	Region       string
	// Confirm is asked with the computed changes; false discards them.
	Confirm func(Plan) (bool, error)
	OnEvent func(Event)
	Log     io.Writer
}

// Apply uploads the worker's zip (and the template) and creates or updates
// the stack through a change set: its changes go to Confirm first, then its
// events to OnEvent until the stack settles.
func (c *Client) Apply(ctx context.Context, a Apply) (Stack, Plan, error) {
	tmplOpts := a.Template
	if tmplOpts.Arch == "" {
		tmplOpts.Arch = deploy.ArchARM64
	}
	m, err := artifact.ReadManifest(a.Artifacts)
	if err != nil {
		return Stack{}, Plan{}, err
	}
	zip, ok := m.Find(artifact.KindLambdaZip, tmplOpts.Arch)
	if !ok {
		return Stack{}, Plan{}, fmt.Errorf("%s has no Lambda zip for %s (lakeops deploy package builds arm64 and amd64)", a.Artifacts, tmplOpts.Arch)
	}
	params := map[string]string{}
	for k, v := range a.Parameters {
		params[k] = v
	}
	if tmplOpts.Compute == deploy.ComputeFargate && params[deploy.ParamImageTag] == "" {
		img, ok := m.Find(artifact.KindImage, tmplOpts.Arch)
		if !ok {
			return Stack{}, Plan{}, fmt.Errorf("%s has no image for %s", a.Artifacts, tmplOpts.Arch)
		}
		params[deploy.ParamImageTag] = "sha-" + img.SHA256[:12]
	}
	codeKey, err := upload(ctx, a.Uploads, DeployPrefix+zip.SHA256[:16]+"/"+zip.Name, filepath.Join(a.Artifacts, zip.Name), a.Log)
	if err != nil {
		return Stack{}, Plan{}, err
	}
	body, err := deploy.JSON(tmplOpts)
	if err != nil {
		return Stack{}, Plan{}, err
	}
	sum := sha256.Sum256(body)
	tmplKey := DeployPrefix + hex.EncodeToString(sum[:8]) + "/template.json"
	if err := a.Uploads.Put(ctx, tmplKey, bytes.NewReader(body)); err != nil {
		return Stack{}, Plan{}, fmt.Errorf("upload the template: %w", err)
	}
	params[deploy.ParamArtifactBucket] = a.UploadBucket
	params[deploy.ParamWorkerCodeKey] = a.UploadPrefix + codeKey
	plan, err := c.Plan(ctx, a.Stack, Template{URL: TemplateURL(a.UploadBucket, a.Region, a.UploadPrefix+tmplKey), Parameters: params})
	if err != nil {
		return Stack{}, Plan{}, err
	}
	if plan.Empty {
		st, err := c.Describe(ctx, a.Stack)
		return st, plan, err
	}
	ok, err = a.Confirm(plan)
	if err != nil || !ok {
		if derr := c.Discard(ctx, plan); derr != nil {
			return Stack{}, plan, derr
		}
		if err == nil {
			err = ErrDeclined
		}
		return Stack{}, plan, err
	}
	st, err := c.Execute(ctx, plan, a.OnEvent)
	return st, plan, err
}

// upload puts a file at key unless an object of its size is there already
// (keys are content digests) and returns key.
func upload(ctx context.Context, st storage.Store, key, path string, log io.Writer) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if have, err := st.Stat(ctx, key); err == nil && have.Size == fi.Size() {
		if log != nil {
			fmt.Fprintf(log, "%s is uploaded already\n", storage.JoinURI(st.URI(), key))
		}
		return key, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if log != nil {
		fmt.Fprintf(log, "uploading %s (%.1f MB) to %s\n", filepath.Base(path), float64(fi.Size())/1e6, storage.JoinURI(st.URI(), key))
	}
	if err := st.Put(ctx, key, f); err != nil {
		return "", fmt.Errorf("upload %s: %w", filepath.Base(path), err)
	}
	return key, nil
}

// TemplateURL is the https address CloudFormation reads a template from.
func TemplateURL(bucket, region, key string) string {
	host := bucket + ".s3." + region + ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		host += ".cn"
	}
	return (&url.URL{Scheme: "https", Host: host, Path: "/" + key}).String()
}
