package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// registeredTable is one line of `table register`.
type registeredTable struct {
	Name     string `json:"name"`
	Version  int64  `json:"version"`
	Location string `json:"location"`
}

// tableRegisterCommand registers (or updates) every lake table in a
// catalog: the local one in the lake (_lakeops/catalog), or Glue (--catalog
// glue), so that Athena can query the Delta tables.
func tableRegisterCommand(g *Globals, env Env) *cobra.Command {
	var which string
	cmd := &cobra.Command{
		Use:   "register",
		Short: "register every lake table in the local catalog or in Glue",
		Long: `Registers or updates every table of the lake in a catalog: the local one (in the lake, under
_lakeops/catalog) or Glue (table_type=DELTA, location, columns, partition keys) in the database
--database (or the configuration's athena_database), so that Athena can query them.`,
		Example: `  lakeops table register
  lakeops --use prod table register --catalog glue --database lakeops`,
		Args: noArgs,
	}
	cmd.Flags().StringVar(&which, "catalog", "local", "local (in the lake) or glue")
	out := addFormat(cmd, false, formatTable, formatJSON, formatJSONL, formatCSV)
	out.runE(func(cmd *cobra.Command, _ []string, format string) error {
		ctx := cmd.Context()
		o, err := openOps(ctx, g)
		if err != nil {
			return err
		}
		if err := o.Lake().CheckWritable("register tables"); err != nil {
			return err
		}
		cat, err := g.root.Catalog(ctx, which, g.AthenaDatabase)
		if err != nil {
			return err
		}
		reg, err := o.RegisterTables(ctx, cat)
		list := make([]registeredTable, len(reg))
		for i, t := range reg {
			list[i] = registeredTable{Name: t.Name, Version: t.Version, Location: t.Location}
		}
		if perr := printList(env.Stdout, format, list, func() error {
			for _, t := range list {
				fmt.Fprintf(env.Stdout, "registered %s (version %d) at %s\n", t.Name, t.Version, textfmt.Sanitize(t.Location))
			}
			return nil
		}); perr != nil {
			return perr
		}
		if err != nil {
			return err
		}
		if len(reg) == 0 {
			return errors.New("no lake tables to register yet: run the pipeline first (lakeops run)")
		}
		return nil
	})
	return cmd
}
