package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/worker"
)

func host(t *testing.T) (worker.Host, *lake.Lake) {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), dir+"/bronze_layer", gen.Options{Orders: 600, Days: 2, Dirty: 0.05, Seed: 9}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	return worker.Host{OpenLake: func(context.Context, string) (*lake.Lake, error) { return lk, nil },
		Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }}, lk
}

func call(t *testing.T, h worker.Host, req string, out any) error {
	t.Helper()
	b, err := h.HandleJSON(context.Background(), []byte(req))
	if err == nil && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return err
}

func TestInvalidRequestsAreNamed(t *testing.T) {
	h, _ := host(t)
	for req, want := range map[string]string{
		`{}`:                                     "no action",
		`{"action":"vacuum"}`:                    `unknown action "vacuum"`,
		`{"action":"plan"}`:                      "no load",
		`{"action":"plan","load":"../x"}`:        "bad load id",
		`{"action":"plan","load":"x","bogus":1}`: "unknown field",
		`{"action":"process","load":"x","dataset":"customers","items":[]}`: "unknown dataset",
		`{"action":"process","load":"x","dataset":"orders"}`:               "no items",
		`{"action":"register","catalog":"hive"}`:                           "glue or local",
		`{"action":"register","catalog":"glue"}`:                           "needs a database",
		`{"action":"register","catalog":"glue","database":"d"}`:            "no glue catalog",
		// A plan (a redrive, say) naming a raw file that is gone names it.
		`{"action":"plan","load":"x","files":["bronze_layer/orders/gone_2025_01_01.csv"]}`: "raw file bronze_layer/orders/gone_2025_01_01.csv does not exist",
	} {
		err := call(t, h, req, nil)
		var we *worker.Error
		if !errors.As(err, &we) || we.Name != worker.ErrInvalidInput || !strings.Contains(we.Message, want) {
			t.Errorf("%s: %v, want %s naming %q", req, err, worker.ErrInvalidInput, want)
		}
	}
	// A failure that is not the request's is Lakeops.Failed (retry).
	err := call(t, h, `{"action":"commit","load":"never-planned","dataset":"orders"}`, nil)
	var we *worker.Error
	if !errors.As(err, &we) || we.Name != worker.ErrFailed || !strings.Contains(we.Message, "has no plan") {
		t.Errorf("commit of an unplanned load: %v", err)
	}
}

// A whole load through the actions, then register and archive: the
// archive names the load's outcome and leaves no staging.
func TestActionsLoadRegisterArchive(t *testing.T) {
	h, lk := host(t)
	var plan worker.PlanResult
	if err := call(t, h, `{"action":"plan","load":"l1","batch_files":1}`, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Files != 5 || plan.Datasets["order_items"].Batches != 2 {
		t.Fatalf("plan %+v", plan)
	}
	var items map[string][]json.RawMessage = map[string][]json.RawMessage{}
	for ds, d := range plan.Datasets {
		b, err := lk.Store.Open(context.Background(), d.Reader.Key, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		var list []json.RawMessage
		if err := json.NewDecoder(b).Decode(&list); err != nil {
			t.Fatal(err)
		}
		b.Close()
		items[ds] = list
	}
	for _, ds := range plan.CommitOrder {
		for _, it := range items[ds] {
			var res worker.BatchResult
			if err := call(t, h, `{"action":"process","load":"l1","dataset":"`+ds+`","items":[`+string(it)+`]}`, &res); err != nil || res.Staged != 1 {
				t.Fatalf("process %s: %v %+v", ds, err, res)
			}
		}
	}
	for _, ds := range plan.CommitOrder {
		var res worker.CommitResult
		if err := call(t, h, `{"action":"commit","load":"l1","dataset":"`+ds+`"}`, &res); err != nil || res.Succeeded != len(items[ds]) || res.Totals.Inserted == 0 {
			t.Fatalf("commit %s: %v %+v", ds, err, res)
		}
	}
	var reg worker.RegisterResult
	if err := call(t, h, `{"action":"register"}`, &reg); err != nil || reg.Catalog != "local" || len(reg.Tables) != 7 {
		t.Fatalf("register: %v %+v", err, reg)
	}
	if defs, err := local.New(lk.Store).Tables(context.Background()); err != nil || len(defs) != 7 {
		t.Fatalf("catalog: %d tables, %v", len(defs), err)
	}
	var arc worker.ArchiveResult
	if err := call(t, h, `{"action":"archive","load":"l1"}`, &arc); err != nil {
		t.Fatal(err)
	}
	if arc.Archived != 5 || arc.LoadFiles != 5 || arc.LoadSucceeded != 5 || arc.LoadFailed != 0 || !arc.StagingRemoved || arc.ArchivePrefix != "archive/2026/11/25/" {
		t.Fatalf("archive %+v", arc)
	}
	for obj, err := range lk.Store.List(context.Background(), "_lakeops/staging/", storage.ListOptions{}) {
		t.Errorf("staging left: %s %v", obj.Key, err)
	}
}
