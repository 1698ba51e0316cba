package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/rowfmt"
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

// tableLs lists the lake's tables that exist: version, files, rows (from
// the files' stats), size, partitions and the time of the last commit.
func tableLs(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table ls", flag.ContinueOnError)
	format := fs.String("format", "table", "output format: table or json (one object per line)")
	if err := flagsOnly(fs, args); err != nil {
		return err
	}
	if err := oneOf("format", *format, "table", "json"); err != nil {
		return err
	}
	o, err := openOps(ctx, g)
	if err != nil {
		return err
	}
	found, err := o.LakeSummaries(ctx)
	if err != nil {
		return err
	}
	sums := make([]*tableSummary, len(found))
	for i, t := range found {
		sums[i] = &tableSummary{Name: t.Name, Location: t.Location, Version: t.Version, Files: t.Files,
			SizeBytes: t.SizeBytes, Partitions: t.Partitions, LastCommit: t.LastCommit}
		if t.RowsKnown {
			sums[i].Rows = &t.Rows
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(env.Stdout)
		for _, s := range sums {
			if s == nil {
				continue
			}
			if err := enc.Encode(s); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		return nil
	}
	tw := newTable(env.Stdout, "NAME", "VERSION", "FILES", "ROWS", "SIZE", "PARTITIONS", "LAST COMMIT", "LOCATION")
	for _, s := range sums {
		if s == nil {
			continue
		}
		rows, parts, last := "?", "-", ""
		if s.Rows != nil {
			rows = fmt.Sprint(*s.Rows)
		}
		if len(s.Partitions) > 0 {
			parts = textfmt.Sanitize(strings.Join(s.Partitions, ","))
		}
		if !s.LastCommit.IsZero() {
			last = s.LastCommit.UTC().Format(rowfmt.TimestampLayout)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Version, s.Files, rows, textfmt.Bytes(s.SizeBytes), parts, last, textfmt.Sanitize(s.Location))
	}
	return tw.Flush()
}
