//go:build !cgo

package duck

import (
	"context"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/lake"
)

// Engine stands in for the DuckDB engine in a build without cgo; Open never
// returns one.
type Engine struct{ query.Engine }

// Open refuses: this build has no DuckDB (see ErrNoEngine).
func Open(context.Context, *lake.Lake, Options) (*Engine, error) { return nil, ErrNoEngine }
