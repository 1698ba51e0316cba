package pipeline_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

// TestConservationOverRandomDirt generates dirty inputs with several seeds
// and checks, per file, rows_read = accepted + rejected and that the
// rejected counts by reason equal the defects the generator injected; the
// rejects tables hold exactly the rejected rows.
func TestConservationOverRandomDirt(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			ctx := context.Background()
			lk, dir := newLake(t)
			m, err := gen.Generate(ctx, dir+"/bronze_layer", gen.Options{Orders: 1000 + int(seed)*150, Dirty: 0.02 * float64(seed), Seed: seed}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Files) != len(m.Files) {
				t.Fatalf("%d files processed, %d generated", len(sum.Files), len(m.Files))
			}
			rejectedBy := map[string]int64{}
			for _, f := range sum.Files {
				fm, ok := m.File(f.File[len("bronze_layer/"):])
				if !ok {
					t.Fatalf("no manifest entry for %s", f.File)
				}
				if f.Status != "succeeded" || f.RowsRead != f.Accepted+f.Rejected {
					t.Fatalf("%s: status %s, read %d != accepted %d + rejected %d", f.File, f.Status, f.RowsRead, f.Accepted, f.Rejected)
				}
				if f.RowsRead != fm.Rows || f.Rejected != fm.Rejected {
					t.Errorf("%s: read %d rejected %d; generator wrote %d with %d dirty", f.File, f.RowsRead, f.Rejected, fm.Rows, fm.Rejected)
				}
				for code, n := range fm.Defects {
					if f.RejectedByReason[code] != n {
						t.Errorf("%s: %s rejected %d times, generator injected %d", f.File, code, f.RejectedByReason[code], n)
					}
				}
				for code, n := range f.RejectedByReason {
					if fm.Defects[code] != n {
						t.Errorf("%s: %s rejected %d times, generator injected %d", f.File, code, n, fm.Defects[code])
					}
				}
				rejectedBy[f.Dataset] += f.Rejected
				if f.Inserted != f.Accepted {
					t.Errorf("%s: inserted %d, accepted %d on an empty lake", f.File, f.Inserted, f.Accepted)
				}
			}
			for ds, want := range rejectedBy {
				rows, err := rejects.Read(ctx, lk, ds, rejects.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(rows)) != want {
					t.Errorf("rejected/%s holds %d rows, run rejected %d", ds, len(rows), want)
				}
			}
			for ds, c := range m.Datasets {
				if got := countRows(t, lk, ds); int64(got) != c.Accepted {
					t.Errorf("%s: %d rows in silver, %d accepted by the generator's count", ds, got, c.Accepted)
				}
			}
		})
	}
}
