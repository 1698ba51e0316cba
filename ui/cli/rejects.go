package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

func runRejects(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("rejects", flag.ContinueOnError)
	ds := fs.String("dataset", "", "products, orders or order_items (default: all)")
	file := fs.String("file", "", "only rows of this raw file (lake key)")
	reason := fs.String("reason", "", "only rows with this reason code")
	open := fs.Bool("open", false, "only rows not resolved by a reprocess")
	format := fs.String("format", "table", "table, csv or json")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("rejects takes no arguments, only flags")
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usagef("--format must be table, csv or json, not %q", *format)
	}
	names, err := datasetNames(*ds)
	if err != nil {
		return err
	}
	lk, err := openLake(ctx, g, false)
	if err != nil {
		return err
	}
	f := rejects.Filter{Reason: *reason, Open: *open}
	if *file != "" {
		f.File = lakeKey(g, *file)
	}
	cols := []string{"dataset", "file", "line", "reasons", "status", "run_id", "rejected_at", "raw"}
	var out [][]any
	for _, name := range names {
		rows, err := rejects.Read(ctx, lk, name, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, []any{name, r.File, r.Line, strings.Join(r.Reasons, ";"), r.Status, r.RunID, r.RejectedAt, r.Raw})
		}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		for _, r := range out {
			obj := map[string]any{}
			for i, c := range cols {
				obj[c] = rowfmt.Text(r[i])
			}
			obj["line"] = r[2]
			obj["reasons"] = dataset.SplitReasons(r[3].(string))
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		w, err := rowfmt.NewCSV(env.Stdout, cols)
		if err != nil {
			return err
		}
		for _, r := range out {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATASET\tFILE\tLINE\tREASONS\tSTATUS\tRAW")
	for _, r := range out {
		raw := sanitize(r[7].(string))
		if len(raw) > 80 {
			raw = raw[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", r[0], sanitize(r[1].(string)), r[2], r[3], r[4], raw)
	}
	fmt.Fprintf(tw, "%d rows\n", len(out))
	return tw.Flush()
}

func datasetNames(ds string) ([]string, error) {
	if ds == "" {
		return []string{dataset.Products, dataset.Orders, dataset.OrderItems}, nil
	}
	if _, err := dataset.ByName(ds); err != nil {
		return nil, usagef("%v", err)
	}
	return []string{ds}, nil
}

func runReprocess(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("reprocess", flag.ContinueOnError)
	ds := fs.String("dataset", "", "products, orders or order_items (default: all)")
	file := fs.String("file", "", "only rows of this raw file (lake key)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("reprocess takes no arguments, only flags")
	}
	if _, err := datasetNames(*ds); err != nil {
		return err
	}
	lk, err := openLake(ctx, g, false)
	if err != nil {
		return err
	}
	opts := pipeline.ReprocessOptions{Dataset: *ds}
	if *file != "" {
		opts.File = lakeKey(g, *file)
	}
	res, err := pipeline.Reprocess(ctx, lk, opts)
	if *asJSON {
		if jerr := json.NewEncoder(env.Stdout).Encode(res); jerr != nil {
			return jerr
		}
	} else {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DATASET\tOPEN\tRESOLVED\tSTILL OPEN\tSKIPPED\tINSERTED\tUPDATED\tUNCHANGED")
		for _, r := range res {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r.Dataset, r.Open, r.Resolved, r.StillOpen, r.Skipped, r.Inserted, r.Updated, r.Unchanged)
		}
		if ferr := tw.Flush(); ferr != nil {
			return ferr
		}
	}
	return err
}
