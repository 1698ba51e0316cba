package tables

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// orphan puts a data file no commit references into the products table,
// written a month ago: vacuum's to delete.
func orphan(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "silver_layer", "products", "part-orphan.snappy.parquet")
	if err := os.WriteFile(p, []byte("not referenced"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-30 * 24 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	return p
}

// jobLine is the log of the one job with the title.
func jobLine(t *testing.T, jm *jobs.Manager, title string) (jobs.Info, string) {
	t.Helper()
	for _, j := range jm.Jobs() {
		if j.Spec.Title == title {
			var b strings.Builder
			for _, l := range j.Log {
				fmt.Fprintln(&b, l.Text)
			}
			return j, b.String()
		}
	}
	t.Fatalf("no job %q among %+v", title, jm.Jobs())
	return jobs.Info{}, ""
}

// TestMaintenanceAsksThenRunsAsAJob: V lists what vacuum would delete and
// asks; n keeps the file, y queues a job that deletes it; O asks and runs
// an optimize job that leaves the rows as they were; L says when the log
// has nothing to delete.
func TestMaintenanceAsksThenRunsAsAJob(t *testing.T) {
	lk := testLake(t)
	dir := strings.TrimPrefix(lk.URI(), "file://")
	stray := orphan(t, dir)
	o, jm := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	h.Resize(200, 30)
	h.ExpectContains("7 tables", "products")
	h.Press("V") // products is the first table
	h.ExpectContains("vacuum products: delete 1 data file", "retention interval 7 days", "y/n")
	h.Press("n")
	h.ExpectContains("vacuum products: not run")
	if _, err := os.Stat(stray); err != nil {
		t.Fatalf("n deleted the file: %v", err)
	}
	h.Press("V")
	h.ExpectContains("delete 1 data file")
	h.Press("y")
	h.ExpectContains("vacuum products queued as job")
	h.Send(opstest.WaitJobs(t, jm))
	if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the vacuum job left the unreferenced file: %v", err)
	}
	if j, log := jobLine(t, jm, "vacuum products"); j.State != jobs.Succeeded || !strings.Contains(log, "deleted 1 data file") {
		t.Fatalf("vacuum job %s %q: %s", j.State, j.Err, log)
	}

	h.Press("down") // orders: one file, nothing to pack, nothing asked
	h.Press("O")
	h.ExpectContains("optimize orders: nothing to pack — no partition has two or more small files")
	// A second load of new orders of the same day adds a second small file.
	opstest.Put(t, lk, "bronze_layer/orders/orders_extra.csv",
		"order_num,order_id,user_id,order_timestamp,total_amount,date\n1,90001,5,2025-04-01T10:00:00Z,10.00,2025-04-01\n")
	opstest.Run(t, lk, "bronze_layer/orders/orders_extra.csv")
	rowsBefore := count(t, o, "orders")
	h.Press("O")
	h.ExpectContains("optimize orders: pack 2 small files", "in 1 partition into 1 file near 128.0 MiB, the content unchanged?", "y/n")
	h.Press("y")
	h.ExpectContains("optimize orders queued as job")
	h.Send(opstest.WaitJobs(t, jm))
	if j, log := jobLine(t, jm, "optimize orders"); j.State != jobs.Succeeded || !strings.Contains(log, "optimize orders:") {
		t.Fatalf("optimize job %s %q: %s", j.State, j.Err, log)
	}
	if after := count(t, o, "orders"); after != rowsBefore {
		t.Fatalf("optimize changed orders from %d to %d rows", rowsBefore, after)
	}

	h.Press("L")
	h.ExpectContains("log cleanup orders: nothing to delete", "retention interval 30 days")
}

// TestMaintenanceRefusedReadOnly: on a read-only lake the dry run still
// lists, and the answer y says why nothing runs.
func TestMaintenanceRefusedReadOnly(t *testing.T) {
	lk := testLake(t)
	stray := orphan(t, strings.TrimPrefix(lk.URI(), "file://"))
	lk.ReadOnly = true
	o, jm := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	h.Resize(200, 30)
	h.ExpectContains("products")
	h.Press("V")
	h.ExpectContains("delete 1 data file")
	h.Press("y")
	h.ExpectContains("read-only")
	if len(jm.Jobs()) != 0 {
		t.Fatalf("a job was queued on a read-only lake: %+v", jm.Jobs())
	}
	if _, err := os.Stat(stray); err != nil {
		t.Fatalf("the file is gone on a read-only lake: %v", err)
	}
}

// count is a table's row count from its summary.
func count(t *testing.T, o *ops.Ops, name string) int64 {
	t.Helper()
	list, err := o.ListTables(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range o.Summaries(t.Context(), list.Tables) {
		if list.Tables[i].Name == name && s != nil {
			return s.Rows
		}
	}
	t.Fatalf("no table %s", name)
	return 0
}
