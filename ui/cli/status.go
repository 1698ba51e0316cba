package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// statusOut is what status prints with --format json.
type statusOut struct {
	Lake          string           `json:"lake"`
	Tables        []tableSummary   `json:"tables"`
	RawFiles      int              `json:"raw_files"`
	NewFiles      []string         `json:"new_files"`
	ArchivedFiles int              `json:"archived_files"`
	OpenRejects   map[string]int64 `json:"open_rejects"` // per dataset
	LastRun       *lastRunOut      `json:"last_run"`     // null before the first run
}

// lastRunOut is the newest run of the ingest log.
type lastRunOut struct {
	RunID    string    `json:"run_id"`
	Status   string    `json:"status"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	Files    int       `json:"files"`
	RowsRead int64     `json:"rows_read"`
	Accepted int64     `json:"accepted"`
	Rejected int64     `json:"rejected"`
}

// statusCommand is one screen of the lake's state: its tables, its raw
// files (new, ingested, archived), the open rejected rows and the last run.
func statusCommand(g *Globals, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "the lake at a glance: tables, new raw files, open rejects, the last run",
		Long: `Prints the lake's state on one screen: each table with its version and rows, how many raw
files there are and which are new (what 'lakeops run' would load), how many a flow archived,
the open rejected rows per dataset, and the last run of the ingest log.`,
		Example: "  lakeops status\n  lakeops --use prod status --format json | jq .new_files",
		Args:    noArgs,
	}
	out := addFormat(cmd, false, formatTable, formatJSON)
	out.runE(func(cmd *cobra.Command, _ []string, format string) error {
		ctx := cmd.Context()
		o, err := openOps(ctx, g)
		if err != nil {
			return err
		}
		st := statusOut{Lake: g.Lake, Tables: []tableSummary{}, OpenRejects: map[string]int64{}}
		found, err := o.LakeSummaries(ctx)
		if err != nil {
			return err
		}
		st.Tables = tableSummaries(found)
		raw, err := o.RawFilesUnder(ctx, o.RawRoot())
		if err != nil {
			return err
		}
		archived, err := o.RawFilesUnder(ctx, o.ArchiveRoot())
		if err != nil {
			return err
		}
		if st.NewFiles, err = o.NewFiles(ctx); err != nil {
			return err
		}
		if st.NewFiles == nil {
			st.NewFiles = []string{}
		}
		st.RawFiles, st.ArchivedFiles = len(raw), len(archived)
		for _, ds := range ops.Datasets() {
			rows, err := o.Rejects(ctx, ds, ops.RejectFilter{Open: true})
			if err != nil {
				return err
			}
			st.OpenRejects[ds] = int64(len(rows))
		}
		runs, err := o.RunHistory(ctx)
		if err != nil {
			return err
		}
		if len(runs) > 0 {
			r := runs[0]
			st.LastRun = &lastRunOut{RunID: r.ID, Status: r.Status, Started: utc(r.Started), Ended: utc(r.Ended), Files: len(r.Files),
				RowsRead: r.Read, Accepted: r.Accepted, Rejected: r.Rejected}
		}
		if format == formatJSON {
			return writeJSON(env.Stdout, st)
		}
		return printStatus(env, o, st)
	})
	return cmd
}

func printStatus(env Env, o *ops.Ops, st statusOut) error {
	w, c := env.Stdout, textfmt.Count
	fmt.Fprintf(w, "lake       %s\n", textfmt.Sanitize(st.Lake))
	if len(st.Tables) == 0 {
		fmt.Fprintln(w, "tables     none yet (lakeops run loads the raw files into them)")
	} else {
		fmt.Fprintln(w, "tables")
		tw := newTable(w, "  NAME", "VERSION", "ROWS", "FILES", "SIZE", "LAST COMMIT")
		for _, s := range st.Tables {
			rows := "?"
			if s.Rows != nil {
				rows = c(*s.Rows)
			}
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\n", s.Name, s.Version, rows, c(int64(s.Files)), textfmt.Bytes(s.SizeBytes),
				textfmt.Time(s.LastCommit))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "raw files  %s under %s: %s new", c(int64(st.RawFiles)), o.RawRoot(), c(int64(len(st.NewFiles))))
	if st.ArchivedFiles > 0 {
		fmt.Fprintf(w, "; %s archived under %s", c(int64(st.ArchivedFiles)), o.ArchiveRoot())
	}
	fmt.Fprintln(w)
	const shown = 5
	for i, f := range st.NewFiles {
		if i == shown {
			fmt.Fprintf(w, "             … and %s more (lakeops run loads them)\n", c(int64(len(st.NewFiles)-shown)))
			break
		}
		fmt.Fprintf(w, "  new      %s\n", textfmt.Sanitize(f))
	}
	var parts []string
	var open int64
	for _, ds := range ops.Datasets() {
		open += st.OpenRejects[ds]
		parts = append(parts, ds+" "+c(st.OpenRejects[ds]))
	}
	fmt.Fprintf(w, "rejects    %s open (%s)\n", textfmt.Rows(open), strings.Join(parts, ", "))
	if r := st.LastRun; r != nil {
		fmt.Fprintf(w, "last run   %s %s at %s: %s, %s read, %s accepted, %s rejected\n", r.RunID, r.Status,
			textfmt.Time(r.Ended), textfmt.Counted(int64(r.Files), "file", "files"), c(r.RowsRead), c(r.Accepted), c(r.Rejected))
	} else {
		fmt.Fprintln(w, "last run   none yet")
	}
	return nil
}
