package cli

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// The table maintenance commands: thin adapters over delta.Table's
// Vacuum, Optimize, CleanupLog and SetProperties. Each refuses under
// --read-only before it touches the table.

// maintenanceTable refuses --read-only and opens the command's table.
func maintenanceTable(cmd *cobra.Command, g *Globals, uri string) (*delta.Table, error) {
	if g.ReadOnly {
		return nil, lake.ErrReadOnly
	}
	return openTable(cmd.Context(), g, uri)
}

// maintainedFile is a data or log file a maintenance command deleted (or
// would delete).
type maintainedFile struct {
	Path      string `json:"path"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
}

// cleanupOut is what vacuum and clean-log print with --format json.
type cleanupOut struct {
	Table     string           `json:"table"`
	Version   int64            `json:"version,omitempty"` // vacuum: the version whose references were kept
	DryRun    bool             `json:"dry_run"`
	Retention string           `json:"retention"` // as Delta writes an interval: "interval 7 days"
	Cutoff    time.Time        `json:"cutoff"`
	Files     []maintainedFile `json:"files"`
	Bytes     int64            `json:"bytes,omitempty"`
}

func tableVacuumCommand(g *Globals, env Env) *cobra.Command {
	var retain float64
	var dryRun, force bool
	cmd := &cobra.Command{
		Use:   "vacuum URI",
		Short: "delete data files no version inside the retention needs",
		Long: `Deletes the data files the latest version no longer references and that are older than the
retention (default: the table's delta.deletedFileRetentionDuration, else 7 days), listing each.
A retention under the table's is refused without --force. Files removed inside the retention,
the log and hidden files stay, so time travel inside the retention still reads.`,
		Example: "  lakeops table vacuum lake/silver_layer/orders --dry-run\n  lakeops table vacuum lake/silver_layer/orders --retain 24 --force --json",
		Args:    exactArgs(1, "one table URI"),
	}
	f := cmd.Flags()
	f.Float64Var(&retain, "retain", -1, "keep removed and unreferenced files this many hours (default: the table's delta.deletedFileRetentionDuration, else 168)")
	f.BoolVar(&dryRun, "dry-run", false, "list the files without deleting them")
	f.BoolVar(&force, "force", false, "allow a retention shorter than the table's (time travel to the versions in between breaks)")
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		opts := delta.VacuumOptions{DryRun: dryRun, Force: force}
		if retain >= 0 {
			if math.IsInf(retain, 0) || retain > 100*365*24 {
				return usagef("--retain %v hours is out of range", retain)
			}
			d := time.Duration(retain * float64(time.Hour))
			opts.Retention = &d
		} else if retain != -1 || cmd.Flags().Changed("retain") {
			return usagef("--retain must be at least 0 hours, not %v", retain)
		}
		t, err := maintenanceTable(cmd, g, args[0])
		if err != nil {
			return err
		}
		res, err := t.Vacuum(cmd.Context(), opts)
		if res != nil {
			o := cleanupOut{Table: t.URI(), Version: res.Version, DryRun: res.DryRun, Retention: delta.FormatInterval(res.Retention),
				Cutoff: utc(res.Cutoff), Files: []maintainedFile{}, Bytes: res.Bytes}
			for _, f := range res.Files {
				o.Files = append(o.Files, maintainedFile{Path: f.Path, SizeBytes: f.Size})
			}
			if perr := printCleanup(env, format, "vacuum", o); perr != nil {
				return perr
			}
		}
		var re *delta.RetentionError
		if errors.As(err, &re) {
			return fmt.Errorf("%w; pass --force to delete anyway", err)
		}
		return err
	})
	return cmd
}

// printCleanup prints what vacuum or clean-log deleted.
func printCleanup(env Env, format, what string, o cleanupOut) error {
	if format == formatJSON {
		return writeJSON(env.Stdout, o)
	}
	verb := "deleted"
	if o.DryRun {
		verb = "would delete"
	}
	for _, f := range o.Files {
		if what == "vacuum" {
			fmt.Fprintf(env.Stdout, "%s %s (%s)\n", verb, textfmt.Sanitize(f.Path), textfmt.Bytes(f.SizeBytes))
		} else {
			fmt.Fprintf(env.Stdout, "%s %s\n", verb, textfmt.Sanitize(f.Path))
		}
	}
	cutoff := o.Cutoff.Format(rowfmt.TimestampLayout)
	if what == "vacuum" {
		fmt.Fprintf(env.Stdout, "vacuum %s at version %d: %s %s, %s (retention %s: removed or unreferenced before %s)\n",
			textfmt.Sanitize(o.Table), o.Version, verb, textfmt.Counted(int64(len(o.Files)), "file", "files"), textfmt.Bytes(o.Bytes), o.Retention, cutoff)
	} else {
		fmt.Fprintf(env.Stdout, "clean-log %s: %s %s (retention %s: versions before the newest checkpoint older than %s)\n",
			textfmt.Sanitize(o.Table), verb, textfmt.Counted(int64(len(o.Files)), "log file", "log files"), o.Retention, cutoff)
	}
	return nil
}

// optimizeOut is what optimize prints with --format json.
type optimizeOut struct {
	Table         string   `json:"table"`
	Version       int64    `json:"version"` // -1: nothing to pack
	FilesRemoved  int      `json:"files_removed"`
	BytesRemoved  int64    `json:"bytes_removed"`
	FilesAdded    int      `json:"files_added"`
	BytesAdded    int64    `json:"bytes_added"`
	Partitions    []string `json:"partitions"`
	RowsRewritten int64    `json:"rows_rewritten"`
	Attempts      int      `json:"attempts"`
}

func tableOptimizeCommand(g *Globals, env Env) *cobra.Command {
	var target float64
	cmd := &cobra.Command{
		Use:   "optimize URI",
		Short: "bin-pack small files per partition",
		Long: `Packs small files per partition into files near the target size, in one commit with
dataChange false (readers and the ingest log see no change of content); a concurrent commit that
touched a packed file makes it re-plan (up to 5 times).`,
		Example: "  lakeops table optimize lake/silver_layer/order_items\n  lakeops table optimize s3://bucket/lake/silver_layer/order_items --target-size 256 --json",
		Args:    exactArgs(1, "one table URI"),
	}
	cmd.Flags().Float64Var(&target, "target-size", delta.DefaultTargetFileSize>>20, "pack small files into files of about this many MB (MiB)")
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		if !(target > 0) || target > 1<<20 {
			return usagef("--target-size must be between 0 and 1048576 MB, not %v", target)
		}
		t, err := maintenanceTable(cmd, g, args[0])
		if err != nil {
			return err
		}
		res, err := t.Optimize(cmd.Context(), delta.OptimizeOptions{TargetSize: int64(target * (1 << 20))})
		if err != nil {
			return err
		}
		if res.CheckpointErr != nil {
			fmt.Fprintf(env.Stderr, "lakeops table optimize: %s\n", oneLine(res.CheckpointErr.Error()))
		}
		if format == formatJSON {
			o := optimizeOut{Table: t.URI(), Version: res.Version, FilesRemoved: res.FilesRemoved, BytesRemoved: res.BytesRemoved,
				FilesAdded: res.FilesAdded, BytesAdded: res.BytesAdded, Partitions: res.Partitions, RowsRewritten: res.RowsRewritten,
				Attempts: res.Attempts}
			if o.Partitions == nil {
				o.Partitions = []string{}
			}
			return writeJSON(env.Stdout, o)
		}
		if res.Version < 0 {
			fmt.Fprintf(env.Stdout, "optimize %s: nothing to pack (no partition has two files under %v MB)\n", textfmt.Sanitize(t.URI()), target)
			return nil
		}
		c := textfmt.Count
		fmt.Fprintf(env.Stdout, "optimize %s: packed %s files (%s) into %s (%s) in %s, %s; version %d (dataChange false)\n",
			textfmt.Sanitize(t.URI()), c(int64(res.FilesRemoved)), textfmt.Bytes(res.BytesRemoved), c(int64(res.FilesAdded)), textfmt.Bytes(res.BytesAdded),
			textfmt.Counted(int64(len(res.Partitions)), "partition", "partitions"), textfmt.Rows(res.RowsRewritten), res.Version)
		if res.Attempts > 1 {
			fmt.Fprintf(env.Stdout, "optimize: concurrent commits conflicted; planned %d times\n", res.Attempts)
		}
		return nil
	})
	return cmd
}

func tableCleanLogCommand(g *Globals, env Env) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "clean-log URI",
		Short: "delete expired commits and checkpoints (Delta's metadata cleanup)",
		Long: `Deletes the commits and checkpoints older than delta.logRetentionDuration (default 30 days)
before the newest checkpoint, as the Delta protocol's metadata cleanup does; this also runs
after every checkpoint unless delta.enableExpiredLogCleanup=false.`,
		Example: "  lakeops table clean-log lake/silver_layer/orders --dry-run",
		Args:    exactArgs(1, "one table URI"),
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the expired log files without deleting them")
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		t, err := maintenanceTable(cmd, g, args[0])
		if err != nil {
			return err
		}
		res, err := t.CleanupLog(cmd.Context(), delta.LogCleanupOptions{DryRun: dryRun})
		if res != nil {
			o := cleanupOut{Table: t.URI(), DryRun: res.DryRun, Retention: delta.FormatInterval(res.Retention), Cutoff: utc(res.Cutoff),
				Files: []maintainedFile{}}
			for _, f := range res.Files {
				o.Files = append(o.Files, maintainedFile{Path: delta.LogDir + "/" + f.Name})
			}
			if perr := printCleanup(env, format, "clean-log", o); perr != nil {
				return perr
			}
		}
		return err
	})
	return cmd
}

// propertiesOut is what set-property prints with --format json.
type propertiesOut struct {
	Table   string            `json:"table"`
	Version int64             `json:"version"`
	Set     map[string]string `json:"set"`
	Unset   []string          `json:"unset"`
}

func tableSetPropertyCommand(g *Globals, env Env) *cobra.Command {
	var unset []string
	cmd := &cobra.Command{
		Use:   "set-property URI KEY=VALUE...",
		Short: "set or remove table properties (a metaData commit)",
		Long: `Sets or removes table properties in one metaData commit: lakeops.parquet.encodings,
delta.deletedFileRetentionDuration, delta.logRetentionDuration, delta.enableExpiredLogCleanup,
delta.appendOnly, or names outside delta.*; values are checked.`,
		Example: "  lakeops table set-property lake/silver_layer/orders delta.logRetentionDuration='interval 7 days'\n  lakeops table set-property lake/silver_layer/orders --unset owner",
		Args:    minArgs(1, "a table URI and KEY=VALUE or --unset KEY"),
	}
	cmd.Flags().StringArrayVar(&unset, "unset", nil, "remove this table property (repeatable)")
	out := addFormat(cmd, true, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, args []string, format string) error {
		set := map[string]string{}
		for _, kv := range args[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return usagef("wants KEY=VALUE, not %q", kv)
			}
			set[k] = v
		}
		if len(set) == 0 && len(unset) == 0 {
			return usagef("needs KEY=VALUE or --unset KEY")
		}
		t, err := maintenanceTable(cmd, g, args[0])
		if err != nil {
			return err
		}
		v, err := t.SetProperties(cmd.Context(), set, unset)
		if err != nil {
			return err
		}
		if format == formatJSON {
			return writeJSON(env.Stdout, propertiesOut{Table: t.URI(), Version: v, Set: set, Unset: append([]string{}, unset...)})
		}
		for _, k := range slices.Sorted(maps.Keys(set)) {
			fmt.Fprintf(env.Stdout, "set %s=%s\n", textfmt.Sanitize(k), textfmt.Sanitize(set[k]))
		}
		for _, k := range unset {
			fmt.Fprintf(env.Stdout, "unset %s\n", textfmt.Sanitize(k))
		}
		fmt.Fprintf(env.Stdout, "%s: version %d\n", textfmt.Sanitize(t.URI()), v)
		return nil
	})
	return cmd
}
