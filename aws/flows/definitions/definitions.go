// Package definitions holds the state machines lakeops ships, embedded:
// the project's own flow (lakeops-flow.asl.json: new raw files → pipeline →
// catalog → Athena checks → archive → SNS, with Retry and Catch on every
// task, deployable to AWS Step Functions as is after replacing the
// placeholder names) and the seed lab's machine (lab-seed.asl.json, an
// unchanged MIT-licensed copy; see NOTICE).
package definitions

import _ "embed"

// Machine names under which the local flows service registers them.
const (
	LakeopsFlowName = "lakeops-flow"
	LabSeedName     = "lab-seed"
)

//go:embed lakeops-flow.asl.json
var lakeopsFlow []byte

//go:embed lab-seed.asl.json
var labSeed []byte

// LakeopsFlow returns the project's own state machine definition (a copy).
func LakeopsFlow() []byte { return append([]byte(nil), lakeopsFlow...) }

// LabSeed returns the seed lab's state machine definition (a copy).
func LabSeed() []byte { return append([]byte(nil), labSeed...) }

// All returns every shipped definition by machine name.
func All() map[string][]byte {
	return map[string][]byte{LakeopsFlowName: LakeopsFlow(), LabSeedName: LabSeed()}
}
