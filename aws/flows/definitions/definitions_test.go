package definitions

import (
	"bytes"
	"os"
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
