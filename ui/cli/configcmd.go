package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func configCommand(g *Globals, env Env) *cobra.Command {
	return group(&cobra.Command{
		Use:   "config",
		Short: "the configuration: effective settings and the file's place",
		Long: `Settings come from flags, then the environment, then the configuration file, then defaults
(` + precedence + `). The file is TOML at $XDG_CONFIG_HOME/lakeops/config.toml (else
~/.config/lakeops/config.toml), or --config FILE / LAKEOPS_CONFIG; it names lakes
([lakes.NAME] with uri, endpoint_url, profile, region, aws, read_only, athena_database,
athena_workgroup, athena_output_location, state_machine, stack), picked with --use NAME or
default = "NAME", and the console's [console] theme, colors and keys. See the README.`,
		Example: `  lakeops config show
  lakeops --use prod config show --format json | jq '.settings[] | select(.source == "file")'
  lakeops config path`,
	}, configShowCommand(g, env), configPathCommand(g, env))
}

// settingsOut is what config show prints: every value masked of secrets.
type settingsOut struct {
	resolved
	Precedence string `json:"precedence"`
}

func configShowCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show",
		Short: "the effective settings and where each came from (file, env, flag or default)",
		Long: `Prints every setting with its value and where it came from: the file and line, the
environment variable, the flag, or the default. Secrets are never printed: AWS credentials in
the environment show as set, and passwords, keys and tokens inside URLs are masked.`,
		Example: "  lakeops config show\n  lakeops --use prod --region us-east-1 config show --format json",
		Args:    noArgs,
	}
	out := addFormat(cmd, false, formatTable, formatJSON)
	out.runE(func(_ *cobra.Command, _ []string, format string) error {
		res := *g.settings
		res.Settings = make([]resolvedSetting, len(g.settings.Settings))
		for i, s := range g.settings.Settings {
			s.Value, s.Where = maskSecrets(s.Value), maskSecrets(s.Where)
			res.Settings[i] = s
		}
		if res.Lakes == nil {
			res.Lakes = []string{}
		}
		if format == formatJSON {
			return writeJSON(env.Stdout, settingsOut{resolved: res, Precedence: precedence})
		}
		file := res.ConfigPath
		if !res.ConfigFound {
			file += " (not there: only flags, environment and defaults)"
		}
		fmt.Fprintf(env.Stdout, "config file: %s\n", file)
		if res.Lake != "" {
			fmt.Fprintf(env.Stdout, "lake: %s (chosen by %s)\n", res.Lake, res.LakeFrom)
		}
		if len(res.Lakes) > 0 {
			fmt.Fprintf(env.Stdout, "lakes in the file: %s\n", strings.Join(res.Lakes, ", "))
		}
		fmt.Fprintf(env.Stdout, "precedence: %s\n\n", precedence)
		tw := newTable(env.Stdout, "SETTING", "VALUE", "SOURCE", "WHERE")
		for _, s := range res.Settings {
			v := s.Value
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, v, s.Source, s.Where)
		}
		return tw.Flush()
	})
	return cmd
}

func configPathCommand(g *Globals, env Env) *cobra.Command {
	return &cobra.Command{
		Use:     "path",
		Short:   "print the configuration file's path (whether or not it exists)",
		Example: "  lakeops config path\n  $EDITOR \"$(lakeops config path)\"",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(env.Stdout, g.settings.ConfigPath)
			return err
		},
	}
}
