package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// newTable starts an aligned text table (two spaces between columns) with
// its header row; Flush writes it.
func newTable(w io.Writer, header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	return tw
}

// oneOf refuses a flag value that is not one of allowed.
func oneOf(name, value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return usagef("--%s must be %s, not %q", name, textfmt.OrList(allowed), value)
}

// Positional arguments: each check is a usage error that says what the
// command wants. Main names the command in front of every error (the one
// place the prefix is built), so a message starts with what is wrong.

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("takes no arguments, only flags (got %q)", args)
	}
	return nil
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("needs %s (got %s)", what, textfmt.Counted(int64(len(args)), "argument", "arguments"))
		}
		return nil
	}
}

func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("needs %s", what)
		}
		return nil
	}
}

func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("takes at most %s (got %q)", what, args)
		}
		return nil
	}
}
