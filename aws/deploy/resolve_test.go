package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A deployed stack, as the tests see it: the template with every intrinsic
// function resolved the way CloudFormation would for one stack in one
// account (parameters at their defaults or the given values, Ref and
// GetAtt by the documented return values of each resource type).
const (
	testRegion    = "eu-west-1"
	testAccount   = "111122223333"
	testStack     = "lakeops-test"
	testBucket    = "lake-bucket"
	testPrefix    = "lake/"
	testArtifacts = "artifact-bucket"
)

// testParameters are the values given for parameters without a default.
func testParameters() map[string]any {
	return map[string]any{
		paramBucket: testBucket, paramPrefix: testPrefix, ParamArtifactBucket: testArtifacts,
		ParamWorkerCodeKey: "_lakeops/deploy/abc/lakeops-worker_linux_arm64.zip",
		ParamSubnets:       []any{"subnet-0a", "subnet-0b"}, ParamImageTag: "abc123",
	}
}

type resolver struct {
	t         *testing.T
	template  map[string]any
	params    map[string]any
	resolving map[string]bool
}

// resolveTemplate returns the template (decoded JSON) with its intrinsics resolved.
func resolveTemplate(t *testing.T, raw []byte, params map[string]any) map[string]any {
	t.Helper()
	var tmpl map[string]any
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatalf("template is not JSON: %v", err)
	}
	r := &resolver{t: t, template: tmpl, params: params, resolving: map[string]bool{}}
	out := map[string]any{}
	for k, v := range tmpl {
		out[k] = v
	}
	res := map[string]any{}
	for name, v := range section(tmpl, "Resources") {
		res[name] = r.resolve(v)
	}
	out["Resources"] = res
	outs := map[string]any{}
	for name, v := range section(tmpl, "Outputs") {
		outs[name] = r.resolve(v)
	}
	out["Outputs"] = outs
	return out
}

func section(tmpl map[string]any, name string) map[string]any {
	m, _ := tmpl[name].(map[string]any)
	return m
}

func (r *resolver) resolve(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					return r.ref(arg.(string))
				case "Fn::GetAtt":
					a := arg.([]any)
					return r.getAtt(a[0].(string), a[1].(string))
				case "Fn::Sub":
					return r.sub(arg)
				case "Fn::Join":
					a := arg.([]any)
					var parts []string
					for _, p := range r.resolve(a[1]).([]any) {
						parts = append(parts, text(p))
					}
					return strings.Join(parts, a[0].(string))
				}
				if strings.HasPrefix(k, "Fn::") {
					r.t.Fatalf("the resolver does not know %s", k)
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = r.resolve(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.resolve(e)
		}
		return out
	}
	return v
}

// text is a resolved value as Fn::Sub and Fn::Join write it.
func text(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

var subVar = regexp.MustCompile(`\$\{([^}]+)\}`)

func (r *resolver) sub(arg any) string {
	s, ok := arg.(string)
	if !ok {
		r.t.Fatalf("Fn::Sub with variables is not used by the template: %v", arg)
	}
	return subVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if res, attr, ok := strings.Cut(name, "."); ok {
			return text(r.getAtt(res, attr))
		}
		return text(r.ref(name))
	})
}

func (r *resolver) ref(name string) any {
	switch name {
	case "AWS::Region":
		return testRegion
	case "AWS::AccountId":
		return testAccount
	case "AWS::Partition":
		return "aws"
	case "AWS::StackName":
		return testStack
	case "AWS::URLSuffix":
		return "amazonaws.com"
	}
	if p, ok := section(r.template, "Parameters")[name].(map[string]any); ok {
		if v, ok := r.params[name]; ok {
			return v
		}
		if d, ok := p["Default"]; ok {
			return d
		}
		r.t.Fatalf("parameter %s has no default and the test gives no value", name)
	}
	typ, props := r.resource(name)
	str := func(k string) string { return fmt.Sprint(props[k]) }
	switch typ {
	case "AWS::Lambda::Function":
		return str("FunctionName")
	case "AWS::StepFunctions::StateMachine":
		return r.arn("states", "stateMachine:"+str("StateMachineName"))
	case "AWS::SNS::Topic":
		return r.arn("sns", str("TopicName"))
	case "AWS::Glue::Database":
		return fmt.Sprint(props["DatabaseInput"].(map[string]any)["Name"])
	case "AWS::Athena::WorkGroup":
		return str("Name")
	case "AWS::Logs::LogGroup":
		return str("LogGroupName")
	case "AWS::ECS::Cluster":
		return str("ClusterName")
	case "AWS::ECS::TaskDefinition":
		return r.arn("ecs", "task-definition/"+str("Family")+":1")
	case "AWS::S3::Bucket":
		return str("BucketName")
	case "AWS::IAM::Role", "AWS::Events::Rule":
		return testStack + "-" + name + "-1A2B3C4D5E6F"
	}
	r.t.Fatalf("Ref %s: no return value known for %s", name, typ)
	return nil
}

func (r *resolver) getAtt(name, attr string) any {
	typ, props := r.resource(name)
	if attr != "Arn" {
		r.t.Fatalf("GetAtt %s.%s: only Arn is used", name, attr)
	}
	switch typ {
	case "AWS::Lambda::Function":
		return r.arn("lambda", "function:"+fmt.Sprint(props["FunctionName"]))
	case "AWS::Logs::LogGroup":
		return r.arn("logs", "log-group:"+fmt.Sprint(props["LogGroupName"])+":*")
	case "AWS::IAM::Role":
		return "arn:aws:iam::" + testAccount + ":role/" + fmt.Sprint(r.ref(name))
	case "AWS::ECS::Cluster":
		return r.arn("ecs", "cluster/"+fmt.Sprint(props["ClusterName"]))
	case "AWS::S3::Bucket":
		return "arn:aws:s3:::" + fmt.Sprint(props["BucketName"])
	case "AWS::StepFunctions::StateMachine":
		return r.ref(name)
	}
	r.t.Fatalf("GetAtt %s.Arn: not known for %s", name, typ)
	return nil
}

// resource returns a resource's type and resolved properties.
func (r *resolver) resource(name string) (string, map[string]any) {
	res, ok := section(r.template, "Resources")[name].(map[string]any)
	if !ok {
		r.t.Fatalf("Ref or GetAtt of %s: no such parameter or resource", name)
	}
	if r.resolving[name] {
		r.t.Fatalf("resource %s refers to itself", name)
	}
	r.resolving[name] = true
	defer delete(r.resolving, name)
	props, _ := r.resolve(res["Properties"]).(map[string]any)
	return res["Type"].(string), props
}

func (r *resolver) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + testRegion + ":" + testAccount + ":" + resource
}
