package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/keyset"
	"github.com/lakeops/lakeops/etl/lake"
)

func crossCheckFile(seed uint64, n, base int, quoted bool) string {
	r := rand.New(rand.NewPCG(seed, 3))
	var b strings.Builder
	b.WriteString("product_id,department_id,department,product_name\n")
	for i := range n {
		id := base + i
		if r.IntN(10) == 0 {
			id = base + r.IntN(i+1)
		}
		name := fmt.Sprintf("p%d", id)
		if quoted && r.IntN(6) == 0 {
			name = "\"" + strings.Repeat("multi\nline ", 30) + "\""
		}
		fmt.Fprintf(&b, "%d,1,d,%s\n", id, name)
	}
	return b.String()
}

func sortedSetKeys(s *keyset.Set) []int64 {
	var out []int64
	if s == nil {
		return nil
	}
	s.Range(func(k int64) { out = append(out, k) })
	slices.Sort(out)
	return out
}

// The key pass gives the same keys, repeats, range, per-file states and
// statuses with crossCheck (each file's keys kept apart until the file is
// read, for a forced run's shortcut) as without, for split files, pieces
// that disagree (and the re-read), a file that fails, a file gone since
// the listing and files sharing keys, with 1 to 4 CPUs; and it finds the
// keys two files share.
func TestCrossCheckKeyPassIsTheSame(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	ctx := context.Background()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	ds, _ := dataset.ByName("products")
	cuts := 0
	defer func() {
		if cuts == 0 {
			t.Error("no pieces disagreed: the re-read was not covered")
		}
	}()
	for seed := range uint64(4) {
		contents := map[string]string{
			"bronze_layer/p_a.csv":   crossCheckFile(seed, 500, 1000, false),
			"bronze_layer/p_b.csv":   crossCheckFile(seed+10, 300, 1200, seed%2 == 0), // overlaps a, quoted fields across cuts
			"bronze_layer/p_c.csv":   crossCheckFile(seed+20, 50, -40, false),
			"bronze_layer/p_bad.csv": "no_key,x\n1,2\n",
		}
		var keys []string
		for k, v := range contents {
			if err := st.Put(ctx, k, strings.NewReader(v)); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		keys = append(keys, "bronze_layer/p_gone.csv") // listed, then removed
		for procs := 1; procs <= 4; procs++ {
			runtime.GOMAXPROCS(procs)
			var results []string
			for _, cross := range []bool{false, true} {
				var files []*rawFile
				for _, k := range keys {
					info, err := st.Stat(ctx, k)
					if err != nil {
						info.Key, info.Size = k, 4096
					}
					files = append(files, &rawFile{info: info, id: identityOf(info), dataset: ds})
				}
				r := &run{lake: lk, opts: Options{Limits: Limits{KeyPieceBytes: 512}, Progress: func(e Event) {
					if strings.Contains(e.Message, "spans the cut") {
						cuts++
					}
				}}}
				d := &dsRun{r: r, ds: ds, keys: keyset.NewSet(estimateRows(files)), repeated: keyset.NewSet(0), perFile: map[*rawFile]*fileState{}, crossCheck: cross}
				if err := d.keyPass(ctx, files); err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "keys %v\nrepeated %v\nlo %d hi %d\n", sortedSetKeys(d.keys), sortedSetKeys(d.repeated), d.keyLo, d.keyHi)
				for _, f := range files {
					rec := int64(-1)
					if s := d.perFile[f]; s != nil {
						rec = s.records
					}
					fmt.Fprintf(&b, "%s %s %q records %d\n", f.info.Key, f.result.Status, f.result.Error, rec)
				}
				if cross && len(d.fileKeys) != 0 {
					t.Errorf("fileKeys left: %d", len(d.fileKeys))
				}
				if cross && !d.crossFile {
					t.Errorf("seed %d procs %d: p_a and p_b share keys, crossFile not set", seed, procs)
				}
				results = append(results, b.String())
			}
			if results[0] != results[1] {
				t.Fatalf("seed %d procs %d: crossCheck changed the key pass:\n--- without\n%s\n--- with\n%s", seed, procs, results[0], results[1])
			}
		}
	}
}
