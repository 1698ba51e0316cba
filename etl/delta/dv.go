package delta

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/RoaringBitmap/roaring/v2/roaring64"
)

// Deletion vectors (the deletionVectors reader feature): a set of row
// indexes of a data file (0-based positions in the file) whose rows are
// deleted. The set is a 64-bit RoaringBitmap in the portable serialization,
// preceded by a magic number ("RoaringBitmapArray"); it is stored inline in
// the log, Z85-encoded, or in a file holding one or more vectors, each as
// its size, the bitmap and a CRC-32 of the bitmap.

// Storage types of a deletion vector.
const (
	DVInline       = "i" // Z85 text of the bitmap in PathOrInlineDv
	DVRelativeUUID = "u" // [random prefix]<Z85 UUID>: <prefix>/deletion_vector_<uuid>.bin under the table root
	DVAbsolutePath = "p" // the file's path, as in add actions
)

// dvMagic starts a serialized RoaringBitmapArray in the portable format of
// the protocol (little endian); dvMagicNative starts the older "native"
// layout that Delta's own reader also accepts: a 32-bit count of 32-bit
// bitmaps, each preceded by its size, bitmap i holding the row indexes whose
// upper 32 bits are i.
const (
	dvMagic       = 1681511377
	dvMagicNative = 1681511376
)

// dvFileVersion is the first byte of a deletion vector file.
const dvFileVersion = 1

// maxRowIndex bounds the row indexes of a vector: bucket keys must have
// their most significant bit clear.
const maxRowIndex = 1<<63 - 1

// UniqueID identifies the vector among those of one data file: storage
// type, path or inline data, and "@offset" when an offset is given. It is
// the second half of a logical file's key in log replay.
func (dv *DeletionVector) UniqueID() string {
	if dv == nil {
		return ""
	}
	id := dv.StorageType + dv.PathOrInlineDv
	if dv.Offset != nil {
		id += "@" + strconv.Itoa(int(*dv.Offset))
	}
	return id
}

// RelativePath is the path, relative to the table root, of the file of a
// "u" vector: <random prefix>/deletion_vector_<uuid>.bin, or without the
// folder when there is no prefix.
func (dv *DeletionVector) RelativePath() (string, error) {
	if dv.StorageType != DVRelativeUUID {
		return "", fmt.Errorf("deletion vector of storage type %q has no relative path", dv.StorageType)
	}
	s := dv.PathOrInlineDv
	if len(s) < 20 {
		return "", fmt.Errorf("deletion vector path %q is shorter than a Z85 UUID (20 characters)", s)
	}
	prefix, enc := s[:len(s)-20], s[len(s)-20:]
	raw, err := DecodeZ85(enc)
	if err != nil {
		return "", fmt.Errorf("deletion vector path %q: %w", s, err)
	}
	h := hex.EncodeToString(raw)
	name := "deletion_vector_" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + ".bin"
	if prefix == "" {
		return name, nil
	}
	return prefix + "/" + name, nil
}

// z85Alphabet is the Z85 alphabet (ZeroMQ RFC 32), by digit value.
const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

// DecodeZ85 decodes Z85 text (a multiple of 5 characters) into 4 bytes per
// 5 characters.
func DecodeZ85(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, fmt.Errorf("Z85 text of %d characters is not a multiple of 5", len(s))
	}
	out := make([]byte, 0, len(s)/5*4)
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for j := i; j < i+5; j++ {
			d := strings.IndexByte(z85Alphabet, s[j])
			if d < 0 {
				return nil, fmt.Errorf("character %q at %d is not Z85", s[j], j)
			}
			v = v*85 + uint64(d)
		}
		if v > 0xFFFFFFFF {
			return nil, fmt.Errorf("Z85 group at %d exceeds 32 bits", i)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}

// DecodeBitmap decodes a serialized RoaringBitmapArray: the magic number,
// then a 64-bit portable RoaringBitmap (or the native layout), exactly
// filling data.
func DecodeBitmap(data []byte) (*roaring64.Bitmap, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("deletion vector of %d bytes has no magic number", len(data))
	}
	body := data[4:]
	var bm *roaring64.Bitmap
	var err error
	switch m := binary.LittleEndian.Uint32(data); m {
	case dvMagic:
		bm, err = decodePortable(body)
	case dvMagicNative:
		bm, err = decodeNative(body)
	default:
		return nil, fmt.Errorf("deletion vector magic number is %d (bytes % x), not %d (portable) or %d (native)", m, data[:4], dvMagic, dvMagicNative)
	}
	if err != nil {
		return nil, fmt.Errorf("deletion vector bitmap: %w", err)
	}
	if err := bm.Validate(); err != nil {
		return nil, fmt.Errorf("deletion vector bitmap: %w", err)
	}
	if !bm.IsEmpty() && bm.Maximum() > maxRowIndex {
		return nil, fmt.Errorf("deletion vector holds row index %d, above 2^63-1", bm.Maximum())
	}
	return bm, nil
}

// decodePortable reads the portable 64-bit serialization, which must fill
// body, turning a panic of the library on hostile input into an error.
func decodePortable(body []byte) (bm *roaring64.Bitmap, err error) {
	defer func() {
		if p := recover(); p != nil {
			bm, err = nil, fmt.Errorf("malformed bitmap (%v)", p)
		}
	}()
	bm = roaring64.New()
	n, err := bm.ReadPortableFrom(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if n != int64(len(body)) {
		return nil, fmt.Errorf("the bitmap ends after %d of %d bytes", n, len(body))
	}
	return bm, nil
}

// decodeNative reads the native layout (little endian): a count of 32-bit
// bitmaps, then each bitmap's size and serialization.
func decodeNative(body []byte) (bm *roaring64.Bitmap, err error) {
	defer func() {
		if p := recover(); p != nil {
			bm, err = nil, fmt.Errorf("malformed bitmap (%v)", p)
		}
	}()
	if len(body) < 4 {
		return nil, errors.New("no bitmap count")
	}
	count := binary.LittleEndian.Uint32(body)
	if count > math.MaxInt32 {
		return nil, fmt.Errorf("bitmap count %d is negative", int32(count))
	}
	rest := body[4:]
	bm = roaring64.New()
	for i := range count {
		if len(rest) < 4 {
			return nil, fmt.Errorf("bitmap %d of %d: no size", i, count)
		}
		size := binary.LittleEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(size) > uint64(len(rest)) {
			return nil, fmt.Errorf("bitmap %d of %d: size %d, %d bytes left", i, count, size, len(rest))
		}
		low := roaring.New()
		n, err := low.ReadFrom(bytes.NewReader(rest[:size]))
		if err != nil {
			return nil, fmt.Errorf("bitmap %d of %d: %w", i, count, err)
		}
		if n != int64(size) {
			return nil, fmt.Errorf("bitmap %d of %d ends after %d of %d bytes", i, count, n, size)
		}
		if err := low.Validate(); err != nil {
			return nil, fmt.Errorf("bitmap %d of %d: %w", i, count, err)
		}
		rest = rest[size:]
		high := uint64(i) << 32
		it := low.Iterator()
		for it.HasNext() {
			bm.Add(high | uint64(it.Next()))
		}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after the last bitmap", len(rest))
	}
	return bm, nil
}

// InlineBitmap decodes the bitmap of an inline ("i") vector.
func InlineBitmap(dv *DeletionVector) (*roaring64.Bitmap, error) {
	raw, err := DecodeZ85(dv.PathOrInlineDv)
	if err != nil {
		return nil, fmt.Errorf("inline deletion vector: %w", err)
	}
	if dv.SizeInBytes < 0 || int(dv.SizeInBytes) > len(raw) {
		return nil, fmt.Errorf("inline deletion vector: sizeInBytes %d, but the text holds %d bytes", dv.SizeInBytes, len(raw))
	}
	bm, err := DecodeBitmap(raw[:dv.SizeInBytes])
	return checkCardinality(dv, bm, err)
}

// errDVPastEnd reports a vector that a file is too short to hold.
var errDVPastEnd = errors.New("past the end of the file")

// StoredBitmap decodes a vector stored in a file: version is the file's
// first byte, chunk the file's bytes from dv.Offset on (at least the
// vector's size field, bitmap and checksum; more is ignored).
func StoredBitmap(version byte, chunk []byte, dv *DeletionVector) (*roaring64.Bitmap, error) {
	if version != dvFileVersion {
		return nil, fmt.Errorf("deletion vector file format version is %d, want %d", version, dvFileVersion)
	}
	off := dvOffset(dv)
	if len(chunk) < 4 {
		return nil, fmt.Errorf("deletion vector at offset %d: %w", off, errDVPastEnd)
	}
	size := binary.BigEndian.Uint32(chunk)
	if int64(size) != int64(dv.SizeInBytes) {
		return nil, fmt.Errorf("deletion vector at offset %d is %d bytes, the descriptor says sizeInBytes %d", off, size, dv.SizeInBytes)
	}
	if int64(len(chunk)) < 4+int64(size)+4 {
		return nil, fmt.Errorf("deletion vector at offset %d (%d bytes and a checksum): %w", off, size, errDVPastEnd)
	}
	data := chunk[4 : 4+size]
	want := binary.BigEndian.Uint32(chunk[4+size:])
	if got := crc32.ChecksumIEEE(data); got != want {
		return nil, fmt.Errorf("deletion vector at offset %d: checksum mismatch (CRC-32 %08x, stored %08x)", off, got, want)
	}
	bm, err := DecodeBitmap(data)
	return checkCardinality(dv, bm, err)
}

// storedSpan is the byte range [from, to) of a stored vector: size field,
// bitmap and checksum.
func storedSpan(dv *DeletionVector) (from, to int64, err error) {
	from = dvOffset(dv)
	if from < 1 {
		return 0, 0, fmt.Errorf("deletion vector offset %d is before the data (the file starts with a version byte)", from)
	}
	if dv.SizeInBytes < 0 {
		return 0, 0, fmt.Errorf("deletion vector sizeInBytes %d is negative", dv.SizeInBytes)
	}
	return from, from + 4 + int64(dv.SizeInBytes) + 4, nil
}

func dvOffset(dv *DeletionVector) int64 {
	if dv.Offset == nil {
		return 0
	}
	return int64(*dv.Offset)
}

// checkCardinality checks a decoded bitmap against the descriptor's
// cardinality.
func checkCardinality(dv *DeletionVector, bm *roaring64.Bitmap, err error) (*roaring64.Bitmap, error) {
	if err != nil {
		return nil, err
	}
	if n := bm.GetCardinality(); n != uint64(dv.Cardinality) {
		return nil, fmt.Errorf("deletion vector holds %d row indexes, the descriptor says cardinality %d", n, dv.Cardinality)
	}
	return bm, nil
}
