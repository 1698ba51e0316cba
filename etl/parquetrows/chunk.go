package parquetrows

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Limits on a single page, checked before parquet-go allocates buffers
// of the sizes a page header claims. Real writers cut pages of about a
// megabyte and twenty thousand rows.
const (
	maxPageBytes  = 512 << 20
	maxPageValues = 1 << 28
)

// chunkReader serves the bytes of one column chunk, read at once, to
// parquet-go's page reader.
type chunkReader struct {
	off  int64
	data []byte
}

func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	if off < c.off || off-c.off > int64(len(c.data)) {
		return 0, fmt.Errorf("read at offset %d outside the column chunk [%d,%d)", off, c.off, c.off+int64(len(c.data)))
	}
	n := copy(p, c.data[off-c.off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// openChunk reads a column chunk in one piece, checks its page headers, and
// returns its pages.
func (f *File) openChunk(chunk parquet.ColumnChunk, md *format.ColumnMetaData) (parquet.Pages, error) {
	fc, ok := chunk.(*parquet.FileColumnChunk)
	if !ok {
		return chunk.Pages(), nil
	}
	start := md.DataPageOffset
	if md.DictionaryPageOffset != 0 {
		start = md.DictionaryPageOffset
	}
	if start < 0 || md.TotalCompressedSize < 0 || md.TotalCompressedSize > f.size-start {
		return nil, fmt.Errorf("column chunk [%d,+%d) lies outside the file of %d bytes", start, md.TotalCompressedSize, f.size)
	}
	c := &chunkReader{off: start}
	if f.data != nil { // held in memory: read in place
		c.data = f.data[start : start+md.TotalCompressedSize : start+md.TotalCompressedSize]
	} else {
		c.data = make([]byte, md.TotalCompressedSize)
		if err := readFull(f.r, c.data, start); err != nil {
			return nil, fmt.Errorf("reading column chunk: %w", err)
		}
	}
	if err := checkPages(c.data, md.Codec); err != nil {
		return nil, fmt.Errorf("damaged column chunk: %w", err)
	}
	return fc.PagesFrom(c), nil
}

// checkPages walks the page headers of a column chunk, checking the sizes
// they declare, and the size their compressed data decodes to.
func checkPages(data []byte, codec format.CompressionCodec) error {
	var scratch []byte
	for pos := 0; pos < len(data); {
		h, err := pageSizes(data[pos:])
		if err != nil {
			return fmt.Errorf("page header at byte %d: %w", pos, err)
		}
		switch {
		case h.compressed < 0 || h.compressed > int64(len(data)-pos-h.headerLen):
			return fmt.Errorf("page at byte %d: %d bytes do not fit in the chunk", pos, h.compressed)
		case h.uncompressed < 0 || h.uncompressed > maxPageBytes:
			return fmt.Errorf("page at byte %d: uncompressed size %d out of range", pos, h.uncompressed)
		case h.values < 0 || h.values > maxPageValues:
			return fmt.Errorf("page at byte %d: %d values out of range", pos, h.values)
		}
		if !h.uncompressedV2 && codec != format.Uncompressed {
			body := data[pos+h.headerLen : pos+h.headerLen+int(h.compressed)]
			if h.levelBytes < 0 || h.levelBytes > int64(len(body)) || h.levelBytes > h.uncompressed {
				return fmt.Errorf("page at byte %d: %d bytes of levels out of range", pos, h.levelBytes)
			}
			if err := checkCompressed(codec, body[h.levelBytes:], h.uncompressed-h.levelBytes, &scratch); err != nil {
				return fmt.Errorf("page at byte %d: %w", pos, err)
			}
		}
		pos += h.headerLen + int(h.compressed)
	}
	return nil
}

type pageHeaderSizes struct {
	headerLen                int
	compressed, uncompressed int64
	values                   int64
	levelBytes               int64 // data page v2: levels stored ahead of the compressed data
	uncompressedV2           bool  // data page v2 with is_compressed=false
}

// pageSizes reads the sizes out of the thrift page header at the start of
// b: uncompressed_page_size (2), compressed_page_size (3), num_values (1)
// of whichever of the data (5), dictionary (7) or data v2 (8) headers is
// present, and the level lengths (5, 6) and is_compressed flag (7) of a
// data v2 header. Every length in the header is checked against b.
func pageSizes(b []byte) (pageHeaderSizes, error) {
	var h pageHeaderSizes
	w := thriftWalker{b: b}
	err := w.fields(func(id int16, typ byte) (bool, error) {
		switch {
		case (id == 2 || id == 3) && typ == 5:
			v, err := w.zigzag()
			if id == 2 {
				h.uncompressed = v
			} else {
				h.compressed = v
			}
			return true, err
		case (id == 5 || id == 7 || id == 8) && typ == 12:
			v2 := id == 8
			return true, w.fields(func(id int16, typ byte) (bool, error) {
				switch {
				case id == 1 && typ == 5:
					v, err := w.zigzag()
					h.values = v
					return true, err
				case v2 && (id == 5 || id == 6) && typ == 5:
					v, err := w.zigzag()
					h.levelBytes += v
					return true, err
				case v2 && id == 7 && typ == 2: // is_compressed = false
					h.uncompressedV2 = true
				}
				return false, nil
			})
		}
		return false, nil
	})
	h.headerLen = w.pos
	return h, err
}

// fields walks a struct, calling fn with each field; fn either consumes the
// value and returns true, or returns false to have it skipped.
func (w *thriftWalker) fields(fn func(id int16, typ byte) (bool, error)) error {
	if w.depth++; w.depth > maxThriftDepth {
		return errors.New("thrift structures nested too deep")
	}
	var id int16
	for {
		h, err := w.next()
		if err != nil {
			return err
		}
		if h == 0 {
			w.depth--
			return nil
		}
		if delta := int16(h >> 4); delta != 0 {
			id += delta
		} else {
			v, err := w.zigzag()
			if err != nil {
				return err
			}
			id = int16(v)
		}
		done, err := fn(id, h&0x0f)
		if err != nil {
			return err
		}
		if !done {
			if err := w.skipValue(h & 0x0f); err != nil {
				return err
			}
		}
	}
}

func (w *thriftWalker) zigzag() (int64, error) {
	u, err := w.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}
