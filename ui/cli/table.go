package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/etl/tabledump"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func runTable(ctx context.Context, g *Globals, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("table needs a subcommand: ls | history URI | read URI | register | vacuum URI | optimize URI | clean-log URI | set-property URI KEY=VALUE")
	}
	switch args[0] {
	case "read":
		return tableRead(ctx, g, env, args[1:])
	case "history":
		return tableHistory(ctx, g, env, args[1:])
	case "ls":
		return tableLs(ctx, g, env, args[1:])
	case "register":
		return tableRegister(ctx, g, env, args[1:])
	case "vacuum":
		return tableVacuum(ctx, g, env, args[1:])
	case "optimize":
		return tableOptimize(ctx, g, env, args[1:])
	case "clean-log":
		return tableCleanLog(ctx, g, env, args[1:])
	case "set-property":
		return tableSetProperty(ctx, g, env, args[1:])
	}
	return usagef("unknown table subcommand %q (want ls, history, read, register, vacuum, optimize, clean-log or set-property)", args[0])
}

// awsOptions are the global AWS settings for a store, with the root's AWS
// configuration (loaded once).
func (g *Globals) awsOptions() stores.AWSOptions {
	return stores.AWSOptions{Config: g.root.AWSConfig, Profile: g.Profile, Region: g.Region, EndpointURL: g.EndpointURL}
}

func openTable(ctx context.Context, g *Globals, uri string) (*delta.Table, error) {
	store, err := stores.Open(ctx, uri, g.awsOptions())
	if err != nil {
		return nil, err
	}
	return delta.NewTable(store, ""), nil
}

func tableRead(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table read", flag.ContinueOnError)
	version := fs.Int64("version", -1, "read this version instead of the latest")
	format := fs.String("format", "csv", "output format: csv or jsonl")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("table read needs exactly one table URI")
	}
	if err := oneOf("format", *format, "csv", "jsonl"); err != nil {
		return err
	}
	t, err := openTable(ctx, g, pos[0])
	if err != nil {
		return err
	}
	snap, err := t.SnapshotAt(ctx, *version)
	if err != nil {
		return err
	}
	f := tabledump.CSV
	if *format == "jsonl" {
		f = tabledump.JSONL
	}
	return tabledump.Write(ctx, env.Stdout, snap, f, tabledump.Options{})
}

func tableHistory(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table history", flag.ContinueOnError)
	limit := fs.Int("limit", 0, "show only the newest N versions (0: all)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("table history needs exactly one table URI")
	}
	t, err := openTable(ctx, g, pos[0])
	if err != nil {
		return err
	}
	hist, err := ops.History(ctx, t, *limit)
	if err != nil {
		return err
	}
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
}
