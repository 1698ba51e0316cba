package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/folder"
)

func TestOpenRawGuardsDecompressedSize(t *testing.T) {
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte("product_id,product_name\n" + strings.Repeat("1,a\n", 10000)))
	_ = zw.Close()
	ctx := context.Background()
	if err := st.Put(ctx, "bronze_layer/products.csv.gz", bytes.NewReader(gz.Bytes())); err != nil {
		t.Fatal(err)
	}
	read := func(lim Limits) (int, error) {
		r, err := OpenRaw(ctx, st, "bronze_layer/products.csv.gz", lim)
		if err != nil {
			return 0, err
		}
		defer r.Close()
		n := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			n++
		}
	}
	if n, err := read(Limits{}); err != nil || n != 10001 {
		t.Fatalf("within the limit: %d records, %v", n, err)
	}
	_, err = read(Limits{MaxDecompressedBytes: 1000})
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != "bronze_layer/products.csv.gz" || !strings.Contains(fe.Msg, "decompressed size") {
		t.Fatalf("beyond the limit: %v", err)
	}
}
