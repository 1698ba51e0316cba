package s3store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/lakeops/lakeops/aws/storage"
)

// conflictRetries bounds the retries of a conditional put that S3 answered with
// 409 ConditionalRequestConflict (a concurrent conditional write in flight).
const conflictRetries = 5

// Stat describes the object at key (HeadObject).
func (s *Store) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	if err := check(ctx, key); err != nil {
		return storage.ObjectInfo{}, s.fail("stat", key, err)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.full(key))})
	if err != nil {
		return storage.ObjectInfo{}, s.fail("stat", key, classify(err))
	}
	return storage.ObjectInfo{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ModTime: aws.ToTime(out.LastModified),
		ETag:    strings.Trim(aws.ToString(out.ETag), `"`),
	}, nil
}

// Open streams length bytes of the object at key from offset (length < 0: to the
// end) with one ranged GetObject. A range past the end reads as empty.
func (s *Store) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := check(ctx, key); err != nil {
		return nil, s.fail("open", key, err)
	}
	if offset < 0 {
		return nil, s.fail("open", key, fmt.Errorf("negative offset %d", offset))
	}
	if length == 0 {
		if _, err := s.Stat(ctx, key); err != nil {
			return nil, s.fail("open", key, unwrapStoreError(err))
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.full(key))}
	switch {
	case length > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	case offset > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", offset))
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		if code, status := apiError(err); status == 416 || code == "InvalidRange" {
			// The object exists (else 404) but the range starts past its end.
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, s.fail("open", key, classify(err))
	}
	return &body{rc: out.Body, s: s, key: key}, nil
}

// body wraps an object stream so that read errors name the store and key.
type body struct {
	rc  io.ReadCloser
	s   *Store
	key string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.s.fail("read", b.key, err)
	}
	return n, err
}

func (b *body) Close() error { return b.rc.Close() }

// unwrapStoreError returns the cause inside a *storage.Error, to re-wrap it under
// another op.
func unwrapStoreError(err error) error {
	if se, ok := err.(*storage.Error); ok {
		return se.Err
	}
	return err
}

// PutIfAbsent creates the object only if the key does not exist (PutObject with
// If-None-Match: *): 412 Precondition Failed means another writer won
// (ErrExists); 409 ConditionalRequestConflict is retried with a short backoff.
// A 412 met by an SDK retry is checked against data (see landed), so a write
// whose answer was lost is not reported as ErrExists.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if err := check(ctx, key); err != nil {
		return s.fail("put-if-absent", key, err)
	}
	retried := false // an SDK retry: an earlier attempt may have landed
	for attempt := 0; ; attempt++ {
		var tries atomic.Int32
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        &s.bucket,
			Key:           aws.String(s.full(key)),
			Body:          bytes.NewReader(data),
			ContentLength: aws.Int64(int64(len(data))),
			IfNoneMatch:   aws.String("*"),
		}, countAttempts(&tries))
		if err == nil {
			return nil
		}
		retried = retried || tries.Load() > 1
		code, status := apiError(err)
		if status == 412 || code == "PreconditionFailed" {
			if retried {
				return s.landed(ctx, key, data)
			}
			return s.fail("put-if-absent", key, storage.ErrExists)
		}
		if (status == 409 || code == "ConditionalRequestConflict") && attempt < conflictRetries {
			wait := time.Duration(attempt+1)*50*time.Millisecond + rand.N(50*time.Millisecond)
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return s.fail("put-if-absent", key, ctx.Err())
			}
		}
		return s.fail("put-if-absent", key, classify(err))
	}
}

// landed settles a PutIfAbsent whose SDK retry met 412 Precondition Failed:
// an earlier attempt may have created the object and lost its answer (a 5xx
// or a dropped connection after S3 acted). If the object holds exactly data,
// that write is taken as ours and PutIfAbsent succeeds; reporting ErrExists
// would make a committer retry a commit that already landed. (Another writer
// with byte-identical data would also count as ours: harmless, the content is
// the same.) Otherwise another writer won: ErrExists.
func (s *Store) landed(ctx context.Context, key string, data []byte) error {
	got, err := storage.ReadAll(ctx, s, key)
	if err != nil {
		return s.fail("put-if-absent", key, fmt.Errorf("retried after a lost answer and the key now exists; cannot tell whether the write was ours: %w", unwrapStoreError(err)))
	}
	if bytes.Equal(got, data) {
		return nil
	}
	return s.fail("put-if-absent", key, storage.ErrExists)
}

// countAttempts counts the HTTP attempts (first try and retries) the SDK
// makes for one operation into n.
func countAttempts(n *atomic.Int32) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("lakeops.CountAttempts",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					n.Add(1)
					return next.HandleFinalize(ctx, in)
				}), "Retry", middleware.After)
		})
	}
}

// Copy copies src to dst server-side (CopyObject), replacing dst.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	if err := check(ctx, src); err != nil {
		return s.fail("copy", src, err)
	}
	if err := check(ctx, dst); err != nil {
		return s.fail("copy", src, fmt.Errorf("to %s: %w", dst, err))
	}
	_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     &s.bucket,
		Key:        aws.String(s.full(dst)),
		CopySource: aws.String(s.bucket + "/" + escapeKey(s.full(src))),
	})
	if err != nil {
		return s.fail("copy", src, fmt.Errorf("to %s: %w", dst, classify(err)))
	}
	return nil
}

// Delete removes the object at key; an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := check(ctx, key); err != nil {
		return s.fail("delete", key, err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.full(key))})
	if err != nil && !isNotFound(err) {
		return s.fail("delete", key, err)
	}
	return nil
}

// escapeKey percent-encodes a key for x-amz-copy-source: every byte but
// unreserved characters and '/'. ('+' must be encoded: servers may decode it
// as a space.)
func escapeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
