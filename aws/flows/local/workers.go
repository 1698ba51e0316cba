package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/worker"
)

// WorkerFunc runs one action of the lakeops worker (the JSON a Lambda
// function or an ECS task gets) and returns its JSON result. An error that
// is a *worker.Error or an *asl.TaskError names the failure.
type WorkerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// InProcessWorker runs the worker's actions in this process on the lake
// (a request naming no lake, or this one; the local catalog).
func InProcessWorker(lk *lake.Lake, clock asl.Clock) WorkerFunc {
	h := worker.Host{
		OpenLake: func(ctx context.Context, uri string) (*lake.Lake, error) {
			if uri == "" || uri == lk.URI() {
				return lk, nil
			}
			return nil, &worker.Error{Name: worker.ErrInvalidInput, Message: fmt.Sprintf("the local runner's worker loads its own lake (%s), not %s", lk.URI(), uri)}
		},
		Now: clock.Now,
	}
	return h.HandleJSON
}

// isWorker tells the worker's Lambda function by name or ARN.
func isWorker(fn string) bool {
	if name, ok := lambdaFunction(fn); ok {
		fn = name
	}
	return strings.Contains(strings.ToLower(fn), "worker")
}

// runWorker runs a worker action, naming its failure for Retry and Catch.
func (r *LakeResources) runWorker(ctx context.Context, payload any) (any, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("worker: encode the action: %w", err)
	}
	out, err := r.Worker(ctx, b)
	if err != nil {
		var we *worker.Error
		var te *asl.TaskError
		switch {
		case errors.As(err, &te):
			return nil, te
		case errors.As(err, &we):
			return nil, asl.NewTaskError(we.Name, we.Message)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		}
		return nil, asl.NewTaskError(worker.ErrFailed, err.Error())
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("worker: the result is not JSON: %w", err)
	}
	return v, nil
}

// runTask answers ecs:runTask[.sync] for the worker's task: the action is
// the container's LAKEOPS_ACTION (or its command's argument after
// "worker"); the output is the stopped task, with the exit code the
// container would have had (0, 1, or 2 for invalid input).
func (r *LakeResources) runTask(ctx context.Context, p map[string]any) (any, error) {
	action, container, err := ecsAction(p)
	if err != nil {
		return nil, asl.NewTaskError("ECS.InvalidParameterException", err.Error())
	}
	code, reason := 0, "Essential container in task exited"
	if _, err := r.runWorker(ctx, action); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		code = 1
		var te *asl.TaskError
		if errors.As(err, &te) && te.Name == worker.ErrInvalidInput {
			code = 2
		}
	}
	def, _ := p["TaskDefinition"].(string)
	cluster, _ := p["Cluster"].(string)
	return map[string]any{
		"ClusterArn": cluster, "TaskDefinitionArn": def, "TaskArn": "arn:aws:ecs:local:000000000000:task/lakeops/" + strings.ReplaceAll(newID(), "-", ""),
		"LastStatus": "STOPPED", "DesiredStatus": "STOPPED", "StopCode": "EssentialContainerExited", "StoppedReason": reason,
		"LaunchType": "FARGATE",
		"Containers": []any{map[string]any{"Name": container, "LastStatus": "STOPPED", "ExitCode": code}},
	}, nil
}

// ecsAction finds the worker's action in a RunTask's container overrides.
func ecsAction(p map[string]any) (any, string, error) {
	ov, _ := p["Overrides"].(map[string]any)
	cos, _ := ov["ContainerOverrides"].([]any)
	for _, c := range cos {
		co, _ := c.(map[string]any)
		name, _ := co["Name"].(string)
		envs, _ := co["Environment"].([]any)
		for _, e := range envs {
			kv, _ := e.(map[string]any)
			if kv["Name"] == "LAKEOPS_ACTION" {
				s, _ := kv["Value"].(string)
				var v any
				if err := json.Unmarshal([]byte(s), &v); err != nil {
					return nil, "", fmt.Errorf("LAKEOPS_ACTION of container %s is not JSON: %v", name, err)
				}
				return v, name, nil
			}
		}
		cmd, _ := co["Command"].([]any)
		if len(cmd) == 2 && cmd[0] == "worker" {
			s, _ := cmd[1].(string)
			var v any
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return nil, "", fmt.Errorf("the worker command of container %s has no JSON action: %v", name, err)
			}
			return v, name, nil
		}
	}
	return nil, "", errors.New("no container override runs the lakeops worker (LAKEOPS_ACTION, or the command worker ACTION_JSON)")
}

// getObject answers s3:getObject from the lake: {"Body": text, …}. The
// bucket is the lake's (an S3 lake's keys are found under its prefix) or
// empty (keys relative to the lake, as on a folder lake).
func (r *LakeResources) getObject(ctx context.Context, p map[string]any) (any, error) {
	bucket, _ := p["Bucket"].(string)
	key, _ := p["Key"].(string)
	rel, err := r.lakeKey(bucket, key)
	if err != nil {
		return nil, err
	}
	info, err := r.lake.Store.Stat(ctx, rel)
	if errors.Is(err, storage.ErrNotExist) {
		return nil, asl.NewTaskError("S3.NoSuchKey", fmt.Sprintf("no object %s in the lake", rel))
	}
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: %w", rel, err)
	}
	b, err := storage.ReadAll(ctx, r.lake.Store, rel)
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: %w", rel, err)
	}
	return map[string]any{"Body": string(b), "ContentLength": len(b), "ETag": `"` + info.ETag + `"`,
		"LastModified": info.ModTime.UTC(), "ContentType": "application/json"}, nil
}

// lakeKey turns a bucket and key into a key of the lake.
func (r *LakeResources) lakeKey(bucket, key string) (string, error) {
	if bucket == "" {
		return strings.TrimPrefix(key, "/"), nil
	}
	rest, ok := strings.CutPrefix(r.lake.URI(), "s3://")
	lb, prefix, _ := strings.Cut(rest, "/")
	if !ok || lb != bucket {
		return "", asl.NewTaskError("S3.NoSuchBucket", fmt.Sprintf("the local runner reads only its lake (%s), not bucket %s", r.lake.URI(), bucket))
	}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		k, ok := strings.CutPrefix(key, prefix+"/")
		if !ok {
			return "", asl.NewTaskError("S3.NoSuchKey", fmt.Sprintf("%s is outside the lake %s", key, r.lake.URI()))
		}
		key = k
	}
	return key, nil
}
