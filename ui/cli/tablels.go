package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// tableSummary is one line of `table ls`.
type tableSummary struct {
	Name       string    `json:"name"`
	Location   string    `json:"location"`
	Version    int64     `json:"version"`
	Files      int       `json:"files"`
	Rows       *int64    `json:"rows"` // nil when a file has no numRecords stats
	SizeBytes  int64     `json:"size_bytes"`
	Partitions []string  `json:"partitions"`
	LastCommit time.Time `json:"last_commit"`
}

// tableLsCommand lists the lake's tables that exist: version, files, rows
// (from the files' stats), size, partitions and the time of the last commit.
func tableLsCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ls",
		Short:   "the lake's tables: version, files, rows, size, partitions, last commit",
		Example: "  lakeops table ls\n  lakeops --use prod table ls --format json | jq -r '.[].name'",
		Args:    noArgs,
	}
	out := addFormat(cmd, false, formatTable, formatJSON, formatJSONL, formatCSV)
	out.runE(func(cmd *cobra.Command, _ []string, format string) error {
		o, err := openOps(cmd.Context(), g)
		if err != nil {
			return err
		}
		found, err := o.LakeSummaries(cmd.Context())
		if err != nil {
			return err
		}
		sums := tableSummaries(found)
		return printList(env.Stdout, format, sums, func() error {
			tw := newTable(env.Stdout, "NAME", "VERSION", "FILES", "ROWS", "SIZE", "PARTITIONS", "LAST COMMIT", "LOCATION")
			for _, s := range sums {
				rows, parts, last := "?", "-", ""
				if s.Rows != nil {
					rows = textfmt.Count(*s.Rows)
				}
				if len(s.Partitions) > 0 {
					parts = textfmt.Sanitize(strings.Join(s.Partitions, ","))
				}
				if !s.LastCommit.IsZero() {
					last = textfmt.Time(s.LastCommit) // fixed width, as status and the console show it
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Version, textfmt.Count(int64(s.Files)), rows, textfmt.Bytes(s.SizeBytes), parts, last, textfmt.Sanitize(s.Location))
			}
			return tw.Flush()
		})
	})
	return cmd
}

// tableSummaries are the lake's table summaries as table ls and status
// print them (lists never nil, times in UTC).
func tableSummaries(found []ops.TableSummary) []tableSummary {
	sums := make([]tableSummary, 0, len(found))
	for _, t := range found {
		s := tableSummary{Name: t.Name, Location: t.Location, Version: t.Version, Files: t.Files,
			SizeBytes: t.SizeBytes, Partitions: t.Partitions, LastCommit: utc(t.LastCommit)}
		if s.Partitions == nil {
			s.Partitions = []string{}
		}
		if t.RowsKnown {
			s.Rows = &t.Rows
		}
		sums = append(sums, s)
	}
	return sums
}
