package parquetrows

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// decodeAll opens and reads data, reporting whether it decoded. It must
// return, not panic, whatever the bytes.
func decodeAll(data []byte) (rows int, err error) {
	f, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, err
	}
	for _, err := range f.Rows() {
		if err != nil {
			return rows, err
		}
		rows++
	}
	return rows, decodeColumns(f)
}

// decodeColumns reads every flat column with the typed decoder; like the
// row decoder it must return, not panic.
func decodeColumns(f *File) error {
	var v Vector
	for _, c := range f.Columns() {
		r, err := f.NewColumnReader(c.Name)
		if err != nil {
			continue // nested
		}
		for {
			_, err := r.Read(&v, 100)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return err
			}
		}
		r.Close()
	}
	return nil
}

// TestCorruptInput feeds truncated and randomly damaged copies of real
// files to the decoder: each must decode or fail with an error.
func TestCorruptInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"all_types_legacy_format.parquet", "array_complex_objects.parquet",
		"map.parquet", "hive_map_types.parquet", "checkpoint_dv_columnmapping.parquet"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 3, 4, 8, 12, len(data) / 2, len(data) - 9, len(data) - 8, len(data) - 1} {
			if _, err := decodeAll(data[:n]); err == nil {
				t.Errorf("%s truncated to %d bytes: no error", name, n)
			}
		}
		failures := 0
		for range 300 {
			bad := bytes.Clone(data)
			for range 1 + rng.IntN(4) {
				bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			}
			if f, err := Open(bytes.NewReader(bad), int64(len(bad))); err == nil {
				decodeColumns(f) //nolint:errcheck // typed decoding on its own, ahead of the rows: only panics matter
			}
			if _, err := decodeAll(bad); err != nil {
				failures++
				if os.Getenv("ZZ") != "" {
					t.Log(err)
				}
			}
		}
		t.Logf("%s: %d of 300 damaged copies rejected", name, failures)
	}
}

// FuzzDecode checks that no input makes the decoder panic or hang.
func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.parquet"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) < 8000 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeAll(data) //nolint:errcheck // only panics and hangs matter
	})
}
