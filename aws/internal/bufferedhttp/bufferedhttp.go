// Package bufferedhttp gives an AWS SDK client an HTTP client that sends
// each request with its body read into memory first, which closes a race
// between smithy-go and net/http on fast answers.
package bufferedhttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// client sends each request with its body read into memory first.
// smithy-go's client handler closes a request's body as soon as the
// response headers are in, while net/http's transport may still make its
// last read of the body (the check that nothing follows Content-Length);
// that read then fails, the transport closes the connection, and reading
// the response fails with "use of closed network connection". A fast
// answer loses the race (the protocol tests met it often); with a body the
// transport owns, it cannot happen. It suits small request bodies
// (CloudFormation's forms, Athena's, Glue's and Step Functions' JSON),
// not S3 uploads. With retries on, the SDK retries the closed connection
// (aws-sdk-go-v2#2737); the protocol tests run with one attempt.
type client struct{ next aws.HTTPClient }

func (c client) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.next.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	out.ContentLength = int64(len(b))
	return c.next.Do(out)
}

// Config wraps cfg's HTTP client (the SDK's default if none).
func Config(cfg aws.Config) aws.Config {
	next := cfg.HTTPClient
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	cfg.HTTPClient = client{next: next}
	return cfg
}
