// Package ops is the operations layer.
package ops
