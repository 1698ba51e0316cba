package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	catlocal "github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/query/duck"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/worker"
)

// Resources runs the task resources of a state machine (an asl.Invoker).
// LakeResources maps them to the lake; tests may swap in their own.
type Resources = asl.Invoker

// Notification is one sns:publish, kept in _lakeops/notifications.jsonl.
type Notification struct {
	Time      time.Time `json:"time"`
	MessageID string    `json:"message_id"`
	TopicArn  string    `json:"topic_arn,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Message   string    `json:"message"`
	Execution string    `json:"execution,omitempty"`
	State     string    `json:"state,omitempty"`
	// Error and Cause carry the error a Catch put in the state's input
	// ($.Error/$.Cause or $.error.Error/...), so a failure message names it.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// NotificationsKey is where notifications are appended, relative to the lake.
const NotificationsKey = "_lakeops/notifications.jsonl"

// LakeResources maps task resources to local actions on a lake:
//
//	arn:aws:states:::glue:startJobRun[.sync]        the pipeline over every new raw file
//	arn:aws:states:::aws-sdk:glue:startCrawler      register the lake's tables in the local catalog
//	arn:aws:states:::aws-sdk:glue:getCrawler        {"Crawler":{"State":"READY",…}}
//	arn:aws:states:::[aws-sdk:]glue:getJobRun       the state of a pipeline run started here
//	arn:aws:states:::[aws-sdk:]athena:startQueryExecution[.sync]  SQL on the local DuckDB engine
//	arn:aws:states:::[aws-sdk:]athena:getQueryResults / getQueryExecution
//	arn:aws:lambda:…:function:*worker*, or lambda:invoke of such a function: the lakeops worker (Worker)
//	arn:aws:states:::ecs:runTask[.sync]             the worker's ECS task: its LAKEOPS_ACTION, run by Worker
//	arn:aws:lambda:…:function:*archive*, or lambda:invoke of such a function: archive processed raw files
//	arn:aws:states:::[aws-sdk:]sns:publish          a notification (log, Notify hook, task output)
//	arn:aws:states:::[aws-sdk:]s3:listObjectsV2     list lake keys under Prefix (Bucket is ignored), by pages
//	arn:aws:states:::[aws-sdk:]s3:getObject         a lake object's Body (a distributed Map's ItemReader)
//
// Anything else fails the task with States.TaskFailed naming the resource.
// It is safe for concurrent use; Close releases the query engine.
type LakeResources struct {
	lake  *lake.Lake
	clock asl.Clock
	// Notify, when set, is called for each notification (e.g. the console).
	Notify func(Notification)
	// Worker runs the lakeops worker's actions for the Lambda and ECS
	// resources; NewLakeResources sets InProcessWorker. Set it before a run.
	Worker WorkerFunc
	// RunPipeline, when set, runs the pipeline of glue:startJobRun instead
	// of pipeline.Run: the console and the CLI run it through their jobs
	// manager, so a flow's run waits under the job limit and shows in Runs.
	RunPipeline func(ctx context.Context, opts pipeline.Options) (*pipeline.Summary, error)

	mu      sync.Mutex // guards the fields below
	engine  *duck.Engine
	queries map[string]*queryRecord
	jobs    map[string]string // job run id → JobRunState
}

// NewLakeResources returns the lake's task resources.
func NewLakeResources(lk *lake.Lake, clock asl.Clock) *LakeResources {
	if clock == nil {
		clock = asl.RealClock{}
	}
	return &LakeResources{lake: lk, clock: clock, Worker: InProcessWorker(lk, clock), queries: map[string]*queryRecord{}, jobs: map[string]string{}}
}

// Close releases the query engine, if one was started.
func (r *LakeResources) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.engine == nil {
		return nil
	}
	err := r.engine.Close()
	r.engine = nil
	return err
}

// Invoke runs one task resource.
func (r *LakeResources) Invoke(ctx context.Context, resource string, params json.RawMessage) (json.RawMessage, error) {
	var p map[string]any
	if len(params) > 0 && string(params) != "null" {
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, asl.NewTaskError(asl.ErrTaskFailed, fmt.Sprintf("%s: parameters must be a JSON object: %v", resource, err))
		}
	}
	if p == nil {
		p = map[string]any{}
	}
	var out any
	var err error
	if name, ok := lambdaFunction(resource); ok {
		switch {
		case isWorker(name):
			out, err = r.runWorker(ctx, p)
		case isArchive(name):
			out, err = r.archive(ctx, p)
		default:
			return nil, unknown(resource, "no local stand-in for Lambda function "+name+" (only the worker and archive functions)")
		}
	} else {
		action, ok := strings.CutPrefix(resource, "arn:aws:states:::")
		if !ok {
			return nil, unknown(resource, "")
		}
		action = strings.TrimPrefix(action, "aws-sdk:")
		sync := strings.HasSuffix(action, ".sync") || strings.Contains(action, ".sync:")
		if i := strings.IndexByte(action, '.'); i >= 0 {
			action = action[:i]
		}
		switch action {
		case "glue:startJobRun":
			out, err = r.startJobRun(ctx, p, sync)
		case "glue:getJobRun":
			out, err = r.getJobRun(p)
		case "glue:startCrawler":
			out, err = r.startCrawler(ctx)
		case "glue:getCrawler":
			name, _ := p["Name"].(string)
			out = map[string]any{"Crawler": map[string]any{"Name": name, "State": "READY", "LastCrawl": map[string]any{"Status": "SUCCEEDED"}}}
		case "athena:startQueryExecution":
			out, err = r.startQuery(ctx, p, sync)
		case "athena:getQueryExecution":
			out, err = r.getQueryExecution(p)
		case "athena:getQueryResults":
			out, err = r.getQueryResults(p)
		case "lambda:invoke":
			fn, _ := p["FunctionName"].(string)
			var res any
			switch {
			case isWorker(fn):
				res, err = r.runWorker(ctx, p["Payload"])
			case isArchive(fn):
				payload, _ := p["Payload"].(map[string]any)
				res, err = r.archive(ctx, payload)
			default:
				return nil, unknown(resource, fmt.Sprintf("no local stand-in for Lambda function %q (only the worker and archive functions)", fn))
			}
			if err == nil {
				out = map[string]any{"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": res}
			}
		case "ecs:runTask":
			out, err = r.runTask(ctx, p)
		case "s3:getObject":
			out, err = r.getObject(ctx, p)
		case "sns:publish":
			out, err = r.publish(ctx, p)
		case "s3:listObjectsV2":
			out, err = r.listObjects(ctx, p)
		default:
			return nil, unknown(resource, "")
		}
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("%s: encode result: %w", resource, err)
	}
	return b, nil
}

func unknown(resource, why string) error {
	if why == "" {
		why = "no local stand-in for this resource"
	}
	return asl.NewTaskError(asl.ErrTaskFailed, fmt.Sprintf("unknown resource %s: %s", resource, why))
}

// lambdaFunction returns the function name of arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
func lambdaFunction(resource string) (string, bool) {
	parts := strings.Split(resource, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return "", false
	}
	return parts[6], true
}

// isArchive tells archive functions by name (or ARN).
func isArchive(fn string) bool { return strings.Contains(strings.ToLower(fn), "archive") }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// startJobRun runs the pipeline on every new raw file. A file that failed
// fails the task with Glue.JobRunFailed and the file errors as cause
// (when sync; otherwise the state is kept for glue:getJobRun).
func (r *LakeResources) startJobRun(ctx context.Context, p map[string]any, sync bool) (any, error) {
	job, _ := p["JobName"].(string)
	started := r.clock.Now().UTC()
	runID := pipeline.NewRunID(started)
	run := r.RunPipeline
	if run == nil {
		run = func(ctx context.Context, opts pipeline.Options) (*pipeline.Summary, error) {
			return pipeline.Run(ctx, r.lake, opts)
		}
	}
	sum, err := run(ctx, pipeline.Options{RunID: runID})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.setJob(runID, "FAILED")
		return nil, asl.NewTaskError("Glue.JobRunFailed", fmt.Sprintf("job %s run %s: %v", job, runID, err))
	}
	state := "SUCCEEDED"
	var failed []string
	for _, f := range sum.Files {
		if f.Status == ledger.StatusFailed {
			failed = append(failed, f.File+": "+f.Error)
		}
	}
	if len(failed) > 0 {
		state = "FAILED"
	}
	r.setJob(runID, state)
	if len(failed) > 0 && sync {
		if len(failed) > 10 {
			failed = append(failed[:10], fmt.Sprintf("… and %d more", len(failed)-10))
		}
		return nil, asl.NewTaskError("Glue.JobRunFailed", fmt.Sprintf("job %s run %s: %d of %d files failed: %s",
			job, runID, len(failed), len(sum.Files), strings.Join(failed, "; ")))
	}
	if !sync {
		return map[string]any{"JobRunId": runID}, nil
	}
	t := sum.Totals
	return map[string]any{
		"Id": runID, "JobName": job, "JobRunState": state, "Arguments": p["Arguments"],
		"StartedOn": started.Format(time.RFC3339), "CompletedOn": r.clock.Now().UTC().Format(time.RFC3339),
		"Files": len(sum.Files), "RowsRead": t.RowsRead, "Accepted": t.Accepted, "Rejected": t.Rejected,
		"Inserted": t.Inserted, "Updated": t.Updated, "Unchanged": t.Unchanged,
	}, nil
}

func (r *LakeResources) setJob(id, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs[id] = state
}

func (r *LakeResources) getJobRun(p map[string]any) (any, error) {
	id, _ := p["RunId"].(string)
	r.mu.Lock()
	state, ok := r.jobs[id]
	r.mu.Unlock()
	if !ok {
		return nil, asl.NewTaskError("Glue.EntityNotFoundException", fmt.Sprintf("no job run %q in this process", id))
	}
	job, _ := p["JobName"].(string)
	return map[string]any{"JobRun": map[string]any{"Id": id, "JobName": job, "JobRunState": state}}, nil
}

// startCrawler registers every existing lake table in the local catalog.
func (r *LakeResources) startCrawler(ctx context.Context) (any, error) {
	if err := r.lake.CheckWritable("register tables"); err != nil {
		return nil, asl.NewTaskError("Glue.AccessDeniedException", err.Error())
	}
	if _, err := worker.Register(ctx, r.lake, catlocal.New(r.lake.Store)); err != nil {
		return nil, fmt.Errorf("crawler: %w", err)
	}
	return map[string]any{}, nil
}
