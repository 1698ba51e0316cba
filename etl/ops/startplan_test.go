package ops

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
)

// TestPlanSaysWhyNothingIsNew: an empty raw zone is not called all
// ingested; one whose files are all ingested is, and the plan counts them
// as the ones an archive step would move.
func TestPlanSaysWhyNothingIsNew(t *testing.T) {
	ctx := context.Background()
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	o := New(lk, Options{})
	p, err := o.PlanLoad(ctx, nil, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.NothingNew("F forces"); len(p.Files) != 0 || got != "nothing to load: bronze_layer/ holds no raw file" {
		t.Errorf("empty raw zone: %q", got)
	}
	put(t, lk, "bronze_layer/products.csv", []byte("product_id,department_id,department,product_name\n1,4,Books,A\n"))
	if _, err := o.Run(ctx, RunRequest{}); err != nil {
		t.Fatal(err)
	}
	if p, err = o.PlanLoad(ctx, nil, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := p.NothingNew("F forces"); len(p.Files) != 0 || p.IngestedBefore != 1 || !strings.HasPrefix(got, "nothing new to load: every raw file is ingested (F forces)") {
		t.Errorf("all ingested: %d files, %d ingested before, %q", len(p.Files), p.IngestedBefore, got)
	}
}
