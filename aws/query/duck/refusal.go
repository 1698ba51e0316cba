package duck

import "errors"

// ErrNoEngine is what Open returns in a build without cgo (CGO_ENABLED=0,
// the static worker binary): the embedded DuckDB engine is linked through
// cgo, so such a build has none. Athena stays available.
var ErrNoEngine = errors.New("the embedded DuckDB engine is not in this build of lakeops (built with CGO_ENABLED=0, e.g. the Lambda/ECS worker); use Athena (--aws, query --engine athena) or a lakeops built with cgo")
