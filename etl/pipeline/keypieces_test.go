package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

// piecesFile is a products file of n rows with what can trip a cut: quoted
// fields holding line feeds (one of them long, in the middle of the file),
// repeated ids, bad rows, blank lines and CRLF line ends.
func piecesFile(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString("product_id,department_id,department,product_name\n")
	for i := range n {
		id := i + 1
		if r.IntN(20) == 0 {
			id = r.IntN(i+1) + 1 // a repeat
		}
		name := fmt.Sprintf("product %d", id)
		switch r.IntN(12) {
		case 0:
			name = fmt.Sprintf("\"two\nlines %d\"", id)
		case 1:
			name = fmt.Sprintf("\"with \"\"quotes\"\", and a comma %d\"", id)
		case 2:
			b.WriteString("\n") // a blank line
		}
		if i == n/2 { // a quoted field of many lines where the cut may fall
			name = "\"" + strings.Repeat("a long\nname ", 200+int(seed%97)) + "\""
		}
		dept := fmt.Sprint(r.IntN(21) + 1)
		if r.IntN(25) == 0 {
			dept = "x" // a type error
		}
		end := "\n"
		if r.IntN(8) == 0 {
			end = "\r\n"
		}
		fmt.Fprintf(&b, "%d,%s,dept %s,%s%s", id, dept, dept, name, end)
	}
	return b.String()
}

// runOutcome is what a run produced, as text to compare.
type runOutcome struct {
	files   []string
	silver  []string
	rejects []string
	notes   []string
}

func runPieces(t *testing.T, content string, lim pipeline.Limits) runOutcome {
	t.Helper()
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", content)
	var mu sync.Mutex
	var out runOutcome
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Limits: lim, Progress: func(e pipeline.Event) {
		if e.Message != "" {
			mu.Lock()
			out.notes = append(out.notes, e.File+": "+e.Message)
			mu.Unlock()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		out.files = append(out.files, fmt.Sprintf("%s %s read=%d acc=%d rej=%d ins=%d %v %s", f.File, f.Status, f.RowsRead, f.Accepted, f.Rejected, f.Inserted, f.RejectedByReason, f.Error))
	}
	for _, row := range silverRows(t, lk, "products") {
		out.silver = append(out.silver, strings.Join(row, "|"))
	}
	slices.Sort(out.silver)
	rows, err := rejects.Read(ctx, lk, "products", rejects.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		out.rejects = append(out.rejects, fmt.Sprintf("%d %v %q", r.Line, r.Reasons, r.Raw))
	}
	return out
}

// Reading a file's keys in pieces changes nothing a run produces: for
// files whose cuts fall between records, inside quoted fields of many
// lines, on CRLF ends and blank lines, with 2 to 5 pieces, the outcomes,
// the table and the rejects equal those of the file read in one piece; a
// cut inside a quoted field is noticed and the keys read again.
func TestKeyPiecesChangeNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	reread := 0
	for seed := range uint64(6) {
		content := piecesFile(seed, 400+int(seed)*37)
		runtime.GOMAXPROCS(2)
		whole := runPieces(t, content, pipeline.Limits{}) // below the default piece size: one piece
		if len(whole.silver) == 0 || len(whole.rejects) == 0 {
			t.Fatalf("seed %d: the file gave %d rows and %d rejects; the test wants both", seed, len(whole.silver), len(whole.rejects))
		}
		for procs := 2; procs <= 5; procs++ {
			runtime.GOMAXPROCS(procs)
			got := runPieces(t, content, pipeline.Limits{KeyPieceBytes: 512})
			name := fmt.Sprintf("seed %d, %d pieces", seed, procs)
			if !slices.Equal(got.files, whole.files) {
				t.Errorf("%s: files\n%v\nwant\n%v", name, got.files, whole.files)
			}
			if !slices.Equal(got.silver, whole.silver) {
				t.Errorf("%s: %d silver rows differ from the %d of one piece", name, len(got.silver), len(whole.silver))
			}
			if !slices.Equal(got.rejects, whole.rejects) {
				t.Errorf("%s: rejects\n%v\nwant\n%v", name, got.rejects, whole.rejects)
			}
			for _, n := range got.notes {
				if strings.Contains(n, "spans the cut") {
					if !strings.HasPrefix(n, "bronze_layer/products.csv: ") {
						t.Errorf("%s: the note names another file: %s", name, n)
					}
					reread++
				}
			}
		}
	}
	if reread == 0 {
		t.Error("no cut fell inside a quoted field: the re-read is untested")
	}
}
