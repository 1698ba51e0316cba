// Package storagetest is the behaviour suite every storage.Store must pass: one
// set of tests, run against the folder store and against S3 (versitygw), so
// that the pipeline sees the same semantics on both.
package storagetest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
)

// Run runs the suite. newStore must return a new, empty store each call; it is
// called from parallel subtests.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, storage.Store)
	}{
		{"PutStatOpen", testPutStatOpen},
		{"Ranges", testRanges},
		{"Overwrite", testOverwrite},
		{"LargeStreamedPut", testLargeStreamedPut},
		{"PutIfAbsent", testPutIfAbsent},
		{"PutIfAbsentRace", testPutIfAbsentRace},
		{"Copy", testCopy},
		{"Delete", testDelete},
		{"NotFound", testNotFound},
		{"FolderIsNotObject", testFolderIsNotObject},
		{"SpecialKeys", testSpecialKeys},
		{"InvalidKeys", testInvalidKeys},
		{"CanceledContext", testCanceledContext},
		{"CanceledEmpty", testCanceledEmpty},
		{"ReaderAt", testReaderAt},
		{"ListOrder", testListOrder},
		{"ListPrefix", testListPrefix},
		{"ListStartAfter", testListStartAfter},
		{"ListDelimited", testListDelimited},
		{"ListDelimitedStartAfter", testListDelimitedStartAfter},
		{"ListMany", testListMany},
		{"ListStopEarly", testListStopEarly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func put(t testing.TB, s storage.Store, key, content string) {
	t.Helper()
	if err := s.Put(t.Context(), key, strings.NewReader(content)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func read(t testing.TB, s storage.Store, key string, offset, length int64) string {
	t.Helper()
	rc, err := s.Open(t.Context(), key, offset, length)
	if err != nil {
		t.Fatalf("Open(%q, %d, %d): %v", key, offset, length, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return string(b)
}

// list returns the keys List yields; prefixes keep their trailing "/".
func list(t testing.TB, s storage.Store, prefix string, opts storage.ListOptions) []string {
	t.Helper()
	var keys []string
	for oi, err := range s.List(t.Context(), prefix, opts) {
		if err != nil {
			t.Fatalf("List(%q, %+v): %v", prefix, opts, err)
		}
		if oi.IsPrefix != strings.HasSuffix(oi.Key, "/") {
			t.Errorf("List(%q): entry %q has IsPrefix=%v", prefix, oi.Key, oi.IsPrefix)
		}
		keys = append(keys, oi.Key)
	}
	return keys
}

// wantStoreError checks that err is a *storage.Error for op and key that
// wraps target and names both in its message.
func wantStoreError(t testing.TB, err error, op, key string, target error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s %q: no error, want %v", op, key, target)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("%s %q: error %q does not wrap %v", op, key, err, target)
	}
	var se *storage.Error
	if !errors.As(err, &se) {
		t.Fatalf("%s %q: error %T %q is not a *storage.Error", op, key, err, err)
	}
	if se.Op != op || se.Key != key {
		t.Errorf("%s %q: error has Op %q Key %q", op, key, se.Op, se.Key)
	}
	if msg := err.Error(); !strings.Contains(msg, op) || !strings.Contains(msg, key) {
		t.Errorf("%s %q: message %q does not name op and key", op, key, msg)
	}
}

func canceled(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
