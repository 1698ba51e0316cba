package storagetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
)

// putAll puts keys (content: the key) with a few concurrent writers.
func putAll(t *testing.T, s storage.Store, keys []string) {
	t.Helper()
	work := make(chan string)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for k := range work {
				put(t, s, k, k)
			}
		})
	}
	for _, i := range rand.Perm(len(keys)) {
		work <- keys[i]
	}
	close(work)
	wg.Wait()
}

// testListOrder: S3 order is bytewise on whole keys, so the file "a-c" comes
// before the folder "a" ('-' < '/'), and "a/b" before "a0" ('/' < '0').
func testListOrder(t *testing.T, s storage.Store) {
	keys := []string{"a-c", "a.x", "a/b", "a/c/d", "a/c-d", "a/c.e", "a0", "a", "B", "b", "b/", "_x", "a/c/d/e"}
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "b/" })
	// A key cannot be both a file and a folder on a folder store: drop "a" and "a/c/d".
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "a" || k == "a/c/d" })
	putAll(t, s, keys)
	want := slices.Sorted(slices.Values(keys))
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, want) {
		t.Errorf("List =\n%q\nwant\n%q", got, want)
	}
	if got := list(t, s, "a", storage.ListOptions{}); !slices.Equal(got, []string{"a-c", "a.x", "a/b", "a/c-d", "a/c.e", "a/c/d/e", "a0"}) {
		t.Errorf("List(a) = %q", got)
	}
}

func testListPrefix(t *testing.T, s storage.Store) {
	putAll(t, s, []string{
		"bronze/order.csv", "bronze/orders/x.csv", "bronze/orders/y/z.csv", "bronze/orders_2/y.csv",
		"bronze/products/p.csv", "bronzed/z", "bronze-z",
	})
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"bronze/ord", []string{"bronze/order.csv", "bronze/orders/x.csv", "bronze/orders/y/z.csv", "bronze/orders_2/y.csv"}},
		{"bronze/orders", []string{"bronze/orders/x.csv", "bronze/orders/y/z.csv", "bronze/orders_2/y.csv"}},
		{"bronze/orders/", []string{"bronze/orders/x.csv", "bronze/orders/y/z.csv"}},
		{"bronze/orders/x.csv", []string{"bronze/orders/x.csv"}},
		{"bronze/orders/x.csv/", nil},
		{"bronze", []string{"bronze-z", "bronze/order.csv", "bronze/orders/x.csv", "bronze/orders/y/z.csv",
			"bronze/orders_2/y.csv", "bronze/products/p.csv", "bronzed/z"}},
		{"bronze/p", []string{"bronze/products/p.csv"}},
		{"silver/", nil},
		{"silver/x", nil},
		{"bronze/zzz", nil},
	} {
		if got := list(t, s, tc.prefix, storage.ListOptions{}); !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

func testListStartAfter(t *testing.T, s storage.Store) {
	keys := []string{"a-c", "a/b", "a/c/d", "a0", "b/x", "b/y", "c"}
	putAll(t, s, keys)
	for _, tc := range []struct {
		prefix, after string
		want          []string
	}{
		{"", "a/b", []string{"a/c/d", "a0", "b/x", "b/y", "c"}},
		{"", "a/", []string{"a/b", "a/c/d", "a0", "b/x", "b/y", "c"}},
		{"", "a/bz", []string{"a/c/d", "a0", "b/x", "b/y", "c"}},
		{"", "a-c", []string{"a/b", "a/c/d", "a0", "b/x", "b/y", "c"}},
		{"", "", keys},
		{"", "0", keys},
		{"", "c", nil},
		{"", "zzz", nil},
		{"b/", "b/x", []string{"b/y"}},
		{"b/", "a", []string{"b/x", "b/y"}},
		{"a", "a/c", []string{"a/c/d", "a0"}},
	} {
		got := list(t, s, tc.prefix, storage.ListOptions{StartAfter: tc.after})
		if !slices.Equal(got, tc.want) {
			t.Errorf("List(%q, StartAfter %q) = %q, want %q", tc.prefix, tc.after, got, tc.want)
		}
	}
}

func testListDelimited(t *testing.T, s storage.Store) {
	putAll(t, s, []string{"top.csv", "a-c", "a/x", "a/y/z", "a/y/w/v", "b/c", "bronze/orders/1.csv", "bronze/order.csv", "bronze/orders_2/2.csv"})
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a-c", "a/", "b/", "bronze/", "top.csv"}},
		{"a/", []string{"a/x", "a/y/"}},
		{"a", []string{"a-c", "a/"}},
		{"a/y/", []string{"a/y/w/", "a/y/z"}},
		{"bronze/ord", []string{"bronze/order.csv", "bronze/orders/", "bronze/orders_2/"}},
		{"bronze/orders/", []string{"bronze/orders/1.csv"}},
		{"nope/", nil},
	} {
		got := list(t, s, tc.prefix, storage.ListOptions{Delimited: true})
		if !slices.Equal(got, tc.want) {
			t.Errorf("List(%q, Delimited) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

// testListDelimitedStartAfter: StartAfter applies to the listed entries, so a
// folder "p/" is listed only when "p/" > StartAfter (as on S3), and the last
// entry seen resumes a listing.
func testListDelimitedStartAfter(t *testing.T, s storage.Store) {
	putAll(t, s, []string{"a-c", "a/x", "a/y", "b/c", "c"})
	for _, tc := range []struct {
		after string
		want  []string
	}{
		{"a-c", []string{"a/", "b/", "c"}},
		{"a", []string{"a-c", "a/", "b/", "c"}},
		{"a/", []string{"b/", "c"}},
		{"a/x", []string{"b/", "c"}},
		{"a/y", []string{"b/", "c"}},
		{"a0", []string{"b/", "c"}},
		{"b/c", []string{"c"}},
	} {
		got := list(t, s, "", storage.ListOptions{StartAfter: tc.after, Delimited: true})
		if !slices.Equal(got, tc.want) {
			t.Errorf("List(Delimited, StartAfter %q) = %q, want %q", tc.after, got, tc.want)
		}
	}
}

// testListMany lists more keys than one S3 page (1000) holds.
func testListMany(t *testing.T, s storage.Store) {
	var keys []string
	for i := range 2500 {
		if i%10 == 3 {
			keys = append(keys, fmt.Sprintf("many/d%04d/part-%d.csv", i/100, i))
		} else {
			keys = append(keys, fmt.Sprintf("many/k%04d", i))
		}
	}
	putAll(t, s, keys)
	want := slices.Sorted(slices.Values(keys))
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, want) {
		t.Fatalf("List: %d keys, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	got := list(t, s, "many/", storage.ListOptions{StartAfter: want[1234]})
	if !slices.Equal(got, want[1235:]) {
		t.Errorf("StartAfter %q: %d keys, want %d", want[1234], len(got), len(want)-1235)
	}
	got = list(t, s, "many/", storage.ListOptions{Delimited: true})
	if len(got) != 2250+25 || got[0] != "many/d0000/" || got[len(got)-1] != "many/k2499" {
		t.Errorf("Delimited: %d entries (%q ... %q), want 2275", len(got), got[0], got[len(got)-1])
	}
	if got := list(t, s, "many/d001", storage.ListOptions{}); len(got) != 100 {
		t.Errorf("List(many/d001): %d keys, want 100", len(got))
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// testListStopEarly: breaking out of the loop stops the listing cleanly
// (a yield after a false return would panic).
func testListStopEarly(t *testing.T, s storage.Store) {
	putAll(t, s, []string{"a/1", "a/2", "b/1/x", "b/2/y", "c"})
	for _, opts := range []storage.ListOptions{{}, {Delimited: true}, {StartAfter: "a/1"}} {
		for stop := 1; stop <= 3; stop++ {
			n := 0
			for _, err := range s.List(t.Context(), "", opts) {
				if err != nil {
					t.Fatal(err)
				}
				n++
				if n == stop {
					break
				}
			}
			if n != stop {
				t.Errorf("%+v: stopped after %d, want %d", opts, n, stop)
			}
		}
	}
}
