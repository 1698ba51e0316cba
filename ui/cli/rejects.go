package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
)

func rejectsCommand(g *Globals, env Env) *cobra.Command {
	var ds, file, reason string
	var open bool
	cmd := &cobra.Command{
		Use:   "rejects",
		Short: "rejected rows with file, line, raw text and every reason",
		Long: `Lists the rows the pipeline rejected, with the raw file, the line, the raw text and every reason
code. csv guards formula cells; json is one array and jsonl one object a line — the shapes the
console's Rejects export writes.`,
		Example: `  lakeops rejects --dataset order_items --reason superseded
  lakeops rejects --open --format csv > open-rejects.csv
  lakeops rejects --format jsonl | jq -r .reasons[]`,
		Args: noArgs,
	}
	f := cmd.Flags()
	f.StringVar(&ds, "dataset", "", "products, orders or order_items (default: all)")
	f.StringVar(&file, "file", "", "only rows of this raw file (lake key)")
	f.StringVar(&reason, "reason", "", "only rows with this reason code (e.g. malformed, required:order_id, superseded)")
	f.BoolVar(&open, "open", false, "only open rows (not resolved by a reprocess, nor replaced by a later version of their file)")
	out := addFormat(cmd, false, formatTable, formatCSV, formatJSON, formatJSONL)
	_ = cmd.RegisterFlagCompletionFunc("dataset", cobra.FixedCompletions(ops.Datasets(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("reason", cobra.FixedCompletions(ops.ReasonCodes(ops.Datasets()), cobra.ShellCompDirectiveNoFileComp))
	out.runE(func(cmd *cobra.Command, _ []string, format string) error {
		names, err := ops.DatasetNames(ds)
		if err != nil {
			return usagef("%v", err)
		}
		if err := ops.CheckReason(reason, names); err != nil {
			return usagef("%v", err)
		}
		ctx := cmd.Context()
		o, err := openOps(ctx, g)
		if err != nil {
			return err
		}
		flt := ops.RejectFilter{Reason: reason, Open: open}
		if file != "" {
			if flt.File, err = loggedRawFile(ctx, o, g, file); err != nil {
				return err
			}
		}
		if format != formatTable {
			rw, err := ops.NewRejectWriter(env.Stdout, format)
			if err != nil {
				return err
			}
			for _, name := range names {
				rows, err := o.Rejects(ctx, name, flt)
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
			rows, err := o.Rejects(ctx, name, flt)
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
	})
	return cmd
}

func reprocessCommand(g *Globals, env Env) *cobra.Command {
	var opts ops.ReprocessOptions
	var file string
	cmd := &cobra.Command{
		Use:   "reprocess",
		Short: "retry open rejected rows against the current tables",
		Long: `Re-checks the open rejected rows against the rules and the current tables, MERGEs those that
now pass (a late product makes its order items valid) and marks them resolved. Nothing is deleted.`,
		Example: `  lakeops reprocess --dataset order_items
  lakeops reprocess --file bronze_layer/order_items/order_items_2025_04_01.csv --json`,
		Args: noArgs,
	}
	cmd.Flags().StringVar(&opts.Dataset, "dataset", "", "products, orders or order_items (default: all)")
	cmd.Flags().StringVar(&file, "file", "", "only rows of this raw file (lake key)")
	out := addFormat(cmd, true, formatTable, formatJSON, formatJSONL, formatCSV)
	out.runE(func(cmd *cobra.Command, _ []string, format string) error {
		if _, err := ops.DatasetNames(opts.Dataset); err != nil {
			return usagef("%v", err)
		}
		ctx := cmd.Context()
		o, err := openOps(ctx, g)
		if err != nil {
			return err
		}
		if file != "" {
			if opts.File, err = loggedRawFile(ctx, o, g, file); err != nil {
				return err
			}
		}
		res, err := o.Reprocess(ctx, opts)
		for i := range res {
			if res[i].RejectedByReason == nil {
				res[i].RejectedByReason = map[string]int64{}
			}
		}
		if perr := printList(env.Stdout, format, res, func() error {
			tw := newTable(env.Stdout, "DATASET", "OPEN", "RESOLVED", "STILL OPEN", "SKIPPED", "INSERTED", "UPDATED", "UNCHANGED")
			for _, r := range res {
				c := textfmt.Count
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Dataset, c(r.Open), c(r.Resolved), c(r.StillOpen), c(r.Skipped),
					c(r.Inserted), c(r.Updated), c(r.Unchanged))
			}
			return tw.Flush()
		}); perr != nil {
			return perr
		}
		return err
	})
	return cmd
}

// loggedRawFile is a --file argument as a lake key that the ingest log
// records (no other file can have rejected rows); another is a usage error
// naming the nearest recorded key.
func loggedRawFile(ctx context.Context, o *ops.Ops, g *Globals, arg string) (string, error) {
	key, err := lakeKey(g, arg)
	if err != nil {
		return "", err
	}
	runs, err := o.RunHistory(ctx)
	if err != nil {
		return "", err
	}
	var keys []string
	for _, r := range runs {
		for _, f := range r.Files {
			if f.File == key {
				return key, nil
			}
			if !slices.Contains(keys, f.File) {
				keys = append(keys, f.File)
			}
		}
	}
	near := ""
	if n := textfmt.Nearest(key, keys, 3); n != "" {
		near = fmt.Sprintf(" (did you mean %q?)", n)
	}
	return "", usagef("--file %s: no run has read that raw file%s; name a lake key the ingest log records, as 'lakeops rejects' lists them", textfmt.Sanitize(key), near)
}
