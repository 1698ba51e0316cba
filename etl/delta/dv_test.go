package delta

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/lakeops/lakeops/aws/storage/folder"
)

// encodeZ85 is the inverse of DecodeZ85 (len(b) a multiple of 4), for tests.
func encodeZ85(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		v := binary.BigEndian.Uint32(b[i:])
		var group [5]byte
		for j := 4; j >= 0; j-- {
			group[j] = z85Alphabet[v%85]
			v /= 85
		}
		sb.Write(group[:])
	}
	return sb.String()
}

// serialize renders rows as a RoaringBitmapArray: magic, portable bitmap.
func serialize(t testing.TB, rows ...uint64) []byte {
	t.Helper()
	bm := roaring64.BitmapOf(rows...)
	bm.RunOptimize()
	body, err := bm.ToPortableBytes()
	if err != nil {
		t.Fatal(err)
	}
	return append(binary.LittleEndian.AppendUint32(nil, dvMagic), body...)
}

// dvFile renders a deletion vector file holding the given serialized
// vectors; it returns the file and each vector's offset.
func dvFile(vectors ...[]byte) ([]byte, []int32) {
	file := []byte{dvFileVersion}
	var offsets []int32
	for _, v := range vectors {
		offsets = append(offsets, int32(len(file)))
		file = binary.BigEndian.AppendUint32(file, uint32(len(v)))
		file = append(file, v...)
		file = binary.BigEndian.AppendUint32(file, crc32.ChecksumIEEE(v))
	}
	return file, offsets
}

func rowsOf(bm *roaring64.Bitmap) []uint64 { return bm.ToArray() }

func tempTable(t *testing.T) (*Table, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return NewTable(st, "tbl"), filepath.Join(dir, "tbl")
}

func TestInlineDeletionVectorFromTheProtocol(t *testing.T) {
	// The inline example of the Delta protocol's deletion vector section
	// (rows 3, 4, 7, 11, 18, 29) holds the native layout written big
	// endian; Delta's own little-endian reader refuses it, and so do we,
	// naming the magic number read.
	dv := &DeletionVector{StorageType: DVInline, PathOrInlineDv: "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", SizeInBytes: 40, Cardinality: 6}
	tbl, _ := tempTable(t)
	_, err := tbl.DeletedRows(context.Background(), dv)
	if err == nil || !strings.Contains(err.Error(), "bytes 64 39 d3 d0") {
		t.Fatalf("want a refusal naming the big-endian magic, got %v", err)
	}
	if dv.UniqueID() != "iwi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L" {
		t.Fatalf("unique id %q", dv.UniqueID())
	}
	// The same rows in the little-endian native layout read back.
	low := roaring.BitmapOf(3, 4, 7, 11, 18, 29)
	lb, err := low.ToBytes()
	if err != nil {
		t.Fatal(err)
	}
	native := binary.LittleEndian.AppendUint32(nil, dvMagicNative)
	native = binary.LittleEndian.AppendUint32(native, 1)
	native = binary.LittleEndian.AppendUint32(native, uint32(len(lb)))
	native = append(native, lb...)
	bm, err := DecodeBitmap(native)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowsOf(bm), []uint64{3, 4, 7, 11, 18, 29}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
}

func TestInlineDeletionVectorRoundTrip(t *testing.T) {
	want := []uint64{0, 5, 1 << 20, 1<<32 + 7, 1<<40 + 1, 1<<62 + 3}
	raw := serialize(t, want...)
	padded := append([]byte(nil), raw...)
	for len(padded)%4 != 0 {
		padded = append(padded, 0)
	}
	dv := &DeletionVector{StorageType: DVInline, PathOrInlineDv: encodeZ85(padded), SizeInBytes: int32(len(raw)), Cardinality: int64(len(want))}
	bm, err := InlineBitmap(dv)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(bm); !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	dv.Cardinality = 5
	if _, err := InlineBitmap(dv); err == nil || !strings.Contains(err.Error(), "cardinality 5") {
		t.Fatalf("wrong cardinality: %v", err)
	}
	dv.Cardinality, dv.SizeInBytes = 6, int32(len(padded)+4)
	if _, err := InlineBitmap(dv); err == nil || !strings.Contains(err.Error(), "sizeInBytes") {
		t.Fatalf("size past the text: %v", err)
	}
}

func TestRelativePathFromTheProtocol(t *testing.T) {
	dv := &DeletionVector{StorageType: DVRelativeUUID, PathOrInlineDv: "ab^-aqEH.-t@S}K{vb[*k^"}
	p, err := dv.RelativePath()
	if err != nil || p != "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin" {
		t.Fatalf("path %q, %v", p, err)
	}
	dv.PathOrInlineDv = "^-aqEH.-t@S}K{vb[*k^"
	if p, err := dv.RelativePath(); err != nil || p != "deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin" {
		t.Fatalf("path without prefix %q, %v", p, err)
	}
	dv.PathOrInlineDv = "short"
	if _, err := dv.RelativePath(); err == nil {
		t.Fatal("a path shorter than a UUID was accepted")
	}
}

// putDVFile writes a deletion vector file under the table root at
// ab/deletion_vector_<uuid>.bin and returns the descriptor text naming it.
func putDVFile(t *testing.T, root string, file []byte) string {
	t.Helper()
	const name = "ab^-aqEH.-t@S}K{vb[*k^"
	p := filepath.Join(root, "ab", "deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, file, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestStoredDeletionVectors(t *testing.T) {
	ctx := context.Background()
	tbl, root := tempTable(t)
	first := []uint64{1, 2, 3, 1000}
	second := []uint64{7, 1<<32 + 1, 1<<32 + 2, 3 << 33} // three buckets: beyond 32-bit row indexes
	v1, v2 := serialize(t, first...), serialize(t, second...)
	file, offs := dvFile(v1, v2)
	name := putDVFile(t, root, file)
	for i, tc := range []struct {
		raw  []byte
		want []uint64
	}{{v1, first}, {v2, second}} {
		off := offs[i]
		dv := &DeletionVector{StorageType: DVRelativeUUID, PathOrInlineDv: name, Offset: &off, SizeInBytes: int32(len(tc.raw)), Cardinality: int64(len(tc.want))}
		bm, err := tbl.DeletedRows(ctx, dv)
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		if got := rowsOf(bm); !slices.Equal(got, tc.want) {
			t.Fatalf("vector %d: rows %v, want %v", i, got, tc.want)
		}
	}
	// The same file by absolute path ("p").
	off := offs[1]
	abs := &DeletionVector{StorageType: DVAbsolutePath, PathOrInlineDv: "file://" + filepath.ToSlash(filepath.Join(root, "ab", "deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin")),
		Offset: &off, SizeInBytes: int32(len(v2)), Cardinality: 4}
	if bm, err := tbl.DeletedRows(ctx, abs); err != nil || !slices.Equal(rowsOf(bm), second) {
		t.Fatalf("absolute path: %v, %v", bm, err)
	}
}

func TestStoredDeletionVectorErrors(t *testing.T) {
	ctx := context.Background()
	v := serialize(t, 4, 9)
	good, offs := dvFile(v)
	off := offs[0]
	desc := func() *DeletionVector {
		o := off
		return &DeletionVector{StorageType: DVRelativeUUID, Offset: &o, SizeInBytes: int32(len(v)), Cardinality: 2}
	}
	badCRC := slices.Clone(good)
	badCRC[len(badCRC)-1] ^= 0xff
	badVersion := slices.Clone(good)
	badVersion[0] = 2
	wrong := slices.Clone(v)
	wrong[3] ^= 0x80
	badMagic, _ := dvFile(wrong)
	for _, tc := range []struct {
		name string
		file []byte
		edit func(*DeletionVector)
		want string
	}{
		{"checksum mismatch", badCRC, nil, "checksum mismatch"},
		{"offset past end", good, func(d *DeletionVector) { o := int32(len(good) + 10); d.Offset = &o }, "past the end of the file"},
		{"truncated", good[:len(good)-2], nil, "past the end of the file"},
		{"size differs", good, func(d *DeletionVector) { d.SizeInBytes++ }, "sizeInBytes"},
		{"version", badVersion, nil, "format version is 2"},
		{"magic", badMagic, nil, "magic number"},
		{"cardinality", good, func(d *DeletionVector) { d.Cardinality = 3 }, "cardinality 3"},
		{"offset zero", good, func(d *DeletionVector) { d.Offset = nil }, "version byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl, root := tempTable(t)
			dv := desc()
			dv.PathOrInlineDv = putDVFile(t, root, tc.file)
			if tc.edit != nil {
				tc.edit(dv)
			}
			_, err := tbl.DeletedRows(ctx, dv)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if !strings.Contains(err.Error(), "deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin") {
				t.Fatalf("the error does not name the file: %v", err)
			}
		})
	}
	tbl, _ := tempTable(t)
	if _, err := tbl.DeletedRows(ctx, &DeletionVector{StorageType: "x"}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("unknown storage type: %v", err)
	}
}

func TestDecodeBitmapRejects(t *testing.T) {
	if _, err := DecodeBitmap(serialize(t, 1<<63)); err == nil || !strings.Contains(err.Error(), "2^63") {
		t.Fatalf("a row index with the sign bit set: %v", err)
	}
	raw := serialize(t, 1, 2)
	if _, err := DecodeBitmap(append(raw, 0)); err == nil || !strings.Contains(err.Error(), "ends after") {
		t.Fatalf("trailing bytes: %v", err)
	}
	if _, err := DecodeBitmap(raw[:len(raw)-1]); err == nil {
		t.Fatal("a truncated bitmap was accepted")
	}
	huge := binary.LittleEndian.AppendUint32(nil, dvMagic)
	huge = binary.LittleEndian.AppendUint64(huge, 1<<40) // claims 2^40 buckets
	if _, err := DecodeBitmap(huge); err == nil {
		t.Fatal("a bitmap claiming 2^40 buckets was accepted")
	}
}

func TestDecodeZ85(t *testing.T) {
	// ZeroMQ RFC 32's test vector.
	b, err := DecodeZ85("HelloWorld")
	if err != nil || !slices.Equal(b, []byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B}) {
		t.Fatalf("%x, %v", b, err)
	}
	for _, bad := range []string{"abcd", "abcd~", "#####"} {
		if _, err := DecodeZ85(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

// FuzzDeletionVector: any bytes, as a serialized bitmap or as a deletion
// vector file, either fail to decode or decode to a bitmap whose own
// serialization decodes to the same rows; nothing panics.
func FuzzDeletionVector(f *testing.F) {
	f.Add(serialize(f, 3, 4, 7, 11, 18, 29))
	f.Add(serialize(f, 0, 1<<32, 1<<32+1, 5<<40))
	rng := make([]uint64, 0, 5000)
	for i := uint64(0); i < 5000; i++ {
		rng = append(rng, i)
	}
	f.Add(serialize(f, rng...)) // a run container
	f.Fuzz(func(t *testing.T, data []byte) {
		if bm, err := DecodeBitmap(data); err == nil {
			again, err := DecodeBitmap(serialize(t, bm.ToArray()...))
			if err != nil {
				t.Fatalf("our own serialization does not decode: %v", err)
			}
			if !again.Equals(bm) {
				t.Fatalf("round trip changed the rows")
			}
		}
		if len(data) < 1 {
			return
		}
		// The same bytes as a file: version byte, then a vector at offset 1.
		off := int32(1)
		size := int32(0)
		if len(data) >= 5 {
			size = int32(binary.BigEndian.Uint32(data[1:]) & 0x7fffffff)
		}
		dv := &DeletionVector{StorageType: DVRelativeUUID, Offset: &off, SizeInBytes: size}
		if bm, err := StoredBitmap(data[0], data[1:], dv); err == nil && bm.GetCardinality() != 0 {
			t.Fatalf("cardinality 0 in the descriptor, %d rows decoded", bm.GetCardinality())
		}
	})
}

// openDir opens the table rooted at a folder.
func openDir(t *testing.T, dir string) *Table {
	t.Helper()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return NewTable(st, "")
}
