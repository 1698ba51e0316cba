package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/catalog/glue"
	"github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/etl/delta"
)

// tableRegister registers (or updates) every lake table in a catalog: the
// local one in the lake (_lakeops/catalog), or Glue (--catalog glue), so
// that Athena can query the Delta tables.
func tableRegister(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table register", flag.ContinueOnError)
	which := fs.String("catalog", "local", "local (in the lake) or glue")
	database := fs.String("database", "", "Glue database (required with --catalog glue; it must exist)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("table register takes no arguments, only flags")
	}
	lk, err := openLake(ctx, g, false)
	if err != nil {
		return err
	}
	if err := lk.CheckWritable("register tables"); err != nil {
		return err
	}
	var cat catalog.Catalog
	switch *which {
	case "local":
		cat = local.New(lk.Store)
	case "glue":
		if *database == "" {
			return usagef("--catalog glue needs --database")
		}
		var load []func(*config.LoadOptions) error
		if g.Profile != "" {
			load = append(load, config.WithSharedConfigProfile(g.Profile))
		}
		if g.Region != "" {
			load = append(load, config.WithRegion(g.Region))
		}
		cfg, err := config.LoadDefaultConfig(ctx, load...)
		if err != nil {
			return fmt.Errorf("glue: load AWS config: %w", err)
		}
		cat = glue.New(cfg, glue.Options{Database: *database})
	default:
		return usagef("--catalog must be local or glue, not %q", *which)
	}
	n := 0
	for _, lt := range duck.LakeTables(lk) {
		snap, err := lt.Table.Snapshot(ctx)
		if errors.Is(err, delta.ErrNotATable) {
			continue // not created yet
		}
		if err != nil {
			return err
		}
		def := catalog.DefFromDelta(lt.Name, lt.Table.URI(), snap.Schema(), snap.PartitionColumns())
		if err := cat.Register(ctx, def); err != nil {
			return fmt.Errorf("register %s: %w", lt.Name, err)
		}
		fmt.Fprintf(env.Stdout, "registered %s (version %d) at %s\n", lt.Name, snap.Version(), sanitize(lt.Table.URI()))
		n++
	}
	if n == 0 {
		return errors.New("no lake tables to register yet: run the pipeline first")
	}
	return nil
}
