// Package s3store implements storage.Store on Amazon S3, or on any S3-compatible
// endpoint, with aws-sdk-go-v2.
//
// Credentials and region come from the SDK's default chain (environment, shared
// config and credentials files, SSO, IMDS), optionally narrowed to a profile.
// Keys live under an optional prefix in one bucket. Lists page lazily through
// ListObjectsV2, reads are ranged GETs, conditional writes use If-None-Match: *.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/storage"
)

// DefaultRegion is used when neither Options nor the environment name a region.
const DefaultRegion = "us-east-1"

// DefaultPartSize is the multipart part size Put uses when Options.PartSize is 0.
const DefaultPartSize = 8 << 20

// minPartSize is the smallest part S3 accepts (except for the last one).
const minPartSize = 5 << 20

// Options configure a Store.
type Options struct {
	Bucket string // required
	Prefix string // key prefix inside the bucket, with or without a trailing "/"

	// Config is an AWS configuration the caller loaded (the composition
	// root's); nil: New loads one with Profile and Region.
	Config *aws.Config

	Profile     string // shared config profile; empty: the default chain (AWS_PROFILE, default)
	Region      string // empty: from the environment or profile, else DefaultRegion
	EndpointURL string // S3-compatible endpoint, e.g. "http://127.0.0.1:7070"; implies path-style addressing

	// AccessKey and SecretKey, when both set, replace the default credential
	// chain with static credentials (tests, local gateways).
	AccessKey string
	SecretKey string

	// PageSize caps the keys per ListObjectsV2 page (MaxKeys); 0: server default (1000).
	PageSize int32
	// PartSize is the multipart part size for Put: a body longer than this is
	// sent as a multipart upload. 0: DefaultPartSize; at least 5 MiB.
	PartSize int64
	// S3Options are applied last to the S3 client options (HTTP client,
	// retryer, middleware).
	S3Options []func(*s3.Options)
}

// Store is a storage.Store on an S3 bucket and prefix. It is safe for concurrent use.
type Store struct {
	client   *s3.Client
	bucket   string
	prefix   string // "" or ending in "/"
	uri      string
	pageSize int32
	partSize int64
	hints    awserr.Hints // for explaining failures
}

var _ storage.Store = (*Store)(nil)

// New loads the AWS configuration (default credential chain, o.Profile,
// o.Region, AWS_ENDPOINT_URL[_S3]) and returns a store on o.Bucket/o.Prefix. It
// makes no request.
func New(ctx context.Context, o Options) (*Store, error) {
	var cfg aws.Config
	if o.Config != nil {
		cfg = *o.Config
	} else {
		var load []func(*config.LoadOptions) error
		if o.Profile != "" {
			load = append(load, config.WithSharedConfigProfile(o.Profile))
		}
		if o.Region != "" {
			load = append(load, config.WithRegion(o.Region))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, load...); err != nil {
			return nil, fmt.Errorf("s3 store %s: load AWS config: %w", bucketURI(o.Bucket, o.Prefix), awserr.Explain(err, awserr.Hints{Profile: o.Profile}))
		}
	}
	if cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != "" {
		// A custom endpoint from the environment: S3-compatible servers rarely
		// resolve virtual-hosted bucket names.
		o.S3Options = append([]func(*s3.Options){func(so *s3.Options) { so.UsePathStyle = true }}, o.S3Options...)
	}
	return NewFromConfig(cfg, o)
}

// NewFromConfig returns a store using cfg as loaded by the caller; o.Profile and
// o.Region are ignored (o.Region only fills an empty cfg.Region), while
// o.EndpointURL, o.AccessKey and o.SecretKey still apply.
func NewFromConfig(cfg aws.Config, o Options) (*Store, error) {
	uri := bucketURI(o.Bucket, o.Prefix)
	if o.Bucket == "" {
		return nil, errors.New("s3 store: no bucket")
	}
	prefix := strings.Trim(o.Prefix, "/")
	if prefix != "" {
		if err := storage.CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("s3 store %s: prefix: %w", uri, err)
		}
		prefix += "/"
	}
	if cfg.Region == "" {
		cfg.Region = o.Region
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if o.AccessKey != "" && o.SecretKey != "" {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, "")
	}
	partSize := o.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < minPartSize {
		return nil, fmt.Errorf("s3 store %s: part size %d is below the S3 minimum of 5 MiB", uri, partSize)
	}
	if o.PageSize < 0 {
		return nil, fmt.Errorf("s3 store %s: negative page size", uri)
	}
	var opts []func(*s3.Options)
	if o.EndpointURL != "" {
		u, err := url.Parse(o.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("s3 store %s: endpoint URL must be http(s)://host[:port], got %q", uri, redact(o.EndpointURL))
		}
		if u.User != nil {
			return nil, fmt.Errorf("s3 store %s: endpoint URL %q must not carry credentials", uri, redact(o.EndpointURL))
		}
		opts = append(opts, func(so *s3.Options) {
			so.BaseEndpoint = aws.String(o.EndpointURL)
			so.UsePathStyle = true
		})
	}
	opts = append(opts, o.S3Options...)
	return &Store{
		client:   s3.NewFromConfig(cfg, opts...),
		bucket:   o.Bucket,
		prefix:   prefix,
		uri:      uri,
		hints:    awserr.Hints{Profile: o.Profile},
		pageSize: o.PageSize,
		partSize: partSize,
	}, nil
}

// Client is the underlying S3 client.
func (s *Store) Client() *s3.Client { return s.client }

// Bucket is the store's bucket.
func (s *Store) Bucket() string { return s.bucket }

// URI is "s3://bucket" or "s3://bucket/prefix".
func (s *Store) URI() string { return s.uri }

func bucketURI(bucket, prefix string) string {
	if p := strings.Trim(prefix, "/"); p != "" {
		return "s3://" + bucket + "/" + p
	}
	return "s3://" + bucket
}

// redact hides a password in a URL's user info.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// full is the bucket key for a store key.
func (s *Store) full(key string) string { return s.prefix + key }

func (s *Store) fail(op, key string, err error) error {
	return &storage.Error{Op: op, URI: s.uri, Key: key, Err: awserr.Explain(err, s.hints)}
}

// check refuses a done context and invalid keys before any request.
func check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return storage.CheckKey(key)
}

// apiError extracts the S3 error code and HTTP status of an SDK error.
func apiError(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// isNotFound reports a missing key (not a missing bucket, not an unknown access key).
func isNotFound(err error) bool {
	code, status := apiError(err)
	return code == "NoSuchKey" || code == "NotFound" ||
		(status == 404 && code != "NoSuchBucket" && !awserr.IsCredentialCode(code))
}

// classify turns "no such key" into ErrNotExist and keeps other errors.
func classify(err error) error {
	if isNotFound(err) {
		return storage.ErrNotExist
	}
	return err
}
