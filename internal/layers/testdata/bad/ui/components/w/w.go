// Package wrongname sits in folder w.
package wrongname
