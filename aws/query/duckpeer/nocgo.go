//go:build !cgo

package duckpeer

import (
	"context"
	"errors"
	"io"
)

// Run refuses in a build without cgo, which has no DuckDB.
func Run(context.Context, []string, io.Writer) error {
	return errors.New("bench-duckdb: this build of lakeops has no DuckDB (built without cgo)")
}
