package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxParts is the S3 limit on parts per multipart upload.
const maxParts = 10000

// Put creates or replaces the object at key. A body that fits in one part is
// sent with one PutObject; a longer one (of unknown length) streams as a
// multipart upload, one buffered part at a time, aborted on failure. Either way
// the object appears atomically when the upload completes.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := check(ctx, key); err != nil {
		return s.fail("put", key, err)
	}
	first, err := io.ReadAll(io.LimitReader(r, s.partSize))
	if err != nil {
		return s.fail("put", key, fmt.Errorf("read body: %w", err))
	}
	if int64(len(first)) == s.partSize {
		var one [1]byte
		n, err := io.ReadFull(r, one[:])
		if n == 1 {
			if err := s.multipart(ctx, key, first, io.MultiReader(bytes.NewReader(one[:]), r)); err != nil {
				return s.fail("put", key, err)
			}
			return nil
		}
		if err != io.EOF {
			return s.fail("put", key, fmt.Errorf("read body: %w", err))
		}
	}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           aws.String(s.full(key)),
		Body:          bytes.NewReader(first),
		ContentLength: aws.Int64(int64(len(first))),
	})
	if err != nil {
		return s.fail("put", key, classify(err))
	}
	return nil
}

// multipart uploads first (a full part) and then rest, part by part.
func (s *Store) multipart(ctx context.Context, key string, first []byte, rest io.Reader) (err error) {
	full := aws.String(s.full(key))
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:            &s.bucket,
		Key:               full,
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return fmt.Errorf("create multipart upload: %w", classify(err))
	}
	defer func() {
		if err == nil {
			return
		}
		// Abort even when ctx is done, so no parts are left billed.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, aerr := s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
			Bucket: &s.bucket, Key: full, UploadId: up.UploadId,
		}); aerr != nil {
			err = errors.Join(err, fmt.Errorf("abort multipart upload: %w", aerr))
		}
	}()
	var parts []types.CompletedPart
	buf := first
	for num := int32(1); len(buf) > 0; num++ {
		if num > maxParts {
			return fmt.Errorf("body exceeds %d parts of %d bytes", maxParts, s.partSize)
		}
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket:            &s.bucket,
			Key:               full,
			UploadId:          up.UploadId,
			PartNumber:        aws.Int32(num),
			Body:              bytes.NewReader(buf),
			ContentLength:     aws.Int64(int64(len(buf))),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			return fmt.Errorf("upload part %d: %w", num, err)
		}
		parts = append(parts, types.CompletedPart{
			PartNumber:    aws.Int32(num),
			ETag:          out.ETag,
			ChecksumCRC32: out.ChecksumCRC32,
		})
		n, err := io.ReadFull(rest, first)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return fmt.Errorf("read body: %w", err)
		}
		buf = first[:n]
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          &s.bucket,
		Key:             full,
		UploadId:        up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload: %w", err)
	}
	return nil
}
