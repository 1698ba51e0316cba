package athena

import (
	"testing"

	"github.com/lakeops/lakeops/aws/internal/awsfake"
)

// The shared fake AWS service (aws/internal/awsfake), under this package's
// short names.
type (
	reply       = awsfake.Reply
	fakeService = awsfake.Service
)

func newFakeService(t *testing.T, prefix string, script ...reply) *fakeService {
	t.Helper()
	return awsfake.New(t, prefix, "application/x-amz-json-1.1", script...)
}

func field(body map[string]any, path ...string) any { return awsfake.Field(body, path...) }
