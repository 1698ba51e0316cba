package parquetrows

import (
	"encoding/binary"
	"fmt"

	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// checkCompressed checks that the compressed data of a page decodes to no
// more than the size its header declares, for the codecs whose decoders
// allocate what the data itself claims: snappy and zstd trust a length
// at the start of the data, and parquet-go's LZ4_RAW decoder doubles its
// buffer until the data decodes, without bound on damaged data, so LZ4_RAW
// pages are decoded once here into a buffer of the declared size.
func checkCompressed(codec format.CompressionCodec, data []byte, size int64, scratch *[]byte) error {
	switch codec {
	case format.Snappy:
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(size) {
			return fmt.Errorf("snappy data of %d bytes exceeds the page size %d", n, size)
		}
	case format.Zstd:
		if n, ok := zstdContentSize(data); ok && n > uint64(size) {
			return fmt.Errorf("zstd data of %d bytes exceeds the page size %d", n, size)
		}
	case format.Lz4Raw:
		if int64(cap(*scratch)) < size {
			*scratch = make([]byte, size)
		}
		n, err := lz4.UncompressBlock(data, (*scratch)[:size])
		if err != nil || int64(n) != size {
			return fmt.Errorf("LZ4_RAW data does not decode to the page size %d", size)
		}
	}
	return nil
}

// zstdContentSize reads the content size from the header of the zstd frame
// at the start of data, when the header records it.
func zstdContentSize(data []byte) (uint64, bool) {
	const magic = 0xFD2FB528
	if len(data) < 5 || binary.LittleEndian.Uint32(data) != magic {
		return 0, false
	}
	fhd := data[4]
	single := fhd&0x20 != 0
	pos := 5
	if !single {
		pos++ // window descriptor
	}
	pos += [4]int{0, 1, 2, 4}[fhd&3] // dictionary id
	size := [4]int{0, 2, 4, 8}[fhd>>6]
	if size == 0 && single {
		size = 1
	}
	if size == 0 || len(data) < pos+size {
		return 0, false
	}
	b := data[pos : pos+size]
	switch size {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)) + 256, true
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), true
	}
	return binary.LittleEndian.Uint64(b), true
}
