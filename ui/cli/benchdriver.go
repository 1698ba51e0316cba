//go:build cgo

package cli

import _ "github.com/duckdb/duckdb-go/v2" // the DuckDB driver of bench's comparison (cgo builds only)
