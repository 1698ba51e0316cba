// Package ui is a shell that imports a view.
package ui

import _ "github.com/lakeops/lakeops/views/b"
