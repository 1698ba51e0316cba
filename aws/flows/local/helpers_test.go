package local

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
)

const seedDir = "../../../testdata/seed"

// day is the fake clock's date: archives go to archive/2026/11/25/.
var day = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newLake(t *testing.T) *lake.Lake {
	t.Helper()
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return lake.New(st)
}

// copySeed copies the seed's products and the first days of orders and
// order items (enough for every table, fast) to the bronze layer.
func copySeed(t *testing.T, st storage.Store) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(seedDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".csv") {
			return err
		}
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "products") && !strings.Contains(base, "2025_04_01") && !strings.Contains(base, "2025_04_02") {
			return nil
		}
		rel, _ := filepath.Rel(seedDir, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		n++
		return st.Put(context.Background(), "bronze_layer/"+filepath.ToSlash(rel), f)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// keys lists the keys under a prefix.
func keys(t *testing.T, st storage.Store, prefix string) []string {
	t.Helper()
	var out []string
	for obj, err := range st.List(context.Background(), prefix, storage.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, obj.Key)
	}
	return out
}

func countRows(t *testing.T, lk *lake.Lake, ds string) int {
	t.Helper()
	snap, err := lk.Silver(ds).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range snap.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// newService returns a service with the lake's resources on a fake clock.
func newService(t *testing.T, lk *lake.Lake) (*Service, *LakeResources) {
	t.Helper()
	clk := asl.NewFakeClock(day)
	res := NewLakeResources(lk, clk)
	t.Cleanup(func() { _ = res.Close() })
	s := New(lk, res, clk)
	t.Cleanup(s.Close)
	return s, res
}

func eventTypes(evs []asl.Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}
