// Package ops is the operations layer of lakeops: everything the console
// and the headless CLI do that is not drawing or printing has its one home
// here — listing raw files with their ingest status, previewing and
// validating a file, which raw files are new, reading, inspecting and
// exporting rejected rows, table listings, summaries and history, run
// history, and submitting and cancelling background jobs. The front ends
// ask, then draw or print.
//
// Ops holds the services the operations need (the lake, the jobs manager,
// the SQL engine); a console view sees it through a small interface the
// view owns. The type names the front ends need (jobs, summaries, rejected
// rows, SQL columns and rows) are declared here as aliases, so a view
// imports this package and no back-end package.
package ops

import (
	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

// The vocabulary of the front ends.
type (
	// Job is a snapshot of one background job.
	Job = jobs.Info
	// JobSpec describes a job to submit.
	JobSpec = jobs.Spec
	// JobSnapshot is every job at one moment: the message the console's
	// relay sends when jobs change.
	JobSnapshot = jobs.Snapshot
	// FileProgress is one file's progress in a job.
	FileProgress = jobs.FileProgress
	// Overall is a job's progress across its files.
	Overall = jobs.Overall
	// JobRate is a job's recent speed.
	JobRate = jobs.Rate
	// JobReached is how far a job got (bytes done, rows checked).
	JobReached = jobs.Reached
	// LogLine is one line of a job's log.
	LogLine = jobs.LogLine
	// JobState is a job's lifecycle state.
	JobState = jobs.State
	// Summary is the outcome of a pipeline run or dry run.
	Summary = pipeline.Summary
	// FileResult is one file's outcome in a run.
	FileResult = pipeline.FileResult
	// Limits bound what a raw file may hold.
	Limits = pipeline.Limits
	// ReprocessOptions choose the rejected rows to re-check.
	ReprocessOptions = pipeline.ReprocessOptions
	// ReprocessResult is one dataset's outcome of a reprocess.
	ReprocessResult = pipeline.ReprocessResult
	// Progress receives a run's events.
	Progress = pipeline.Progress
	// RejectRow is one rejected row.
	RejectRow = rejects.Row
	// RejectFilter chooses rejected rows.
	RejectFilter = rejects.Filter
	// LogEntry is one row of the ingest log (one file in one run).
	LogEntry = ledger.Entry
	// Column describes one result or table column.
	Column = query.Column
	// Rows streams a query result.
	Rows = query.Rows
	// QueryStats describe a query.
	QueryStats = query.Stats
	// TableInfo describes one table an engine can query.
	TableInfo = query.TableInfo
)

// Job states.
const (
	JobQueued    = jobs.Queued
	JobRunning   = jobs.Running
	JobSucceeded = jobs.Succeeded
	JobFailed    = jobs.Failed
	JobCancelled = jobs.Cancelled
)

// File statuses of a run (the ingest log's).
const (
	FileSucceeded = ledger.StatusSucceeded
	FileFailed    = ledger.StatusFailed
	FileCancelled = ledger.StatusCancelled
	FileSkipped   = ledger.StatusSkipped
)

// Statuses of a rejected row.
const (
	RejectOpen     = rejects.StatusOpen
	RejectResolved = rejects.StatusResolved
	RejectReplaced = rejects.StatusReplaced
)

// Options are the services an Ops may use besides the lake.
type Options struct {
	// Jobs runs background jobs; nil when there are none (Submit and
	// Cancel then refuse).
	Jobs *jobs.Manager
	// Engine runs SQL; nil when there is none (tables are then listed from
	// the lake).
	Engine query.Engine
	// Limits bound what a raw file may hold in previews and validations.
	Limits pipeline.Limits
}

// Ops runs the operations on one lake.
type Ops struct {
	lake   *lake.Lake
	jobs   *jobs.Manager
	engine query.Engine
	limits pipeline.Limits
}

// New returns the operations on lk.
func New(lk *lake.Lake, opts Options) *Ops {
	return &Ops{lake: lk, jobs: opts.Jobs, engine: opts.Engine, limits: opts.Limits}
}

// WithLimits returns the operations with other raw-file limits (a
// command's flags).
func (o *Ops) WithLimits(l Limits) *Ops {
	c := *o
	c.limits = l
	return &c
}

// Lake is the lake the operations work on.
func (o *Ops) Lake() *lake.Lake { return o.lake }

// RawRoot is the raw zone's prefix, ending in "/" (or "" for the whole lake).
func (o *Ops) RawRoot() string {
	root := o.lake.Layout.Bronze
	if root != "" && root[len(root)-1] != '/' {
		root += "/"
	}
	return root
}

// SortedReasons returns reason codes by count, largest first.
func SortedReasons(counts map[string]int64) []string { return jobs.SortedReasons(counts) }
