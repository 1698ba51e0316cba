package worker_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/worker"
)

// TestArchiveKeepsFilesOfTheSameName: raw files of the same name and size
// from two folders, both loaded, are both archived with their own bytes
// (the second with a ".1" suffix) before they leave the raw zone; an
// archive run again after a copy that was not followed by its delete only
// deletes.
func TestArchiveKeepsFilesOfTheSameName(t *testing.T) {
	ctx := context.Background()
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	const header = "order_num,order_id,user_id,order_timestamp,total_amount,date\n"
	files := map[string]string{
		"bronze_layer/orders/x/orders_dup.csv": header + "1,40000,7,2025-04-01T11:27:00,229.53,2025-04-01\n",
		"bronze_layer/orders/y/orders_dup.csv": header + "1,40001,7,2025-04-01T11:27:00,229.53,2025-04-01\n",
	}
	for k, v := range files {
		if err := st.Put(ctx, k, strings.NewReader(v)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || sum.Failed() || len(sum.Files) != 2 {
		t.Fatalf("load: %v %+v", err, sum)
	}
	day := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	out, err := worker.Archive(ctx, lk, "", day)
	if err != nil {
		t.Fatal(err)
	}
	if out.Archived != 2 || out.AlreadyArchived != 0 || out.Kept != 0 {
		t.Fatalf("archive %+v, want 2 archived, none already there, none kept", out)
	}
	archived := map[string]bool{}
	for _, key := range out.Files {
		b, err := storage.ReadAll(ctx, st, key)
		if err != nil {
			t.Fatal(err)
		}
		archived[string(b)] = true
	}
	for k, v := range files {
		if !archived[v] {
			t.Errorf("the bytes of %s are not in the archive (%v)", k, out.Files)
		}
		if _, err := st.Stat(ctx, k); err == nil {
			t.Errorf("%s is still in the raw zone", k)
		}
	}
	if want := "archive/2026/12/02/orders_dup.1.csv"; !slices.Contains(out.Files, want) {
		t.Errorf("archived as %v, want %s among them", out.Files, want)
	}

	// A retried archive: the copy made, the raw file not yet deleted.
	for k, v := range files {
		if err := st.Put(ctx, k, strings.NewReader(v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	again, err := worker.Archive(ctx, lk, "", day)
	if err != nil {
		t.Fatal(err)
	}
	if again.Archived != 2 || again.AlreadyArchived != 2 {
		t.Fatalf("archive again %+v, want both found in the archive already", again)
	}
	n := 0
	for _, err := range st.List(ctx, "archive/", storage.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d archived objects after the retry, want 2", n)
	}
}
