package deploy

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/awslabs/goformation/v7/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// cfnDefinitions are the definitions of the CloudFormation resource
// specification's JSON schema that goformation ships (generated from the
// same specification as its typed structs): every resource type with its
// properties (no others allowed), their types and the required ones. Two
// are corrected to what CloudFormation documents, where goformation's
// schema is narrower than both CloudFormation and goformation's own typed
// structs: a parameter's Default, MinValue and MaxValue may be numbers, and
// a state machine's DefinitionSubstitutions are strings, numbers or
// booleans.
var cfnDefinitions = sync.OnceValues(func() (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(schema.CloudformationSchema), &doc); err != nil {
		return nil, err
	}
	defs := doc["definitions"].(map[string]any)
	param := defs["Parameter"].(map[string]any)["properties"].(map[string]any)
	for _, k := range []string{"Default", "MinValue", "MaxValue"} {
		param[k] = map[string]any{"type": []any{"string", "number"}}
	}
	sm := defs["AWS::StepFunctions::StateMachine"].(map[string]any)["properties"].(map[string]any)["Properties"].(map[string]any)["properties"].(map[string]any)
	sm["DefinitionSubstitutions"] = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []any{"string", "number", "boolean"}}}
	return defs, nil
})

var refRE = regexp.MustCompile(`"\$ref":"#/definitions/([^"]+)"`)

var compiled sync.Map // definition → *jsonschema.Schema

// definition compiles one definition of the schema with the definitions it
// refers to (the whole schema takes a minute to compile).
func definition(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	if s, ok := compiled.Load(name); ok {
		return s.(*jsonschema.Schema)
	}
	defs, err := cfnDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	if defs[name] == nil {
		t.Fatalf("the CloudFormation schema has no %s", name)
	}
	sub := map[string]any{}
	queue := []string{name}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if _, done := sub[n]; done {
			continue
		}
		sub[n] = defs[n]
		b, _ := json.Marshal(defs[n])
		for _, m := range refRE.FindAllSubmatch(b, -1) {
			queue = append(queue, string(m[1]))
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("cfn.json", jsonValue(t, map[string]any{"definitions": sub})); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("cfn.json#/definitions/" + name)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	compiled.Store(name, s)
	return s
}

// validateStack checks each resource of a resolved template against its
// type's schema, and each parameter against the parameter schema.
func validateStack(t *testing.T, stack map[string]any) []string {
	t.Helper()
	var problems []string
	for id, r := range section(stack, "Resources") {
		typ, _ := r.(map[string]any)["Type"].(string)
		if err := definition(t, typ).Validate(jsonValue(t, r)); err != nil {
			problems = append(problems, id+" ("+typ+"): "+err.Error())
		}
	}
	for name, p := range section(stack, "Parameters") {
		if err := definition(t, "Parameter").Validate(jsonValue(t, p)); err != nil {
			problems = append(problems, "parameter "+name+": "+err.Error())
		}
	}
	return problems
}

// jsonValue round-trips v so that the validator sees plain JSON values.
func jsonValue(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every resource type and property of the template is CloudFormation's:
// each resource, its intrinsics resolved, validates against its type's
// schema (unknown properties, wrong types and missing required properties
// fail), and so does each parameter.
func TestTemplateMatchesTheCloudFormationSchema(t *testing.T) {
	for name, opts := range allOptions() {
		t.Run(name, func(t *testing.T) {
			stack := resolveTemplate(t, templateJSON(t, opts), testParameters())
			for _, p := range validateStack(t, stack) {
				t.Error(p)
			}
		})
	}
	// The check can fail: a misspelt property, a wrong type, a missing
	// required property.
	stack := resolveTemplate(t, templateJSON(t, Options{}), testParameters())
	props := func(id string) map[string]any {
		return section(stack, "Resources")[id].(map[string]any)["Properties"].(map[string]any)
	}
	props(resWorker)["MemorySizee"] = 128
	props(resWorkGroup)["RecursiveDeleteOption"] = "yes"
	delete(props(resFlow), "RoleArn")
	problems := strings.Join(validateStack(t, stack), "\n")
	for _, want := range []string{"MemorySizee", "RecursiveDeleteOption", "RoleArn"} {
		if !strings.Contains(problems, want) {
			t.Errorf("a broken %s was not caught:\n%s", want, problems)
		}
	}
}
