// Package definitions holds the state machines lakeops ships, embedded:
// the project's own flow (lakeops-flow.asl.json: plan the new raw files →
// a Distributed Map per dataset staging batches with the lakeops worker on
// Lambda or ECS → commit per dataset → Glue registration → Athena checks →
// archive → SNS, with Retry and Catch on every task) and the seed lab's
// machine (lab-seed.asl.json, an unchanged MIT-licensed copy; see NOTICE).
//
// The project's flow names no resource of its own: ${Name} placeholders
// (Placeholders) are the deployment's, substituted by a CloudFormation
// template (DefinitionSubstitutions) or, for the local runner, by Local;
// the execution input overrides them.
package definitions

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
)

// Machine names under which the local flows service registers them.
const (
	LakeopsFlowName = "lakeops-flow"
	LabSeedName     = "lab-seed"
)

//go:embed lakeops-flow.asl.json
var lakeopsFlow []byte

//go:embed lab-seed.asl.json
var labSeed []byte

// Placeholders lists the deployment names the project's flow uses, with
// what each is.
func Placeholders() map[string]string {
	return map[string]string{
		"LakeUri":              "the lake, s3://bucket/prefix (empty: the worker's LAKEOPS_LAKE)",
		"WorkerFunctionArn":    "the lakeops worker's Lambda function (ARN or name)",
		"WorkerRunner":         "where batches and commits run: lambda or ecs",
		"EcsClusterArn":        "the ECS cluster of the worker's task (runner ecs)",
		"EcsTaskDefinitionArn": "the worker's ECS task definition (its command is lakeops worker)",
		"EcsContainerName":     "the container of that task definition",
		"EcsSubnets":           "the task's subnets, comma-separated",
		"TopicArn":             "the SNS topic of success and failure messages",
		"Catalog":              "where tables are registered: glue or local",
		"GlueDatabase":         "the Glue database (and Athena's)",
		"AthenaWorkGroup":      "the Athena workgroup of the checks",
	}
}

// Local is the local runner's deployment: the current lake, the worker run
// in process (Lambda and ECS resources both map to it), the lake's own
// catalog.
func Local() map[string]string {
	return map[string]string{
		"LakeUri":              "",
		"WorkerFunctionArn":    "arn:aws:lambda:local:000000000000:function:lakeops-worker",
		"WorkerRunner":         "lambda",
		"EcsClusterArn":        "arn:aws:ecs:local:000000000000:cluster/lakeops",
		"EcsTaskDefinitionArn": "arn:aws:ecs:local:000000000000:task-definition/lakeops-worker:1",
		"EcsContainerName":     "lakeops-worker",
		"EcsSubnets":           "subnet-local",
		"TopicArn":             "arn:aws:sns:local:000000000000:lakeops-flow",
		"Catalog":              "local",
		"GlueDatabase":         "lakeops",
		"AthenaWorkGroup":      "primary",
	}
}

var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// Substitute replaces the ${Name} placeholders of a definition with their
// values (escaped for a JSON string), as Step Functions does with
// DefinitionSubstitutions. A placeholder without a value is an error.
func Substitute(def []byte, values map[string]string) ([]byte, error) {
	var missing []string
	out := placeholderRE.ReplaceAllFunc(def, func(m []byte) []byte {
		name := string(placeholderRE.FindSubmatch(m)[1])
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		b, _ := json.Marshal(v)
		return b[1 : len(b)-1]
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("state machine definition: no value for placeholder(s) %v", missing)
	}
	return out, nil
}

// ForLocal substitutes the local deployment's values for the placeholders
// a definition has (a definition without any is returned as it is).
func ForLocal(def []byte) []byte {
	if !bytes.Contains(def, []byte("${")) {
		return def
	}
	vals := Local()
	return placeholderRE.ReplaceAllFunc(def, func(m []byte) []byte {
		v, ok := vals[string(placeholderRE.FindSubmatch(m)[1])]
		if !ok {
			return m
		}
		b, _ := json.Marshal(v)
		return b[1 : len(b)-1]
	})
}

// LakeopsFlowTemplate returns the project's flow as shipped, with its
// placeholders (a copy): what a deployment substitutes.
func LakeopsFlowTemplate() []byte { return append([]byte(nil), lakeopsFlow...) }

// LakeopsFlow returns the project's flow for the local runner (Local's
// values substituted).
func LakeopsFlow() []byte { return ForLocal(LakeopsFlowTemplate()) }

// LabSeed returns the seed lab's state machine definition (a copy).
func LabSeed() []byte { return append([]byte(nil), labSeed...) }

// All returns every shipped definition by machine name, as the local
// runner runs them.
func All() map[string][]byte {
	return map[string][]byte{LakeopsFlowName: LakeopsFlow(), LabSeedName: LabSeed()}
}
