package gwtest

import (
	"context"

	"github.com/lakeops/lakeops/internal/pinnedtool"
)

// toolPkg is versitygw's main package, a tool of the repository's tools
// module (tools/go.mod), which keeps test-only programs out of the lakeops
// module's dependency graph.
const toolPkg = "github.com/versity/versitygw/cmd/versitygw"

// Binary returns the path of a versitygw executable built from the version
// that tools/go.mod pins, built on first use into the user's cache by
// pinnedtool, so later test runs start at once.
func Binary(ctx context.Context) (string, error) { return pinnedtool.Binary(ctx, toolPkg) }
