package s3store

import (
	"context"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakeops/lakeops/aws/storage"
)

// List yields the objects whose keys start with prefix, in key order, one
// ListObjectsV2 page per request, a request only when the caller has consumed
// the previous page. With opts.Delimited, common prefixes ("folders") come as
// IsPrefix entries merged into key order. Zero-byte "folder/" marker objects
// (made by consoles) are skipped, as a folder store has none.
func (s *Store) List(ctx context.Context, prefix string, opts storage.ListOptions) iter.Seq2[storage.ObjectInfo, error] {
	return func(yield func(storage.ObjectInfo, error) bool) {
		in := &s3.ListObjectsV2Input{Bucket: &s.bucket}
		if p := s.full(prefix); p != "" {
			in.Prefix = aws.String(p)
		}
		if opts.StartAfter != "" {
			in.StartAfter = aws.String(s.full(opts.StartAfter))
		}
		if opts.Delimited {
			in.Delimiter = aws.String("/")
		}
		if s.pageSize > 0 {
			in.MaxKeys = aws.Int32(s.pageSize)
		}
		pages := s3.NewListObjectsV2Paginator(s.client, in)
		for pages.HasMorePages() {
			if err := ctx.Err(); err != nil {
				yield(storage.ObjectInfo{}, s.fail("list", prefix, err))
				return
			}
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(storage.ObjectInfo{}, s.fail("list", prefix, classify(err)))
				return
			}
			if !s.yieldPage(page, yield) {
				return
			}
		}
	}
}

// yieldPage merges a page's objects and common prefixes (each sorted) in key order.
func (s *Store) yieldPage(page *s3.ListObjectsV2Output, yield func(storage.ObjectInfo, error) bool) bool {
	objs, dirs := page.Contents, page.CommonPrefixes
	for len(objs) > 0 || len(dirs) > 0 {
		if len(dirs) == 0 || (len(objs) > 0 && aws.ToString(objs[0].Key) < aws.ToString(dirs[0].Prefix)) {
			o := objs[0]
			objs = objs[1:]
			key, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			if !ok || key == "" || strings.HasSuffix(key, "/") {
				continue
			}
			info := storage.ObjectInfo{
				Key:     key,
				Size:    aws.ToInt64(o.Size),
				ModTime: aws.ToTime(o.LastModified),
				ETag:    strings.Trim(aws.ToString(o.ETag), `"`),
			}
			if !yield(info, nil) {
				return false
			}
			continue
		}
		d := dirs[0]
		dirs = dirs[1:]
		key, ok := strings.CutPrefix(aws.ToString(d.Prefix), s.prefix)
		if !ok || key == "" {
			continue
		}
		if !yield(storage.ObjectInfo{Key: key, IsPrefix: true}, nil) {
			return false
		}
	}
	return true
}
