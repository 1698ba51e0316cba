package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/views/flows"
)

// machineTraits is what a state machine's definition says about the raw
// files: whether it takes the input's files (a "files.$" parameter) and
// which states archive (a task whose resource or function names an
// archive, or a worker call with the archive action).
type machineTraits struct {
	takesFiles bool
	archivers  []string
}

func traitsOf(def []byte) machineTraits {
	var doc map[string]any
	var t machineTraits
	if json.Unmarshal(def, &doc) != nil {
		return t
	}
	var walkStates func(states map[string]any)
	var walkParams func(v any) (files, archive bool)
	walkParams = func(v any) (files, archive bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "files.$" {
					files = true
				}
				if k == "action" && x == "archive" {
					archive = true
				}
				if s, ok := x.(string); ok && (k == "FunctionName" || k == "Resource") && strings.Contains(strings.ToLower(s), "archive") {
					archive = true
				}
				f, a := walkParams(x)
				files, archive = files || f, archive || a
			}
		case []any:
			for _, x := range v {
				f, a := walkParams(x)
				files, archive = files || f, archive || a
			}
		}
		return files, archive
	}
	walkStates = func(states map[string]any) {
		names := make([]string, 0, len(states))
		for n := range states {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			st, _ := states[name].(map[string]any)
			res, _ := st["Resource"].(string)
			files, archive := walkParams(st["Parameters"])
			t.takesFiles = t.takesFiles || files
			if archive || strings.Contains(strings.ToLower(res), "archive") {
				t.archivers = append(t.archivers, name)
			}
			for _, b := range asList(st["Branches"]) {
				if bm, ok := b.(map[string]any); ok {
					inner, _ := bm["States"].(map[string]any)
					walkStates(inner)
				}
			}
			for _, k := range []string{"ItemProcessor", "Iterator"} {
				if p, ok := st[k].(map[string]any); ok {
					inner, _ := p["States"].(map[string]any)
					walkStates(inner)
				}
			}
		}
	}
	states, _ := doc["States"].(map[string]any)
	walkStates(states)
	return t
}

func asList(v any) []any { l, _ := v.([]any); return l }

// previewStart says what an execution of the machine defined by def would
// do with input on the lake o works on: the files it loads — the named
// ones, else the new ones (ops.PlanLoad, as Files and a default run say)
// — and, when the machine archives, that each file whose load succeeded
// is moved to the archive while failed and unknown files stay.
func previewStart(ctx context.Context, o *ops.Ops, def []byte, input string, now time.Time) (flows.StartPreview, error) {
	var in struct {
		Files []string `json:"files"`
		Force bool     `json:"force"`
	}
	_ = json.Unmarshal([]byte(input), &in) // not an object: the defaults
	t := traitsOf(def)
	var out flows.StartPreview
	if !t.takesFiles && len(in.Files) > 0 {
		out.Warnings = append(out.Warnings, "this machine does not read the input's files: it loads every new raw file")
		in.Files = nil
	}
	if !t.takesFiles {
		in.Force = false
	}
	p, err := o.PlanLoad(ctx, in.Files, in.Force, now)
	if err != nil {
		return out, err
	}
	unknown := 0
	for _, f := range p.Files {
		name := strings.TrimPrefix(f.Key, p.RawRoot) // the raw zone is said once, in the lines
		out.Files = append(out.Files, flows.PreviewFile{Name: name, Dataset: f.Dataset, Status: f.Status, Size: f.Size})
		if f.Dataset == "?" && f.Status != ops.PlanMissing {
			unknown++
		}
	}
	missing := p.Missing()
	loads := len(p.Files) - len(missing) - p.Skipped() - unknown
	switch {
	case len(p.Files) == 0:
		out.Lines = append(out.Lines, "there is no new raw file (every one is recorded as ingested): the execution has nothing to load")
	case p.Named:
		out.Lines = append(out.Lines, fmt.Sprintf("loads %s of the %s named in the input%s", textfmt.Count(int64(loads)), nFiles(len(p.Files)), byDataset(p)))
	default:
		out.Lines = append(out.Lines, fmt.Sprintf("loads the %s%s (new: not recorded as ingested in the ingest log, as Files shows)",
			textfmt.Counted(int64(loads), "new raw file", "new raw files"), byDataset(p)))
	}
	if n := p.Skipped(); n > 0 {
		out.Lines = append(out.Lines, fmt.Sprintf("skips %s ingested already (set \"force\": true to load them again)", nFiles(n)))
	}
	if in.Force && p.Named {
		out.Lines = append(out.Lines, "force: loads the named files even when they were ingested before")
	}
	if unknown > 0 {
		verb := "name no known dataset (products*, orders*, order_items*): they fail and stay where they are"
		if unknown == 1 {
			verb = "names no known dataset (products*, orders*, order_items*): it fails and stays where it is"
		}
		out.Warnings = append(out.Warnings, nFiles(unknown)+" "+verb)
	}
	for _, f := range missing {
		out.Warnings = append(out.Warnings, f+" does not exist: the execution will fail naming it")
	}
	if len(t.archivers) > 0 && len(p.Files) > 0 {
		out.Lines = append(out.Lines, fmt.Sprintf("then %s moves each file whose load succeeded to %s; failed files and files of no known dataset stay in %s",
			strings.Join(t.archivers, ", "), p.ArchivePrefix, p.RawRoot))
	}
	others := 0
	if len(t.archivers) > 0 {
		if others, err = o.IngestedBesides(ctx, p); err != nil {
			return out, err
		}
	}
	if others > 0 {
		verb := "move"
		if others == 1 {
			verb = "moves"
		}
		out.Lines = append(out.Lines, fmt.Sprintf("and the %s of %s that earlier runs ingested %s there too",
			textfmt.Counted(int64(others), "other raw file", "other raw files"), p.RawRoot, verb))
	}
	return out, nil
}

func nFiles(n int) string { return textfmt.Counted(int64(n), "file", "files") }

func byDataset(p ops.LoadPlan) string {
	counts := p.ByDataset()
	var parts []string
	for _, ds := range []string{"products", "orders", "order_items"} {
		if n := counts[ds]; n > 0 && ds != "?" {
			parts = append(parts, fmt.Sprintf("%s %s", textfmt.Count(int64(n)), ds))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
