package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/etl/ops"
)

// TestPreviewStartCountsEveryFileTheArchiveMoves: the archive step of a
// flow moves every ingested raw file, not only those the execution loads,
// and the start's preview says how many more that is, whether the input
// names files or takes the new ones.
func TestPreviewStartCountsEveryFileTheArchiveMoves(t *testing.T) {
	dir := seedLake(t)
	r := testRoot(t, dir)
	ctx := context.Background()
	o, err := r.Ops(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := o.Run(ctx, ops.RunRequest{Files: []string{"bronze_layer/products.csv"}})
	if err != nil || sum.Failed() {
		t.Fatalf("load products: %v %+v", err, sum)
	}
	const want = "and the 1 other raw file of bronze_layer/ that earlier runs ingested moves there too"
	for _, input := range []string{`{"files":["bronze_layer/orders/orders_2025_04_01.csv"]}`, `{}`} {
		p, err := previewStart(ctx, o, definitions.LakeopsFlow(), input, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(p.Lines, want) {
			t.Errorf("input %s: preview %q lacks %q", input, strings.Join(p.Lines, " | "), want)
		}
	}
	// On a fresh lake nothing was ingested before: no such line.
	fresh := testRoot(t, seedLake(t))
	fo, err := fresh.Ops(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := previewStart(ctx, fo, definitions.LakeopsFlow(), `{}`, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.Lines {
		if strings.Contains(l, "earlier runs ingested") {
			t.Errorf("a fresh lake's preview says %q", l)
		}
	}
}
