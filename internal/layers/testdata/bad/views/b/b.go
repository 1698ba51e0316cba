// Package b is a view.
package b
