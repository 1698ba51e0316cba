package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func runRejects(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("rejects", flag.ContinueOnError)
	ds := fs.String("dataset", "", "products, orders or order_items (default: all)")
	file := fs.String("file", "", "only rows of this raw file (lake key)")
	reason := fs.String("reason", "", "only rows with this reason code")
	open := fs.Bool("open", false, "only rows not resolved by a reprocess")
	format := fs.String("format", "table", "table, csv (formula cells guarded) or json (one array)")
	if err := flagsOnly(fs, args); err != nil {
		return err
	}
	if err := oneOf("format", *format, "table", "csv", "json"); err != nil {
		return err
	}
	names, err := ops.DatasetNames(*ds)
	if err != nil {
		return usagef("%v", err)
	}
	o, err := openOps(ctx, g)
	if err != nil {
		return err
	}
	f := ops.RejectFilter{Reason: *reason, Open: *open}
	if *file != "" {
		f.File = lakeKey(g, *file)
	}
	if *format != "table" {
		rw, err := ops.NewRejectWriter(env.Stdout, *format)
		if err != nil {
			return err
		}
		for _, name := range names {
			rows, err := o.Rejects(ctx, name, f)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := rw.Write(name, r); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
		}
		return rw.Close()
	}
	tw := newTable(env.Stdout, "DATASET", "FILE", "LINE", "REASONS", "STATUS", "RAW")
	n := 0
	for _, name := range names {
		rows, err := o.Rejects(ctx, name, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			raw := textfmt.Sanitize(r.Raw)
			if len(raw) > 80 {
				raw = raw[:77] + "..."
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", name, textfmt.Sanitize(r.File), r.Line,
				textfmt.Sanitize(strings.Join(r.Reasons, ";")), r.Status, raw)
			n++
		}
	}
	fmt.Fprintf(tw, "%s\n", textfmt.Rows(int64(n)))
	return tw.Flush()
}

func runReprocess(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("reprocess", flag.ContinueOnError)
	ds := fs.String("dataset", "", "products, orders or order_items (default: all)")
	file := fs.String("file", "", "only rows of this raw file (lake key)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := flagsOnly(fs, args); err != nil {
		return err
	}
	if _, err := ops.DatasetNames(*ds); err != nil {
		return usagef("%v", err)
	}
	o, err := openOps(ctx, g)
	if err != nil {
		return err
	}
	opts := ops.ReprocessOptions{Dataset: *ds}
	if *file != "" {
		opts.File = lakeKey(g, *file)
	}
	res, err := o.Reprocess(ctx, opts)
	if *asJSON {
		if jerr := json.NewEncoder(env.Stdout).Encode(res); jerr != nil {
			return jerr
		}
	} else {
		tw := newTable(env.Stdout, "DATASET", "OPEN", "RESOLVED", "STILL OPEN", "SKIPPED", "INSERTED", "UPDATED", "UNCHANGED")
		for _, r := range res {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r.Dataset, r.Open, r.Resolved, r.StillOpen, r.Skipped, r.Inserted, r.Updated, r.Unchanged)
		}
		if ferr := tw.Flush(); ferr != nil {
			return ferr
		}
	}
	return err
}
