package local

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/pipeline/pipelinetest"
)

// zoneOpts makes a raw zone of 1 + 18 + 18 gen files with dirt of every
// kind, and RawZone adds 1 + 2 + 2 late files repeating keys of the
// others with other timestamps: 42 files.
var zoneOpts = gen.Options{Orders: 2400, Days: 18, Dirty: 0.04, Seed: 14}

// fanOutInput runs the Map at MaxConcurrency 8 with batches of 3 files.
const fanOutInput = `{"batch_files": 3, "max_concurrency": 8}`

func rawZone(t *testing.T, st storage.Store) *pipelinetest.Zone {
	t.Helper()
	z, err := pipelinetest.RawZone(context.Background(), t.TempDir(), st, zoneOpts, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if z.Files < 40 {
		t.Fatalf("raw zone of %d files, want at least 40", z.Files)
	}
	return z
}

// oneRun is what one `lakeops run` leaves over the raw zone.
func oneRun(t *testing.T, st storage.Store) string {
	t.Helper()
	ctx := context.Background()
	lk := lake.New(st)
	rawZone(t, st)
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || sum.Failed() {
		t.Fatalf("one run: %v %+v", err, sum)
	}
	return dump(t, lk)
}

func dump(t *testing.T, lk *lake.Lake) string {
	t.Helper()
	d, err := pipelinetest.Dump(context.Background(), lk)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runFlow runs the project's flow on the service to the end.
func runFlow(t testing.TB, s *Service, input string) *Execution {
	t.Helper()
	ctx := context.Background()
	arn, err := s.Start(ctx, definitions.LakeopsFlowName, definitions.LakeopsFlow(), json.RawMessage(input))
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Wait(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// checkFanOut checks a succeeded load: its Map Runs ran every batch, the
// raw zone is archived and the staging removed.
func checkFanOut(t *testing.T, lk *lake.Lake, e *Execution, files int) {
	t.Helper()
	if e.Status != asl.StatusSucceeded {
		t.Fatalf("flow %s: %s: %s\n%s", e.Status, e.Error, e.Cause, eventTypes(e.Events))
	}
	if len(e.MapRuns) != 3 {
		t.Fatalf("%d Map Runs, want one per dataset", len(e.MapRuns))
	}
	var items int64
	for _, mr := range e.MapRuns {
		if mr.Status != asl.StatusSucceeded || mr.MaxConcurrency != 8 || mr.Items.Succeeded != mr.Items.Total || mr.Items.Pending+mr.Items.Running != 0 {
			t.Errorf("Map Run %+v", mr)
		}
		items += mr.Items.Total
		if want := (mr.Items.Total + 2) / 3; mr.Executions.Total != want {
			t.Errorf("Map Run %s: %d child executions for %d files, want batches of 3", mr.StateName, mr.Executions.Total, mr.Items.Total)
		}
	}
	if items != int64(files) {
		t.Errorf("the Map Runs ran %d files, want %d", items, files)
	}
	ctx := context.Background()
	if left := keys(t, lk.Store, "bronze_layer/"); len(left) != 0 {
		t.Errorf("raw files left: %v", left)
	}
	if left := keys(t, lk.Store, pipeline.StagingPrefix); len(left) != 0 {
		t.Errorf("staging left: %v", left[:min(len(left), 5)])
	}
	logged, err := ReadNotifications(ctx, lk.Store)
	if err != nil || len(logged) == 0 || !strings.Contains(logged[len(logged)-1].Message, "succeeded") {
		t.Errorf("notifications %+v %v", logged, err)
	}
}

func checkEqual(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("the fan-out left other tables than one run:\n%s", pipelinetest.FirstDiff(got, want))
	}
	for _, reason := range []string{"[duplicate]", "[superseded]", "reference:order_id", "[malformed]", "[encoding]"} {
		if !strings.Contains(got, reason) {
			t.Errorf("no %s rejects: the raw zone lacks dirt", reason)
		}
	}
	for _, late := range []string{"REJECT bronze_layer/orders/orders_late", "REJECT bronze_layer/order_items/order_items_2025"} {
		if !strings.Contains(got, late) {
			t.Errorf("no rows rejected across files (%s)", late)
		}
	}
}

func TestFlowFanOutEqualsOneRun(t *testing.T) {
	want := oneRun(t, newLake(t).Store)
	lk := newLake(t)
	z := rawZone(t, lk.Store)
	s, _ := newService(t, lk)
	e := runFlow(t, s, fanOutInput)
	checkFanOut(t, lk, e, z.Files)
	checkEqual(t, dump(t, lk), want)
}

func TestFlowFanOutEqualsOneRunOnS3(t *testing.T) {
	srv := gwtest.Start(t)
	want := oneRun(t, srv.NewStore(t, ""))
	lk := lake.New(srv.NewStore(t, ""))
	z := rawZone(t, lk.Store)
	s, _ := newService(t, lk)
	e := runFlow(t, s, fanOutInput)
	checkFanOut(t, lk, e, z.Files)
	checkEqual(t, dump(t, lk), want)
}

// Two executions started at once over the same new files: both plan them,
// stage them and commit; the Delta txns, the MERGE's re-planning and the
// rejects' marks leave the tables of one run (no row or reject twice).
func TestTwoFlowsAtOnceOverTheSameFiles(t *testing.T) {
	want := oneRun(t, newLake(t).Store)
	lk := newLake(t)
	z := rawZone(t, lk.Store)
	s, _ := newService(t, lk)
	var wg sync.WaitGroup
	execs := make([]*Execution, 2)
	for i := range execs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			execs[i] = runFlow(t, s, fanOutInput)
		}()
	}
	wg.Wait()
	for _, e := range execs {
		if e.Status != asl.StatusSucceeded {
			t.Fatalf("%s: %s %s", e.Status, e.Error, e.Cause)
		}
		var out struct{ Plan struct{ Files int } }
		if err := json.Unmarshal(e.Output, &out); err != nil || out.Plan.Files != z.Files {
			t.Fatalf("execution %s planned %d files, want all %d (both at once): %v", e.Name, out.Plan.Files, z.Files, err)
		}
	}
	checkEqual(t, dump(t, lk), want)
	if left := keys(t, lk.Store, "bronze_layer/"); len(left) != 0 {
		t.Errorf("raw files left: %v", left)
	}
	if slices.ContainsFunc(keys(t, lk.Store, ""), func(k string) bool { return strings.HasPrefix(k, pipeline.StagingPrefix) }) {
		t.Error("staging left")
	}
}
