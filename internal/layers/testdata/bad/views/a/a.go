// Package a is a view that imports the pipeline and another view.
package a

import (
	_ "github.com/lakeops/lakeops/etl/pipeline"
	_ "github.com/lakeops/lakeops/views/b"
)
