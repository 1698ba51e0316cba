package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
)

// consoleCommands are the console's :commands that need the root: switch
// the lake, the AWS profile or region, the stack or the SQL engine (the console opens
// again through the root with the setting changed), run every new file,
// reprocess the open rejected rows.
func (r *Root) consoleCommands(o *ops.Ops) []ui.Command {
	sw := func(setting, help string, args func() []string) ui.Command {
		return ui.Command{Name: setting, Help: help, Args: args, Do: func(v string) tea.Cmd {
			if v == "" {
				return ui.NotifyCmd(fmt.Sprintf(":%s needs a value (%s)", setting, help), true)
			}
			return func() tea.Msg { return ui.Switch{Setting: setting, Value: v} }
		}}
	}
	submit := func(spec ops.JobSpec) tea.Cmd {
		return func() tea.Msg {
			id, err := o.Submit(spec)
			if err != nil {
				return ui.Notify{Text: err.Error(), Error: true}
			}
			return ui.Go{To: ui.ShowJob{ID: id}}
		}
	}
	return []ui.Command{
		sw("lake", "open another lake: a folder or s3://bucket/prefix", r.lakeChoices),
		sw("profile", "use another AWS profile (from ~/.aws/config and credentials)", r.awsProfiles),
		sw("region", "use another AWS region", func() []string {
			return []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"}
		}),
		sw("engine", "the SQL engine: local (DuckDB) or athena", func() []string { return []string{"local", "athena"} }),
		sw("stack", "use another lakeops CloudFormation stack (its state machine in Flows, its Athena settings)", r.stackChoices),
		{Name: "run", Help: "run every new raw file (R in Files)", Do: func(arg string) tea.Cmd {
			if arg != "" {
				return ui.NotifyCmd(":run takes no argument (it runs every new raw file; r in Files runs the ones picked)", true)
			}
			return func() tea.Msg {
				p, err := o.PlanLoad(context.Background(), nil, false, time.Now())
				switch {
				case err != nil:
					return ui.Notify{Text: err.Error(), Error: true}
				case len(p.Files) == 0:
					return ui.Notify{Text: p.NothingNew("F in Files forces a re-run")}
				}
				return submit(ops.JobSpec{Title: "run all new files", Files: p.Keys()})() // listed once
			}
		}},
		{Name: "reprocess", Help: "retry the open rejected rows against the tables (:reprocess DATASET for one)",
			Args: func() []string { return []string{dataset.Products, dataset.Orders, dataset.OrderItems} },
			Do: func(ds string) tea.Cmd {
				if ds != "" {
					if _, err := dataset.ByName(ds); err != nil {
						return ui.NotifyCmd(err.Error(), true)
					}
				}
				title := "reprocess the open rejected rows of every dataset"
				if ds != "" {
					title = "reprocess the open rejected rows of " + ds
				}
				return submit(ops.JobSpec{Title: title, Reprocess: &ops.ReprocessOptions{Dataset: ds}})
			}},
	}
}

// switched is a root like r with one setting changed (r stays as it is):
// its lake must open.
func (r *Root) switched(ctx context.Context, s ui.Switch) (*Root, error) {
	g, engine := *r.g, r.engineName
	switch s.Setting {
	case "lake":
		g.Lake, g.lakeSet = s.Value, true
	case "profile":
		g.Profile = s.Value
	case "region":
		g.Region = s.Value
	case "stack":
		g.Stack = s.Value
	case "engine":
		if s.Value != "local" && s.Value != "athena" {
			return nil, fmt.Errorf(":engine takes local or athena, not %q", s.Value)
		}
		engine = s.Value
	default:
		return nil, fmt.Errorf("nothing to switch called %q", s.Setting)
	}
	nr := newRoot(&g, r.env)
	g.root, nr.engineName = nr, engine
	if _, err := nr.Lake(ctx, false); err != nil {
		_ = nr.Close()
		return nil, fmt.Errorf(":%s %s: %w", s.Setting, s.Value, err)
	}
	return nr, nil
}

// lakeChoices are lakes worth offering: the current one and folders in the
// working directory that hold a raw zone.
func (r *Root) lakeChoices() []string {
	out := []string{r.g.Lake}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if e.IsDir() && e.Name() != r.g.Lake {
			if _, err := os.Stat(filepath.Join(e.Name(), "bronze_layer")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	return out
}

// stackChoices offers the stack in use (stack names are free text).
func (r *Root) stackChoices() []string {
	if r.g.Stack == "" {
		return nil
	}
	return []string{r.g.Stack}
}

// awsProfiles are the profile names in the shared config and credentials
// files (only the names are read).
func (r *Root) awsProfiles() []string {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	for _, name := range []string{r.env.Getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config"),
		r.env.Getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials")} {
		if name == "" {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
				p := strings.TrimSpace(strings.TrimPrefix(strings.Trim(line, "[]"), "profile "))
				seen[p] = p != ""
			}
		}
		f.Close()
	}
	out := make([]string, 0, len(seen))
	for p, ok := range seen {
		if ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// runConsoleLoop runs the console on r until the user quits; a switch
// opens it again on a root with the setting changed (the one before is
// closed), or, when that root cannot be built, on the same root with why.
func (r *Root) runConsoleLoop(ctx context.Context) error {
	root, notice := r, ""
	defer func() {
		if root != r {
			_ = root.Close()
		}
	}()
	for {
		opts, err := root.consoleOptions(ctx, consoleParts{})
		if err != nil {
			return err
		}
		opts.Notice = notice
		next, err := ui.Run(ctx, opts)
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		if next == nil || err != nil {
			return nil
		}
		nr, err := root.switched(ctx, *next)
		if err != nil {
			notice = err.Error() // back on the same lake, saying why
			continue
		}
		_ = root.Close() // its jobs were cancelled with the user's yes
		root, notice = nr, ""
	}
}
