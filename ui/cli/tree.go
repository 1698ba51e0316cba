package cli

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/lakeops/lakeops/internal/config"
	"github.com/lakeops/lakeops/internal/version"
)

// noSettingsAnnotation marks a command that reads no settings and opens
// nothing (help, completion, man pages, version): a broken configuration
// file does not stop it.
const noSettingsAnnotation = "lakeops/no-settings"

// app is one run of lakeops: the settings, the profiles to stop, the tree.
type app struct {
	env      Env
	g        *Globals
	profiles profileFlags
	stops    []func()
}

func newApp(env Env) *app { return &app{env: env, g: &Globals{}} }

// cleanup stops what prepare started (profiles), newest first.
func (a *app) cleanup() {
	for _, stop := range slices.Backward(a.stops) {
		stop()
	}
}

// commands are lakeops' commands, in help order: adding one is a
// constructor in a file of its own and a line here.
func (a *app) commands() []*cobra.Command {
	g, env := a.g, a.env
	return []*cobra.Command{
		consoleCommand(g, env), demoCommand(g, env), statusCommand(g, env), genCommand(g, env),
		validateCommand(g, env), runCommand(g, env), rejectsCommand(g, env), reprocessCommand(g, env),
		queryCommand(g, env), tableCommand(g, env), flowCommand(g, env), deployCommand(g, env),
		configCommand(g, env), benchCommand(g, env), versionCommand(env),
		completionCommand(), manCommand(),
		benchDuckDBCommand(g, env), workerCommand(env),
	}
}

// tree builds the command tree: global flags on the root (accepted before
// or after the command), the commands, help, --version and the errors of
// a wrong command or flag (usage errors, exit status 2).
func (a *app) tree() *cobra.Command {
	root := &cobra.Command{
		Use:   "lakeops",
		Short: "a terminal operator console for an e-commerce lakehouse on AWS (or a local folder)",
		Long: `lakeops validates raw CSV orders, order items and products, removes duplicates and MERGEs
them into date-partitioned Delta Lake tables, and lets you triage loads from one
keyboard-driven console. Without a command it opens the console on --lake.

Settings come from flags, then the environment, then the configuration file
($XDG_CONFIG_HOME/lakeops/config.toml, or --config), then defaults; 'lakeops config
show' prints each with where it came from.`,
		Example: `  lakeops demo                                  # a demo lake and the console on it
  lakeops --lake ./lake run                     # load every new raw file
  lakeops --use prod query "SELECT count(*) FROM orders"
  lakeops run --lake s3://bucket/lake --json    # global flags go anywhere`,
		Version:           version.Get().String(),
		Args:              unknownCommandArgs,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: a.prepare,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConsole(cmd.Context(), a.g)
		},
	}
	root.SetOut(a.env.Stdout)
	root.SetErr(a.env.Stderr)
	if a.env.Stdin != nil {
		root.SetIn(a.env.Stdin)
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.DisableAutoGenTag = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
	a.globalFlags(root)
	root.AddCommand(a.commands()...)
	root.SetHelpCommand(helpCommand())
	return root
}

// globalFlags are the settings' flags and the profiling flags.
func (a *app) globalFlags(root *cobra.Command) {
	fs := root.PersistentFlags()
	fs.String("config", "", "the configuration file (env LAKEOPS_CONFIG; default "+config.DefaultPath(a.env.Getenv)+")")
	fs.String("use", "", "the configuration file's lake to use (env LAKEOPS_USE; default: the file's default)")
	for _, s := range settings() {
		usage := s.usage
		if len(s.env) > 0 {
			usage += " (env " + strings.Join(s.env, ", ") + ")"
		}
		if s.isBool {
			fs.Bool(s.flag, false, usage)
		} else {
			fs.String(s.flag, s.def, usage)
		}
	}
	a.profiles.add(fs)
	_ = root.RegisterFlagCompletionFunc("use", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		f, err := config.Load(config.DefaultPath(a.env.Getenv), true)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f.LakeNames(), cobra.ShellCompDirectiveNoFileComp
	})
}

// prepare resolves the settings and builds the composition root before a
// command runs (unless it needs none), and starts the profiles asked for.
func (a *app) prepare(cmd *cobra.Command, _ []string) error {
	if cmd.Annotations[noSettingsAnnotation] != "" {
		return nil
	}
	if err := resolveSettings(cmd.Flags(), a.env.Getenv, a.g); err != nil {
		return err
	}
	if a.g.Debug {
		a.g.log = slog.New(slog.NewTextHandler(a.env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	stops, err := a.profiles.start(a.env)
	a.stops = append(a.stops, stops...)
	if err != nil {
		return err
	}
	a.g.root = newRoot(a.g, a.env)
	return nil
}

// unknownCommandArgs refuses a word that names no command, suggesting the
// nearest one.
func unknownCommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommand(cmd, args[0])
}

func unknownCommand(cmd *cobra.Command, name string) error {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return usagef("%s (see '%s --help')", msg, cmd.CommandPath())
}

// group is a command that only holds subcommands: alone or with an
// unknown word it is a usage error naming them.
func group(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return unknownCommand(c, args[0])
		}
		var names []string
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() {
				names = append(names, s.Name())
			}
		}
		return usagef("needs a command: %s (see '%s --help')", strings.Join(names, ", "), c.CommandPath())
	}
	cmd.AddCommand(subs...)
	return cmd
}

// noSettings marks commands that need no settings.
func noSettings(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[noSettingsAnnotation] = "true"
	return cmd
}

func helpCommand() *cobra.Command {
	return noSettings(&cobra.Command{
		Use:   "help [command]",
		Short: "help about any command",
		Example: `  lakeops help table read
  lakeops table read --help`,
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return unknownCommand(c.Root(), strings.Join(args, " "))
			}
			return target.Help()
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			target, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, s := range target.Commands() {
				if s.IsAvailableCommand() {
					names = append(names, s.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	})
}

func completionCommand() *cobra.Command {
	return noSettings(&cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "print the shell completion script",
		Long: `Prints a script that completes lakeops' commands, flags, formats and the
configuration's lake names in your shell. Load it once per session, or install it:

  bash:  lakeops completion bash > ~/.local/share/bash-completion/completions/lakeops
  zsh:   lakeops completion zsh > "${fpath[1]}/_lakeops"   (with compinit enabled)
  fish:  lakeops completion fish > ~/.config/fish/completions/lakeops.fish`,
		Example: `  lakeops completion bash > ~/.local/share/bash-completion/completions/lakeops
  lakeops completion zsh > "${fpath[1]}/_lakeops"
  lakeops completion fish | source`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      exactArgs(1, "a shell: bash, zsh, fish or powershell"),
		RunE: func(c *cobra.Command, args []string) error {
			root, out := c.Root(), c.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return usagef("no completion for %q: the shells are bash, zsh, fish and powershell", args[0])
		},
	})
}

func manCommand() *cobra.Command {
	var out string
	cmd := noSettings(&cobra.Command{
		Use:     "man --out DIR",
		Short:   "write man pages of every command (for packaging)",
		Example: `  lakeops man --out ./man && man ./man/lakeops-run.1`,
		Hidden:  true,
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("needs --out DIR")
			}
			hdr := &doc.GenManHeader{Title: "LAKEOPS", Section: "1", Source: "lakeops " + version.Get().Version, Manual: "lakeops manual"}
			if err := doc.GenManTree(c.Root(), hdr, out); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote the man pages to %s\n", out)
			return nil
		},
	})
	cmd.Flags().StringVar(&out, "out", "", "the folder to write the pages into (made if missing)")
	return cmd
}

func versionCommand(env Env) *cobra.Command {
	cmd := noSettings(&cobra.Command{
		Use:     "version",
		Short:   "print the version, commit and build date",
		Example: "  lakeops version\n  lakeops version --format json",
		Args:    noArgs,
	})
	out := addFormat(cmd, false, formatTable, formatJSON)
	out.runE(func(_ *cobra.Command, _ []string, format string) error {
		if format == formatJSON {
			return writeJSON(env.Stdout, version.Get())
		}
		_, err := fmt.Fprintln(env.Stdout, version.Get())
		return err
	})
	return cmd
}
