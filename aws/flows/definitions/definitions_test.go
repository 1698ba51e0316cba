package definitions

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/flows/asl"
)

func TestDefinitionsParse(t *testing.T) {
	for name, def := range All() {
		if _, err := asl.Parse(def); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The embedded seed machine is the test fixture, byte for byte.
func TestSeedCopyIsUnchanged(t *testing.T) {
	fixture, err := os.ReadFile("../../../testdata/statemachine/step_function_code.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fixture, LabSeed()) {
		t.Fatal("lab-seed.asl.json differs from testdata/statemachine/step_function_code.json")
	}
}

// Every Task of the project's flow has Retry and Catch (branch tasks are
// caught by their Parallel state's Catch).
func TestLakeopsFlowRetriesAndCatches(t *testing.T) {
	m, err := asl.Parse(LakeopsFlow())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range m.Order {
		st := m.States[name]
		if st.Type == asl.TypeTask && (len(st.Retry) == 0 || len(st.Catch) == 0) {
			t.Errorf("task %s lacks Retry or Catch", name)
		}
		if st.Type == asl.TypeParallel {
			if len(st.Catch) == 0 {
				t.Errorf("parallel %s lacks Catch", name)
			}
			for _, b := range st.Branches {
				for _, bn := range b.Order {
					if bs := b.States[bn]; bs.Type == asl.TypeTask && len(bs.Retry) == 0 {
						t.Errorf("task %s lacks Retry", bn)
					}
				}
			}
		}
	}
}

// The project's flow names no resource: every ${…} is a documented
// placeholder, substitution leaves none, and a missing value is refused.
func TestLakeopsFlowPlaceholders(t *testing.T) {
	tmpl := LakeopsFlowTemplate()
	used := map[string]bool{}
	for _, m := range placeholderRE.FindAllSubmatch(tmpl, -1) {
		used[string(m[1])] = true
	}
	docs := Placeholders()
	for name := range used {
		if docs[name] == "" {
			t.Errorf("placeholder %s is not documented", name)
		}
		if _, ok := Local()[name]; !ok {
			t.Errorf("placeholder %s has no local value", name)
		}
	}
	if len(used) != len(docs) {
		t.Errorf("%d placeholders used, %d documented", len(used), len(docs))
	}
	for _, bad := range []string{"your-bucket", "123456789012", "lakeops-lake", "your-region"} {
		if bytes.Contains(tmpl, []byte(bad)) {
			t.Errorf("the template hard-codes %q", bad)
		}
	}
	vals := Local()
	vals["TopicArn"] = `arn:aws:sns:eu-west-1:111122223333:lake "ops"`
	def, err := Substitute(tmpl, vals)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(def, []byte("${")) {
		t.Error("placeholders left after substitution")
	}
	if _, err := asl.Parse(def); err != nil {
		t.Fatalf("substituted flow: %v", err)
	}
	if !bytes.Contains(def, []byte(`lake \"ops\"`)) {
		t.Error("a value with quotes was not escaped")
	}
	delete(vals, "TopicArn")
	if _, err := Substitute(tmpl, vals); err == nil || !strings.Contains(err.Error(), "TopicArn") {
		t.Errorf("missing value: %v", err)
	}
}
