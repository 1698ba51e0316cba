package deploy

// What starts the project's state machine: an EventBridge rule on the raw
// files that land, or on a schedule.

import (
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/events"
)

// addTrigger adds the EventBridge rule that starts the state machine —
// when an object is created under the lake's raw prefix, or on the
// schedule of opts — with the stack's batch and concurrency settings as
// the execution's input.
func addTrigger(t *cloudformation.Template, opts Options) {
	t.Resources[resTriggerRole] = role("events.amazonaws.com", "start-flow", policy(
		allow("StartFlow", []string{"states:StartExecution"}, cloudformation.Ref(resFlow)),
	))
	rule := &events.Rule{
		State: cloudformation.String("ENABLED"),
		Targets: []events.Rule_Target{{
			Id:      "lakeops-flow",
			Arn:     cloudformation.Ref(resFlow),
			RoleArn: cloudformation.GetAttPtr(resTriggerRole, "Arn"),
			Input: cloudformation.SubPtr(`{"max_concurrency": ${` + ParamMaxConcurrency + `}, "batch_rows": ${` + ParamBatchRows +
				`}, "batch_files": ${` + ParamBatchFiles + `}}`),
		}},
	}
	if opts.Schedule != "" {
		rule.Description = cloudformation.String("lakeops: the flow loads the new raw files on a schedule")
		rule.ScheduleExpression = cloudformation.String(opts.Schedule)
	} else {
		rule.Description = cloudformation.String("lakeops: a new raw file starts the flow")
		rule.EventPattern = map[string]any{
			"source":      []string{"aws.s3"},
			"detail-type": []string{"Object Created"},
			"detail": map[string]any{
				"bucket": map[string]any{"name": []string{cloudformation.Ref(paramBucket)}},
				"object": map[string]any{"key": []any{map[string]any{"prefix": cloudformation.Sub("${" + paramPrefix + "}" + rawPrefix)}}},
			},
		}
	}
	t.Resources[resTrigger] = rule
}

// triggerText says what starts the flow, for the template's description.
func triggerText(opts Options) string {
	if opts.Schedule != "" {
		return "the schedule " + opts.Schedule
	}
	return "new raw files"
}

// ValidSchedule reports an EventBridge schedule expression: rate(N unit)
// with N ≥ 1 (minute, hour and day singular only for 1), or cron( with six
// fields ).
func ValidSchedule(s string) bool {
	if inner, ok := strings.CutPrefix(s, "rate("); ok && strings.HasSuffix(inner, ")") {
		n, unit, ok := strings.Cut(strings.TrimSuffix(inner, ")"), " ")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || v < 1 {
			return false
		}
		switch unit {
		case "minute", "hour", "day":
			return v == 1
		case "minutes", "hours", "days":
			return v > 1
		}
		return false
	}
	if inner, ok := strings.CutPrefix(s, "cron("); ok && strings.HasSuffix(inner, ")") {
		return len(strings.Fields(strings.TrimSuffix(inner, ")"))) == 6
	}
	return false
}
