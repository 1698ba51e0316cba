package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/rejects"
)

// ReprocessOptions select the rejected rows to retry.
type ReprocessOptions struct {
	Dataset string // "" for all, in dataset order
	File    string // "" for every file
	RunID   string
}

// ReprocessResult counts what a reprocess did for one dataset.
type ReprocessResult struct {
	Dataset   string `json:"dataset"`
	Open      int64  `json:"open"`       // open rejected rows looked at
	Resolved  int64  `json:"resolved"`   // now pass and were merged (or already in the table)
	StillOpen int64  `json:"still_open"` // still break a rule or a reference
	Skipped   int64  `json:"skipped"`    // dedup losers (duplicate/superseded) stay as they are
	Counts
}

// Reprocess re-checks open rejected rows against the rules and the current
// tables, MERGEs the rows that now pass (dedup among them as in a run), and
// marks them resolved in the rejects table. Nothing is deleted.
func Reprocess(ctx context.Context, lk *lake.Lake, opts ReprocessOptions) ([]ReprocessResult, error) {
	if err := lk.CheckWritable("reprocess rejected rows"); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if opts.RunID == "" {
		opts.RunID = NewRunID(now)
	}
	var out []ReprocessResult
	for _, ds := range dataset.All() {
		if opts.Dataset != "" && opts.Dataset != ds.Name {
			continue
		}
		res, err := reprocessDataset(ctx, lk, ds, opts, now)
		if err != nil {
			return out, fmt.Errorf("reprocess %s: %w", ds.Name, err)
		}
		out = append(out, res)
	}
	if opts.Dataset != "" && len(out) == 0 {
		_, err := dataset.ByName(opts.Dataset)
		return nil, err
	}
	return out, nil
}

type retryRow struct {
	row  rejects.Row
	vals []dataset.Value
	ts   int64
}

func reprocessDataset(ctx context.Context, lk *lake.Lake, ds *dataset.Dataset, opts ReprocessOptions, now time.Time) (ReprocessResult, error) {
	res := ReprocessResult{Dataset: ds.Name, Counts: Counts{RejectedByReason: map[string]int64{}}}
	rows, err := rejects.Read(ctx, lk, ds.Name, rejects.Filter{File: opts.File, Open: true})
	if err != nil {
		return res, err
	}
	res.Open = int64(len(rows))
	var retry []retryRow
	for _, r := range rows {
		if hasReason(r.Reasons, dataset.ReasonDuplicate) || hasReason(r.Reasons, dataset.ReasonSuperseded) {
			res.Skipped++
			continue
		}
		vals, reasons := recheck(ds, r)
		if len(reasons) > 0 {
			res.StillOpen++
			for _, c := range reasons {
				res.RejectedByReason[c]++
			}
			continue
		}
		rr := retryRow{row: r, vals: vals}
		if ds.Timestamp >= 0 {
			rr.ts = vals[ds.Timestamp].I
		}
		retry = append(retry, rr)
	}
	if len(retry) == 0 {
		return res, nil
	}
	// Dedup among the retried rows: greatest timestamp, then last by file and line.
	sort.SliceStable(retry, func(i, j int) bool {
		a, b := retry[i].row, retry[j].row
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	r := &run{lake: lk, opts: Options{RunID: opts.RunID}, started: now, dryKeys: map[string]*keyset.Set{}}
	d := &dsRun{r: r, ds: ds, keys: keyset.NewSet(len(retry)), repeated: keyset.NewSet(0), perFile: map[*rawFile]*fileState{}}
	winner := make(map[int64]int, len(retry)) // key → index of its survivor in retry
	keys := make([]int64, 0, len(retry))
	for i, rr := range retry {
		key := rr.vals[ds.Key].I
		if w, ok := winner[key]; !ok || rr.ts >= retry[w].ts {
			winner[key] = i
		}
		keys = append(keys, key)
	}
	d.noteKeys(keys) // with their range: the MERGE finds the table's files that hold them by it
	refs, err := d.loadRefs(ctx)
	if err != nil {
		return res, err
	}
	resolved := map[rejects.RowKey]bool{}
	for attempt := 1; ; attempt++ {
		clear(resolved)
		res.Counts = Counts{RejectedByReason: res.RejectedByReason}
		stillOpen := res.StillOpen
		err := d.merge(ctx, ready(refs), func(accept acceptFunc) error {
			for i, rr := range retry {
				if winner[rr.vals[ds.Key].I] != i {
					res.Skipped++ // lost dedup to another retried row: stays open
					continue
				}
				reasons, err := accept(rr.vals, &res.Counts)
				if err != nil {
					return err
				}
				if reasons != "" {
					stillOpen++
					continue
				}
				resolved[rr.row.Key()] = true
			}
			return nil
		})
		var ce *delta.ConflictError
		if errors.As(err, &ce) && attempt < maxMergeAttempts {
			continue
		}
		if err != nil {
			return res, err
		}
		res.StillOpen = stillOpen
		break
	}
	n, err := rejects.Resolve(ctx, lk, ds.Name, resolved, opts.RunID, now)
	res.Resolved = int64(n)
	res.Accepted = res.Inserted + res.Updated + res.Unchanged
	return res, err
}

func hasReason(reasons []string, code string) bool {
	for _, r := range reasons {
		if r == code {
			return true
		}
	}
	return false
}

// recheck parses a rejected row again with its file's header and applies the row rules.
func recheck(ds *dataset.Dataset, r rejects.Row) ([]dataset.Value, []string) {
	hr := csvread.NewReader(bytes.NewReader([]byte(r.Header)), csvread.Options{})
	hrec, err := hr.Next()
	if err != nil || hrec.Err != nil {
		return nil, []string{dataset.ReasonMalformed}
	}
	m, err := ds.MapHeader(hrec.Fields)
	if err != nil {
		return nil, []string{dataset.ReasonMalformed}
	}
	raw := r.RawBytes()
	rr := csvread.NewReader(bytes.NewReader(raw), csvread.Options{})
	rec, err := rr.Next()
	if err != nil && !errors.Is(err, io.EOF) || rec == nil || rec.Err != nil {
		return nil, []string{dataset.ReasonMalformed}
	}
	vals := make([]dataset.Value, len(ds.Columns))
	reasons := m.Check(rec, raw, vals, nil)
	return vals, reasons
}
