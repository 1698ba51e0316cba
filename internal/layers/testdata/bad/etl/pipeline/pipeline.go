// Package pipeline is a back-end package.
package pipeline
