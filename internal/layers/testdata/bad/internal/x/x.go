// Package x is a helper that imports the operations layer.
package x

import _ "github.com/lakeops/lakeops/etl/ops"
