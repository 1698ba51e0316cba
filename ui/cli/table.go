package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/etl/tabledump"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func tableCommand(g *Globals, env Env) *cobra.Command {
	return group(&cobra.Command{
		Use:   "table",
		Short: "the lake's Delta tables: list, read, history, register, maintain",
		Long: `Commands on Delta tables: the lake's (ls, register) and any table by URI (read, history,
and the maintenance: vacuum, optimize, clean-log, set-property) —
ours, Spark's, Databricks' or delta-rs' (reader 1–3 with column mapping, deletion vectors,
timestampNtz, v2 checkpoints).`,
		Example: `  lakeops table ls
  lakeops table read lake/silver_layer/orders --format jsonl | head
  lakeops table history s3://bucket/lake/silver_layer/order_items`,
	}, tableLsCommand(g, env), tableReadCommand(g, env), tableHistoryCommand(g, env), tableRegisterCommand(g, env),
		tableVacuumCommand(g, env), tableOptimizeCommand(g, env), tableCleanLogCommand(g, env), tableSetPropertyCommand(g, env))
}

// awsOptions are the global AWS settings for a store, with the root's AWS
// configuration (loaded once).
func (g *Globals) awsOptions() stores.AWSOptions {
	return stores.AWSOptions{Config: g.root.AWSConfig, Profile: g.Profile, Region: g.Region, EndpointURL: g.EndpointURL}
}

func openTable(ctx context.Context, g *Globals, arg string) (*delta.Table, error) {
	uri, err := tableURI(g, arg)
	if err != nil {
		return nil, err
	}
	store, err := stores.Open(ctx, uri, g.awsOptions())
	if err != nil {
		return nil, err
	}
	return delta.NewTable(store, ""), nil
}

func tableReadCommand(g *Globals, env Env) *cobra.Command {
	var version int64
	cmd := &cobra.Command{
		Use:   "read URI",
		Short: "print a Delta table's rows, at the latest or a given version",
		Long: `Prints the rows of the Delta table at URI (a folder, file://… or s3://bucket/prefix): a header
and one line a row in csv, or one JSON object a row keyed by column name in jsonl (timestamps in
RFC 3339 UTC, timestamp_ntz without a zone).`,
		Example: `  lakeops table read lake/silver_layer/orders
  lakeops table read s3://bucket/lake/silver_layer/orders --version 3 --format jsonl`,
		Args: exactArgs(1, "one table URI"),
	}
	cmd.Flags().Int64Var(&version, "version", -1, "read this version instead of the latest")
	out := addFormat(cmd, false, formatCSV, formatJSONL)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		if cmd.Flags().Changed("version") && version < 0 {
			return usagef("--version must be 0 or more, not %d", version)
		}
		ctx := cmd.Context()
		t, err := openTable(ctx, g, args[0])
		if err != nil {
			return err
		}
		snap, err := t.SnapshotAt(ctx, version)
		if err != nil {
			return err
		}
		dump := tabledump.CSV
		if format == formatJSONL {
			dump = tabledump.JSONL
		}
		return tabledump.Write(ctx, env.Stdout, snap, dump, tabledump.Options{})
	})
	return cmd
}

// historyEntry is one version of `table history`.
type historyEntry struct {
	Version     int64     `json:"version"`
	Timestamp   time.Time `json:"timestamp"`
	Operation   string    `json:"operation"`
	Parameters  any       `json:"operation_parameters"` // the commit's, as Delta names them
	Metrics     any       `json:"operation_metrics"`
	ReadVersion *int64    `json:"read_version"`
	Engine      string    `json:"engine_info"`
}

func tableHistoryCommand(g *Globals, env Env) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:     "history URI",
		Short:   "a Delta table's versions with time, operation and metrics",
		Example: "  lakeops table history lake/silver_layer/order_items --limit 5\n  lakeops table history lake/silver_layer/orders --format json | jq '.[0].operation'",
		Args:    exactArgs(1, "one table URI"),
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "show only the newest N versions (0: all)")
	out := addFormat(cmd, false, formatTable, formatJSON, formatJSONL, formatCSV)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		if limit < 0 {
			return usagef("--limit must be 0 (all) or more, not %d", limit)
		}
		ctx := cmd.Context()
		t, err := openTable(ctx, g, args[0])
		if err != nil {
			return err
		}
		hist, err := ops.History(ctx, t, limit)
		if err != nil {
			return err
		}
		list := make([]historyEntry, len(hist))
		for i, h := range hist {
			list[i] = historyEntry{Version: h.Version, Timestamp: utc(h.Timestamp), Operation: h.Operation, ReadVersion: h.ReadVersion,
				Engine: h.Engine, Parameters: emptyMap(h.Parameters), Metrics: emptyMap(h.Metrics)}
		}
		return printList(env.Stdout, format, list, func() error {
			tw := newTable(env.Stdout, "VERSION", "TIMESTAMP", "OPERATION", "METRICS")
			for _, h := range hist {
				ts := ""
				if !h.Timestamp.IsZero() {
					ts = h.Timestamp.Format(rowfmt.TimestampLayout)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", h.Version, ts, textfmt.Sanitize(h.Operation),
					textfmt.Sanitize(strings.Join(ops.Pairs(h.Metrics), " ")))
			}
			return tw.Flush()
		})
	})
	return cmd
}

// emptyMap is m, or an empty map for nil (JSON {} rather than null).
func emptyMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}
