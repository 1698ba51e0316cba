// Package s is an AWS adapter that imports the operations layer.
package s

import _ "github.com/lakeops/lakeops/etl/ops"
