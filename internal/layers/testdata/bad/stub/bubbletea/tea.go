// Package tea stands in for Bubble Tea.
package tea
