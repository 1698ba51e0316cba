package duck

import (
	"context"
	"testing"
)

// BenchmarkCountSeed times SELECT count(*) FROM order_items on the seed
// lake (folder), snapshot resolution included:
//   - fresh-engine: Open, resolve the snapshot of the table the statement
//     names, create its view, run, Close — what `lakeops query` does;
//   - forced-refresh: one engine whose knowledge of the tables is dropped
//     before each statement (the views it had are resolved and rebuilt);
//   - recheck: one engine that checks the logs for new commits before each
//     statement (RecheckInterval < 0) and finds none — the console's case.
func BenchmarkCountSeed(b *testing.B) {
	lk, _ := seedLake(b)
	ctx := context.Background()
	const stmt = "SELECT count(*) FROM order_items"
	b.Run("fresh-engine", func(b *testing.B) {
		for b.Loop() {
			e, err := Open(ctx, lk, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if n := count(b, e, stmt); n != 40803 {
				b.Fatal(n)
			}
			if err := e.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("forced-refresh", func(b *testing.B) {
		e := openEngine(b, lk, Options{})
		for b.Loop() {
			e.forget()
			if n := count(b, e, stmt); n != 40803 {
				b.Fatal(n)
			}
		}
	})
	b.Run("recheck", func(b *testing.B) {
		e := openEngine(b, lk, Options{RecheckInterval: -1})
		for b.Loop() {
			if n := count(b, e, stmt); n != 40803 {
				b.Fatal(n)
			}
		}
	})
}
