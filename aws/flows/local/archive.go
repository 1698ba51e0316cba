package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/worker"
)

// archive moves the raw files under the prefix (default: the bronze layer)
// that the ingest log records as succeeded to archive/YYYY/MM/DD/ (the
// clock's UTC date): worker.Archive.
func (r *LakeResources) archive(ctx context.Context, p map[string]any) (any, error) {
	if err := r.lake.CheckWritable("archive raw files"); err != nil {
		return nil, asl.NewTaskError("Lambda.ServiceException", err.Error())
	}
	prefix, _ := p["prefix"].(string)
	if prefix == "" {
		prefix, _ = p["Prefix"].(string)
	}
	return worker.Archive(ctx, r.lake, prefix, r.clock.Now())
}

// publish records an sns:publish: appended to the notifications log, passed
// to Notify, and returned as the task's output (so it is in the execution
// output). A Message object is sent as its JSON text, as Step Functions does.
func (r *LakeResources) publish(ctx context.Context, p map[string]any) (any, error) {
	n := Notification{Time: r.clock.Now().UTC(), MessageID: newID()}
	n.TopicArn, _ = p["TopicArn"].(string)
	n.Subject, _ = p["Subject"].(string)
	switch m := p["Message"].(type) {
	case string:
		n.Message = m
	case nil:
		return nil, asl.NewTaskError("SNS.InvalidParameterException", "Message is required")
	default:
		b, _ := json.Marshal(m)
		n.Message = string(b)
	}
	if ti, ok := asl.TaskInfoFrom(ctx); ok {
		n.Execution, n.State = ti.ExecutionID, ti.StateName
		n.Error, n.Cause = errorIn(ti.Input)
	}
	if err := r.appendNotification(ctx, n); err != nil {
		return nil, err
	}
	if r.Notify != nil {
		r.Notify(n)
	}
	out := map[string]any{"MessageId": n.MessageID, "Subject": n.Subject, "Message": n.Message}
	if n.Error != "" {
		out["Error"], out["Cause"] = n.Error, n.Cause
	}
	return out, nil
}

// errorIn finds the error a Catch left in a state's input: at the top
// ({"Error","Cause"}, the default ResultPath) or one level down.
func errorIn(input json.RawMessage) (string, string) {
	var top map[string]any
	if json.Unmarshal(input, &top) != nil {
		return "", ""
	}
	get := func(m map[string]any) (string, string, bool) {
		e, ok := m["Error"].(string)
		c, _ := m["Cause"].(string)
		return e, c, ok && e != ""
	}
	if e, c, ok := get(top); ok {
		return e, c
	}
	for _, k := range sortedKeys(top) {
		if m, ok := top[k].(map[string]any); ok {
			if e, c, ok := get(m); ok {
				return e, c
			}
		}
	}
	return "", ""
}

// appendNotification appends one line to the notifications log
// (read-modify-write under the resources' lock: one process at a time).
func (r *LakeResources) appendNotification(ctx context.Context, n Notification) error {
	if err := r.lake.CheckWritable("record a notification"); err != nil {
		return asl.NewTaskError("SNS.AuthorizationErrorException", err.Error())
	}
	line, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("sns: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, err := storage.ReadAll(ctx, r.lake.Store, NotificationsKey)
	if err != nil && !errors.Is(err, storage.ErrNotExist) {
		return fmt.Errorf("sns: read notifications: %w", err)
	}
	buf := bytes.NewBuffer(old)
	buf.Write(line)
	buf.WriteByte('\n')
	if err := r.lake.Store.Put(ctx, NotificationsKey, buf); err != nil {
		return fmt.Errorf("sns: record notification: %w", err)
	}
	return nil
}

// ReadNotifications reads the notifications log of a lake (oldest first).
func ReadNotifications(ctx context.Context, st storage.Store) ([]Notification, error) {
	b, err := storage.ReadAll(ctx, st, NotificationsKey)
	if errors.Is(err, storage.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read notifications: %w", err)
	}
	var out []Notification
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var n Notification
		if err := json.Unmarshal(line, &n); err != nil {
			return nil, fmt.Errorf("read notifications: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

// listObjects answers s3:listObjectsV2 from the lake (Bucket is ignored;
// keys are relative to the lake root; at most MaxKeys, default 1000, a
// page; ContinuationToken or StartAfter resume after a key).
func (r *LakeResources) listObjects(ctx context.Context, p map[string]any) (any, error) {
	prefix, _ := p["Prefix"].(string)
	limit := 1000
	if n, ok := p["MaxKeys"].(float64); ok && n > 0 && n < 1000 {
		limit = int(n)
	}
	after, _ := p["StartAfter"].(string)
	token, _ := p["ContinuationToken"].(string)
	if token != "" {
		after = token
	}
	contents := []any{}
	truncated := false
	last := ""
	for obj, err := range r.lake.Store.List(ctx, prefix, storage.ListOptions{StartAfter: after}) {
		if err != nil {
			return nil, fmt.Errorf("s3 list: %w", err)
		}
		if len(contents) == limit {
			truncated = true
			break
		}
		last = obj.Key
		contents = append(contents, map[string]any{"Key": obj.Key, "Size": obj.Size, "ETag": obj.ETag, "LastModified": obj.ModTime.UTC()})
	}
	bucket, _ := p["Bucket"].(string)
	out := map[string]any{"Name": bucket, "Prefix": prefix, "KeyCount": len(contents), "Contents": contents, "IsTruncated": truncated}
	if truncated {
		out["NextContinuationToken"] = last
	}
	return out, nil
}
