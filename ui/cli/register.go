package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// tableRegister registers (or updates) every lake table in a catalog: the
// local one in the lake (_lakeops/catalog), or Glue (--catalog glue), so
// that Athena can query the Delta tables.
func tableRegister(ctx context.Context, g *Globals, env Env, args []string) error {
	fs := flag.NewFlagSet("table register", flag.ContinueOnError)
	which := fs.String("catalog", "local", "local (in the lake) or glue")
	database := fs.String("database", "", "Glue database (required with --catalog glue; it must exist)")
	if err := flagsOnly(fs, args); err != nil {
		return err
	}
	o, err := openOps(ctx, g)
	if err != nil {
		return err
	}
	if err := o.Lake().CheckWritable("register tables"); err != nil {
		return err
	}
	cat, err := g.root.Catalog(ctx, *which, *database)
	if err != nil {
		return err
	}
	reg, err := o.RegisterTables(ctx, cat)
	for _, t := range reg {
		fmt.Fprintf(env.Stdout, "registered %s (version %d) at %s\n", t.Name, t.Version, textfmt.Sanitize(t.Location))
	}
	if err != nil {
		return err
	}
	if len(reg) == 0 {
		return errors.New("no lake tables to register yet: run the pipeline first")
	}
	return nil
}
