package duck

import (
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
	"github.com/lakeops/lakeops/etl/lake"
)

// cachedFiles lists the Parquet files in the cache, by table folder.
func cachedFiles(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".parquet") {
			rel, _ := filepath.Rel(dir, p)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			out[parts[1]+"/"+parts[2]]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestS3LakeThroughCache(t *testing.T) {
	_, dir := seedLake(t)
	srv := gwtest.Start(t)
	lk := lake.New(srv.NewStore(t, "lake"))
	storagetest.PutDir(t, lk.Store, "", dir)
	cache := t.TempDir()

	var mu sync.Mutex
	var calls [][2]int64
	opts := Options{CacheDir: cache, Progress: func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, [2]int64{done, total})
	}}
	e := openEngine(t, lk, opts)
	if got := count(t, e, "SELECT count(*) FROM order_items"); got != 40803 {
		t.Fatalf("S3 lake: %d items, want 40803", got)
	}
	// Only the table the statement names was fetched.
	files := cachedFiles(t, cache)
	if len(files) != 1 || files["silver_layer/order_items"] != 15 {
		t.Fatalf("cached files %v, want the 15 of order_items", files)
	}
	if len(calls) < 2 || calls[0][0] != 0 || calls[len(calls)-1][0] != calls[len(calls)-1][1] || calls[0][1] == 0 {
		t.Fatalf("progress calls %v", calls)
	}
	if got := count(t, e, `SELECT count(*) FROM order_items i JOIN orders o USING (order_id)`); got != 40803 {
		t.Fatalf("join: %d", got)
	}

	// A second engine reuses the cache: nothing is fetched again.
	calls = nil
	e2 := openEngine(t, lk, opts)
	if got := count(t, e2, "SELECT count(*) FROM order_items"); got != 40803 {
		t.Fatalf("second engine: %d items", got)
	}
	if len(calls) != 0 {
		t.Fatalf("second engine fetched again: %v", calls)
	}

	// The size limit names the table and the sizes.
	small := openEngine(t, lk, Options{CacheDir: cache, CacheLimitBytes: 10_000})
	_, _, err := tryCollect(small, "SELECT count(*) FROM order_items")
	if err == nil || !strings.Contains(err.Error(), "table order_items") || !strings.Contains(err.Error(), "limit of 9.8 KiB") || !strings.Contains(err.Error(), "KiB") {
		t.Fatalf("over the cache limit: %v", err)
	}
}

func TestS3LakeRefreshAndTimeTravel(t *testing.T) {
	srv := gwtest.Start(t)
	lk := lake.New(srv.NewStore(t, "lake"))
	putSeed(t, lk.Store, "products.csv", "orders/orders_2025_04_01.csv")
	runPipeline(t, lk)
	e := openEngine(t, lk, Options{CacheDir: t.TempDir(), RecheckInterval: -1})
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 500 {
		t.Fatalf("%d orders", got)
	}
	v1 := version(t, lk, "orders")
	putSeed(t, lk.Store, "orders/orders_2025_04_02.csv")
	runPipeline(t, lk)
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 1000 {
		t.Fatalf("after the second run: %d orders", got)
	}
	if got := count(t, e, "SELECT count(*) FROM orders@v"+strconv.FormatInt(v1, 10)); got != 500 {
		t.Fatalf("orders@v%d: %d", v1, got)
	}
}
