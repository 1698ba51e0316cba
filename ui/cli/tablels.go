package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/rowfmt"
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
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("table ls takes no arguments, only flags")
	}
	if *format != "table" && *format != "json" {
		return usagef("--format must be table or json, not %q", *format)
	}
	lk, err := openLake(ctx, g, false)
	if err != nil {
		return err
	}
	tables := duck.LakeTables(lk)
	sums := make([]*tableSummary, len(tables))
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(8)
	for i, lt := range tables {
		eg.Go(func() error {
			s, err := summarize(gctx, lt)
			sums[i] = s
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return err
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
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tFILES\tROWS\tSIZE\tPARTITIONS\tLAST COMMIT\tLOCATION")
	for _, s := range sums {
		if s == nil {
			continue
		}
		rows, parts, last := "?", "-", ""
		if s.Rows != nil {
			rows = fmt.Sprint(*s.Rows)
		}
		if len(s.Partitions) > 0 {
			parts = sanitize(strings.Join(s.Partitions, ","))
		}
		if !s.LastCommit.IsZero() {
			last = s.LastCommit.UTC().Format(rowfmt.TimestampLayout)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Version, s.Files, rows, humanBytes(s.SizeBytes), parts, last, sanitize(s.Location))
	}
	return tw.Flush()
}

// summarize reads one table's latest snapshot; nil when the table does not exist.
func summarize(ctx context.Context, lt duck.LakeTable) (*tableSummary, error) {
	snap, err := lt.Table.Snapshot(ctx)
	if errors.Is(err, delta.ErrNotATable) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", lt.Name, err)
	}
	s := &tableSummary{Name: lt.Name, Location: lt.Table.URI(), Version: snap.Version(),
		Partitions: append([]string{}, snap.PartitionColumns()...), LastCommit: snap.CommitTime}
	var rows int64
	known := true
	for _, a := range snap.Files() {
		s.Files++
		s.SizeBytes += a.Size
		st, err := delta.ParseStats(a.Stats)
		if a.Stats == "" || err != nil {
			known = false
			continue
		}
		rows += st.NumRecords
	}
	if known {
		s.Rows = &rows
	}
	hist, err := lt.Table.History(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("table %s: history: %w", lt.Name, err)
	}
	if len(hist) > 0 && !hist[0].Timestamp.IsZero() {
		s.LastCommit = hist[0].Timestamp
	}
	return s, nil
}

// humanBytes renders a byte count: 512 B, 1.5 KiB, 3.2 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
