//go:build !cgo

package duckpeer

import (
	"context"
	"io"

	"github.com/lakeops/lakeops/aws/query/duck"
)

// Run refuses in a build without cgo, which has no DuckDB.
func Run(context.Context, []string, io.Writer) error { return duck.ErrNoEngine }
