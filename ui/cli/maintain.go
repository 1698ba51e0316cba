package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// The table maintenance commands: thin adapters over delta.Table's
// Vacuum, Optimize, CleanupLog and SetProperties. Each refuses under
// --read-only before it touches the table.

// maintenanceTable parses a maintenance command's flags and its one URI,
// refuses --read-only and opens the table.
func maintenanceTable(ctx context.Context, g *Globals, fs *flag.FlagSet, args []string) (*delta.Table, []string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if g.ReadOnly {
		return nil, nil, fmt.Errorf("%s: %w", fs.Name(), lake.ErrReadOnly)
	}
	if len(pos) < 1 {
		return nil, nil, usagef("%s needs a table URI", fs.Name())
	}
	t, err := openTable(ctx, g, pos[0])
	if err != nil {
		return nil, nil, err
	}
	return t, pos[1:], nil
}

func tableVacuum(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table vacuum", flag.ContinueOnError)
	retain := fs.Float64("retain", -1, "keep removed and unreferenced files this many hours (default: the table's delta.deletedFileRetentionDuration, else 168)")
	dryRun := fs.Bool("dry-run", false, "list the files without deleting them")
	force := fs.Bool("force", false, "allow a retention shorter than the table's (time travel to the versions in between breaks)")
	t, rest, err := maintenanceTable(ctx, g, fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("table vacuum takes one table URI")
	}
	opts := delta.VacuumOptions{DryRun: *dryRun, Force: *force}
	if *retain >= 0 {
		if math.IsInf(*retain, 0) || *retain > 100*365*24 {
			return usagef("--retain %v hours is out of range", *retain)
		}
		d := time.Duration(*retain * float64(time.Hour))
		opts.Retention = &d
	} else if *retain != -1 {
		return usagef("--retain must be at least 0 hours, not %v", *retain)
	}
	res, err := t.Vacuum(ctx, opts)
	if res != nil {
		verb := "deleted"
		if res.DryRun {
			verb = "would delete"
		}
		for _, f := range res.Files {
			fmt.Fprintf(env.Stdout, "%s %s (%s)\n", verb, textfmt.Sanitize(f.Path), textfmt.Bytes(f.Size))
		}
		fmt.Fprintf(env.Stdout, "vacuum %s at version %d: %s %d files, %s (retention %s: removed or unreferenced before %s)\n",
			textfmt.Sanitize(t.URI()), res.Version, verb, len(res.Files), textfmt.Bytes(res.Bytes), delta.FormatInterval(res.Retention), res.Cutoff.UTC().Format(rowfmt.TimestampLayout))
	}
	var re *delta.RetentionError
	if errors.As(err, &re) {
		return fmt.Errorf("%w; pass --force to delete anyway", err)
	}
	return err
}

func tableOptimize(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table optimize", flag.ContinueOnError)
	target := fs.Float64("target-size", delta.DefaultTargetFileSize>>20, "pack small files into files of about this many MB (MiB)")
	t, rest, err := maintenanceTable(ctx, g, fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("table optimize takes one table URI")
	}
	if !(*target > 0) || *target > 1<<20 {
		return usagef("--target-size must be between 0 and 1048576 MB, not %v", *target)
	}
	res, err := t.Optimize(ctx, delta.OptimizeOptions{TargetSize: int64(*target * (1 << 20))})
	if err != nil {
		return err
	}
	if res.Version < 0 {
		fmt.Fprintf(env.Stdout, "optimize %s: nothing to pack (no partition has two files under %v MB)\n", textfmt.Sanitize(t.URI()), *target)
		return nil
	}
	fmt.Fprintf(env.Stdout, "optimize %s: packed %d files (%s) into %d (%s) in %d partitions, %d rows; version %d (dataChange false)\n",
		textfmt.Sanitize(t.URI()), res.FilesRemoved, textfmt.Bytes(res.BytesRemoved), res.FilesAdded, textfmt.Bytes(res.BytesAdded),
		len(res.Partitions), res.RowsRewritten, res.Version)
	if res.Attempts > 1 {
		fmt.Fprintf(env.Stdout, "optimize: concurrent commits conflicted; planned %d times\n", res.Attempts)
	}
	if res.CheckpointErr != nil {
		fmt.Fprintf(env.Stderr, "lakeops table optimize: %s\n", oneLine(res.CheckpointErr.Error()))
	}
	return nil
}

func tableCleanLog(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table clean-log", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "list the expired log files without deleting them")
	t, rest, err := maintenanceTable(ctx, g, fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("table clean-log takes one table URI")
	}
	res, err := t.CleanupLog(ctx, delta.LogCleanupOptions{DryRun: *dryRun})
	if res != nil {
		verb := "deleted"
		if res.DryRun {
			verb = "would delete"
		}
		for _, f := range res.Files {
			fmt.Fprintf(env.Stdout, "%s %s/%s\n", verb, delta.LogDir, f.Name)
		}
		fmt.Fprintf(env.Stdout, "clean-log %s: %s %d log files (retention %s: versions before the newest checkpoint older than %s)\n",
			textfmt.Sanitize(t.URI()), verb, len(res.Files), delta.FormatInterval(res.Retention), res.Cutoff.UTC().Format(rowfmt.TimestampLayout))
	}
	return err
}

func tableSetProperty(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table set-property", flag.ContinueOnError)
	var unset []string
	fs.Func("unset", "remove this table property (repeatable)", func(k string) error { unset = append(unset, k); return nil })
	t, rest, err := maintenanceTable(ctx, g, fs, args)
	if err != nil {
		return err
	}
	set := map[string]string{}
	for _, kv := range rest {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usagef("table set-property wants KEY=VALUE, not %q", kv)
		}
		set[k] = v
	}
	if len(set) == 0 && len(unset) == 0 {
		return usagef("table set-property needs KEY=VALUE or --unset KEY")
	}
	v, err := t.SetProperties(ctx, set, unset)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		fmt.Fprintf(env.Stdout, "set %s=%s\n", textfmt.Sanitize(k), textfmt.Sanitize(set[k]))
	}
	for _, k := range unset {
		fmt.Fprintf(env.Stdout, "unset %s\n", textfmt.Sanitize(k))
	}
	fmt.Fprintf(env.Stdout, "%s: version %d\n", textfmt.Sanitize(t.URI()), v)
	return nil
}
