package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
)

func testPutStatOpen(t *testing.T, s storage.Store) {
	before := time.Now().Add(-2 * time.Second)
	put(t, s, "bronze/orders/day1.csv", "order_id,total\n1,9.99\n")
	after := time.Now().Add(2 * time.Second)
	oi, err := s.Stat(t.Context(), "bronze/orders/day1.csv")
	if err != nil {
		t.Fatal(err)
	}
	if oi.Key != "bronze/orders/day1.csv" || oi.Size != 22 || oi.IsPrefix {
		t.Errorf("Stat = %+v, want key bronze/orders/day1.csv, size 22", oi)
	}
	if oi.ModTime.Before(before) || oi.ModTime.After(after) {
		t.Errorf("ModTime %v not between %v and %v", oi.ModTime, before, after)
	}
	if got := read(t, s, "bronze/orders/day1.csv", 0, -1); got != "order_id,total\n1,9.99\n" {
		t.Errorf("content %q", got)
	}
	put(t, s, "empty", "")
	if oi, err := s.Stat(t.Context(), "empty"); err != nil || oi.Size != 0 {
		t.Errorf("Stat(empty) = %+v, %v", oi, err)
	}
	if got := read(t, s, "empty", 0, -1); got != "" {
		t.Errorf("empty content %q", got)
	}
	got := list(t, s, "", storage.ListOptions{})
	if want := []string{"bronze/orders/day1.csv", "empty"}; !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	for oi, err := range s.List(t.Context(), "bronze/", storage.ListOptions{}) {
		if err != nil || oi.Size != 22 || oi.ModTime.Before(before) || oi.ModTime.After(after) {
			t.Errorf("listed %+v, %v", oi, err)
		}
	}
}

func testRanges(t *testing.T, s storage.Store) {
	const content = "0123456789"
	put(t, s, "r", content)
	for _, tc := range []struct {
		off, n int64
		want   string
	}{
		{0, -1, content}, {0, 4, "0123"}, {3, -1, "3456789"}, {3, 4, "3456"},
		{8, 100, "89"}, {9, 1, "9"}, {5, 0, ""}, {10, -1, ""}, {10, 5, ""}, {50, 5, ""}, {50, -1, ""},
	} {
		if got := read(t, s, "r", tc.off, tc.n); got != tc.want {
			t.Errorf("Open(r, %d, %d) = %q, want %q", tc.off, tc.n, got, tc.want)
		}
	}
	_, err := s.Open(t.Context(), "r", -1, 2)
	wantStoreError(t, err, "open", "r", nil)
	put(t, s, "zero", "")
	if got := read(t, s, "zero", 0, 5); got != "" {
		t.Errorf("range of empty object = %q", got)
	}
}

func testOverwrite(t *testing.T, s storage.Store) {
	put(t, s, "k", "first, longer content")
	put(t, s, "k", "second")
	if got := read(t, s, "k", 0, -1); got != "second" {
		t.Errorf("after overwrite: %q", got)
	}
	if oi, err := s.Stat(t.Context(), "k"); err != nil || oi.Size != 6 {
		t.Errorf("Stat after overwrite = %+v, %v", oi, err)
	}
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, []string{"k"}) {
		t.Errorf("List = %q (temporary files must not show)", got)
	}
}

// testLargeStreamedPut puts a body of unknown length, read in small pieces.
func testLargeStreamedPut(t *testing.T, s storage.Store) {
	data := bytes.Repeat([]byte("lakeops-0123456789\n"), 60000) // ~1.1 MiB
	body := iotest.HalfReader(io.MultiReader(bytes.NewReader(data[:1000]), bytes.NewReader(data[1000:])))
	if err := s.Put(t.Context(), "big/blob", body); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, "big/blob", 0, -1); got != string(data) {
		t.Fatalf("content differs: %d bytes, want %d", len(got), len(data))
	}
	if got := read(t, s, "big/blob", 1<<20, 19); got != string(data[1<<20:1<<20+19]) {
		t.Errorf("range %q", got)
	}
	failing := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errors.New("disk on fire")))
	if err := s.Put(t.Context(), "big/failed", failing); err == nil {
		t.Error("Put with a failing body: no error")
	}
	if _, err := s.Stat(t.Context(), "big/failed"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("failed Put left an object: %v", err)
	}
}

func testPutIfAbsent(t *testing.T, s storage.Store) {
	key := "_delta_log/00000000000000000000.json"
	if err := s.PutIfAbsent(t.Context(), key, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := s.PutIfAbsent(t.Context(), key, []byte("second"))
	wantStoreError(t, err, "put-if-absent", key, storage.ErrExists)
	if got := read(t, s, key, 0, -1); got != "first" {
		t.Errorf("content after lost PutIfAbsent: %q", got)
	}
	if err := s.PutIfAbsent(t.Context(), "_delta_log/empty", nil); err != nil {
		t.Errorf("PutIfAbsent of empty data: %v", err)
	}
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, []string{"_delta_log/00000000000000000000.json", "_delta_log/empty"}) {
		t.Errorf("List = %q", got)
	}
}

// testPutIfAbsentRace races 8 writers on each of 50 keys: exactly one wins each.
func testPutIfAbsentRace(t *testing.T, s storage.Store) {
	const keys, writers = 50, 8
	var wg sync.WaitGroup
	wins := make([][]int, keys)
	var mu sync.Mutex
	errs := make(chan error, keys*writers)
	for k := range keys {
		for w := range writers {
			wg.Go(func() {
				key := fmt.Sprintf("race/%02d.json", k)
				err := s.PutIfAbsent(t.Context(), key, fmt.Appendf(nil, "writer %d", w))
				switch {
				case err == nil:
					mu.Lock()
					wins[k] = append(wins[k], w)
					mu.Unlock()
				case !errors.Is(err, storage.ErrExists):
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("PutIfAbsent: %v", err)
	}
	for k, w := range wins {
		if len(w) != 1 {
			t.Errorf("key %d: %d winners %v, want exactly 1", k, len(w), w)
			continue
		}
		key := fmt.Sprintf("race/%02d.json", k)
		if got := read(t, s, key, 0, -1); got != fmt.Sprintf("writer %d", w[0]) {
			t.Errorf("%s holds %q, but writer %d won", key, got, w[0])
		}
	}
	if got := list(t, s, "race/", storage.ListOptions{}); len(got) != keys {
		t.Errorf("listed %d keys, want %d: %q", len(got), keys, got)
	}
}

func testCopy(t *testing.T, s storage.Store) {
	put(t, s, "bronze/in.csv", "a,b\n1,2\n")
	if err := s.Copy(t.Context(), "bronze/in.csv", "archive/2026/11/25/in.csv"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "other", "old")
	if err := s.Copy(t.Context(), "bronze/in.csv", "other"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bronze/in.csv", "archive/2026/11/25/in.csv", "other"} {
		if got := read(t, s, k, 0, -1); got != "a,b\n1,2\n" {
			t.Errorf("%s = %q", k, got)
		}
	}
	put(t, s, "bronze/in.csv", "changed")
	if got := read(t, s, "archive/2026/11/25/in.csv", 0, -1); got != "a,b\n1,2\n" {
		t.Errorf("copy changed with its source: %q", got)
	}
	err := s.Copy(t.Context(), "bronze/missing.csv", "x")
	wantStoreError(t, err, "copy", "bronze/missing.csv", storage.ErrNotExist)
	if _, err := s.Stat(t.Context(), "x"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("failed copy created its target: %v", err)
	}
}

func testDelete(t *testing.T, s storage.Store) {
	put(t, s, "d/e/f/g.csv", "x")
	put(t, s, "d/keep.csv", "y")
	if err := s.Delete(t.Context(), "d/e/f/g.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(t.Context(), "d/e/f/g.csv"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("Stat after Delete: %v", err)
	}
	if err := s.Delete(t.Context(), "d/e/f/g.csv"); err != nil {
		t.Errorf("Delete of a deleted key: %v", err)
	}
	if err := s.Delete(t.Context(), "never/was"); err != nil {
		t.Errorf("Delete of an absent key: %v", err)
	}
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, []string{"d/keep.csv"}) {
		t.Errorf("List = %q", got)
	}
	if got := list(t, s, "d/", storage.ListOptions{Delimited: true}); !slices.Equal(got, []string{"d/keep.csv"}) {
		t.Errorf("delimited List = %q (no empty folder d/e/)", got)
	}
	if err := s.Delete(t.Context(), "d/keep.csv"); err != nil {
		t.Fatal(err)
	}
	if got := list(t, s, "", storage.ListOptions{Delimited: true}); len(got) != 0 {
		t.Errorf("List of an emptied store = %q", got)
	}
	put(t, s, "d/again.csv", "z") // the pruned folders can be made again
	if got := read(t, s, "d/again.csv", 0, -1); got != "z" {
		t.Errorf("got %q", got)
	}
}

func testNotFound(t *testing.T, s storage.Store) {
	put(t, s, "present/x", "x")
	for _, key := range []string{"absent", "present/absent", "absent/deeper/key.csv", "present/x/below"} {
		_, err := s.Stat(t.Context(), key)
		wantStoreError(t, err, "stat", key, storage.ErrNotExist)
		_, err = s.Open(t.Context(), key, 0, -1)
		wantStoreError(t, err, "open", key, storage.ErrNotExist)
		_, err = s.Open(t.Context(), key, 2, 5)
		wantStoreError(t, err, "open", key, storage.ErrNotExist)
		_, err = s.Open(t.Context(), key, 0, 0)
		wantStoreError(t, err, "open", key, storage.ErrNotExist)
		_, err = storage.ReadAll(t.Context(), s, key)
		wantStoreError(t, err, "open", key, storage.ErrNotExist)
	}
	if !strings.Contains(fmt.Sprint(func() error { _, err := s.Stat(t.Context(), "absent"); return err }()), s.URI()) {
		t.Errorf("error does not name the store %s", s.URI())
	}
}

// testFolderIsNotObject: "d" is not an object because "d/e" exists.
func testFolderIsNotObject(t *testing.T, s storage.Store) {
	put(t, s, "d/e", "x")
	_, err := s.Stat(t.Context(), "d")
	wantStoreError(t, err, "stat", "d", storage.ErrNotExist)
	_, err = s.Open(t.Context(), "d", 0, -1)
	wantStoreError(t, err, "open", "d", storage.ErrNotExist)
	if err := s.Delete(t.Context(), "d"); err != nil {
		t.Errorf("Delete(d): %v", err)
	}
	if got := read(t, s, "d/e", 0, -1); got != "x" {
		t.Errorf("d/e = %q after Delete(d)", got)
	}
}

func testSpecialKeys(t *testing.T, s storage.Store) {
	keys := []string{
		"with space/file name.csv",
		"plus+sign/a+b.csv",
		"percent/100%25 done%.csv",
		"unicode/Ünïcødé/日本語.csv",
		"punct/a=b&c;d,e@f!g'h(i)j[k]~$.csv",
		"dots/..hidden/.file...csv",
		"date=2026-11-25/part-00000.parquet",
		"emoji/🦆.csv",
	}
	for i, k := range keys {
		put(t, s, k, fmt.Sprint(i))
	}
	for i, k := range keys {
		if got := read(t, s, k, 0, -1); got != fmt.Sprint(i) {
			t.Errorf("%q = %q", k, got)
		}
		if oi, err := s.Stat(t.Context(), k); err != nil || oi.Key != k {
			t.Errorf("Stat(%q) = %+v, %v", k, oi, err)
		}
		dst := "copied/" + k
		if err := s.Copy(t.Context(), k, dst); err != nil {
			t.Errorf("Copy(%q): %v", k, err)
		} else if got := read(t, s, dst, 0, -1); got != fmt.Sprint(i) {
			t.Errorf("copy of %q = %q", k, got)
		}
	}
	want := append([]string(nil), keys...)
	for _, k := range keys {
		want = append(want, "copied/"+k)
	}
	slices.Sort(want)
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, want) {
		t.Errorf("List =\n%q\nwant\n%q", got, want)
	}
	if got := list(t, s, "plus+sign/a+", storage.ListOptions{}); !slices.Equal(got, []string{"plus+sign/a+b.csv"}) {
		t.Errorf("List(plus+sign/a+) = %q", got)
	}
	if got := list(t, s, "percent/100%25", storage.ListOptions{}); !slices.Equal(got, []string{"percent/100%25 done%.csv"}) {
		t.Errorf("List(percent/100%%25) = %q", got)
	}
	for _, k := range keys {
		if err := s.Delete(t.Context(), k); err != nil {
			t.Errorf("Delete(%q): %v", k, err)
		}
		if _, err := s.Stat(t.Context(), k); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Stat(%q) after Delete: %v", k, err)
		}
	}
}

func testInvalidKeys(t *testing.T, s storage.Store) {
	put(t, s, "ok", "x")
	ctx := t.Context()
	for _, key := range []string{"", "/abs", "/", "../up", "a/../../up", "a/./b", "a//b", "dir/", "a\\b", "nul\x00", "\xff\xfe", strings.Repeat("k", 1025)} {
		_, err := s.Stat(ctx, key)
		wantStoreError(t, err, "stat", key, storage.ErrInvalidKey)
		_, err = s.Open(ctx, key, 0, -1)
		wantStoreError(t, err, "open", key, storage.ErrInvalidKey)
		wantStoreError(t, s.Put(ctx, key, strings.NewReader("x")), "put", key, storage.ErrInvalidKey)
		wantStoreError(t, s.PutIfAbsent(ctx, key, []byte("x")), "put-if-absent", key, storage.ErrInvalidKey)
		wantStoreError(t, s.Delete(ctx, key), "delete", key, storage.ErrInvalidKey)
		wantStoreError(t, s.Copy(ctx, key, "ok2"), "copy", key, storage.ErrInvalidKey)
		wantStoreError(t, s.Copy(ctx, "ok", key), "copy", "ok", storage.ErrInvalidKey)
	}
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("List = %q", got)
	}
}

func testCanceledContext(t *testing.T, s storage.Store) {
	put(t, s, "k", "x")
	ctx := canceled(t)
	if _, err := s.Stat(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat: %v", err)
	}
	if err := s.Put(ctx, "k2", strings.NewReader("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put: %v", err)
	}
	if err := s.PutIfAbsent(ctx, "k3", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("PutIfAbsent: %v", err)
	}
	n := 0
	for _, err := range s.List(ctx, "", storage.ListOptions{}) {
		n++
		if !errors.Is(err, context.Canceled) {
			t.Errorf("List yielded %v", err)
		}
	}
	if n != 1 {
		t.Errorf("List yielded %d entries, want 1 error", n)
	}
	if got := list(t, s, "", storage.ListOptions{}); !slices.Equal(got, []string{"k"}) {
		t.Errorf("List = %q", got)
	}
}

func testReaderAt(t *testing.T, s storage.Store) {
	put(t, s, "f.parquet", "PAR1 body footer PAR1")
	r := storage.NewReaderAt(t.Context(), s, "f.parquet", 21)
	p := make([]byte, 4)
	if n, err := r.ReadAt(p, 17); n != 4 || err != nil || string(p) != "PAR1" {
		t.Errorf("ReadAt(17) = %d, %v, %q", n, err, p)
	}
	if n, err := r.ReadAt(p, 19); n != 2 || err != io.EOF || string(p[:n]) != "R1" {
		t.Errorf("ReadAt(19) = %d, %v, %q", n, err, p[:n])
	}
	if n, err := r.ReadAt(p, 21); n != 0 || err != io.EOF {
		t.Errorf("ReadAt(21) = %d, %v", n, err)
	}
	if err := iotest.TestReader(io.NewSectionReader(r, 0, r.Size()), []byte("PAR1 body footer PAR1")); err != nil {
		t.Error(err)
	}
}

// testCanceledEmpty: a done context fails List even when nothing would be listed.
func testCanceledEmpty(t *testing.T, s storage.Store) {
	for _, prefix := range []string{"", "none/"} {
		n := 0
		for _, err := range s.List(canceled(t), prefix, storage.ListOptions{}) {
			n++
			if !errors.Is(err, context.Canceled) {
				t.Errorf("List(%q) yielded %v", prefix, err)
			}
		}
		if n != 1 {
			t.Errorf("List(%q) yielded %d entries, want 1 error", prefix, n)
		}
	}
}
