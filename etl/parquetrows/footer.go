package parquetrows

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// tailSize is how much of the end of a file is read at once: the footer of
// most files fits, so that opening a remote file takes a single read.
const tailSize = 64 << 10

// maxThriftDepth bounds the nesting of thrift structures in a footer.
const maxThriftDepth = 64

// tailReader serves reads from the end of a file out of memory and passes
// the others through. It is immutable, so safe for concurrent use.
type tailReader struct {
	r    io.ReaderAt
	off  int64 // file offset of tail[0]
	tail []byte
}

func (t *tailReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= t.off && off-t.off <= int64(len(t.tail)) {
		n := copy(p, t.tail[off-t.off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	return t.r.ReadAt(p, off)
}

// readTail reads the end of the file and checks its footer before
// parquet-go decodes it: parquet-go trusts the footer length and every
// length inside the footer, so that a damaged file could make it allocate
// gigabytes before failing.
func readTail(r io.ReaderAt, size int64) (*tailReader, error) {
	const minSize = 4 + 4 + 4 // magic, footer length, magic
	if size < minSize {
		return nil, fmt.Errorf("%d bytes is too small for a Parquet file", size)
	}
	n := min(size, tailSize)
	t := &tailReader{r: r, off: size - n, tail: make([]byte, n)}
	if err := readFull(r, t.tail, t.off); err != nil {
		return nil, fmt.Errorf("reading the end of the file: %w", err)
	}
	trailer := t.tail[n-8:]
	switch string(trailer[4:]) {
	case "PAR1":
	case "PARE":
		return nil, errors.New("encrypted Parquet files are not supported")
	default:
		return nil, fmt.Errorf("invalid magic %q at the end of the file", trailer[4:])
	}
	footerLen := int64(binary.LittleEndian.Uint32(trailer[:4]))
	if footerLen > size-minSize {
		return nil, fmt.Errorf("footer length %d exceeds the file size %d", footerLen, size)
	}
	if footerLen+8 > n {
		t.off, t.tail = size-footerLen-8, make([]byte, footerLen+8)
		if err := readFull(r, t.tail, t.off); err != nil {
			return nil, fmt.Errorf("reading the footer: %w", err)
		}
	}
	footer := t.tail[int64(len(t.tail))-footerLen-8 : len(t.tail)-8]
	w := thriftWalker{b: footer}
	if err := w.skipStruct(); err != nil {
		return nil, fmt.Errorf("damaged footer: %w", err)
	}
	return t, nil
}

func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// thriftWalker walks data in the thrift compact protocol without
// allocating, checking that every length and count fits in the bytes
// that remain.
type thriftWalker struct {
	b     []byte
	pos   int
	depth int
}

var errThriftShort = errors.New("thrift data ends early")

func (w *thriftWalker) next() (byte, error) {
	if w.pos >= len(w.b) {
		return 0, errThriftShort
	}
	w.pos++
	return w.b[w.pos-1], nil
}

func (w *thriftWalker) skip(n uint64) error {
	if n > uint64(len(w.b)-w.pos) {
		return fmt.Errorf("thrift length %d exceeds the %d bytes left", n, len(w.b)-w.pos)
	}
	w.pos += int(n)
	return nil
}

func (w *thriftWalker) uvarint() (uint64, error) {
	v, n := binary.Uvarint(w.b[w.pos:])
	if n <= 0 {
		return 0, errors.New("invalid thrift varint")
	}
	w.pos += n
	return v, nil
}

func (w *thriftWalker) skipStruct() error {
	return w.fields(func(int16, byte) (bool, error) { return false, nil })
}

// skipValue skips a value of the given compact type as found in a field;
// boolean fields hold their value in the type itself.
func (w *thriftWalker) skipValue(typ byte) error {
	switch typ {
	case 1, 2: // boolean true, false
		return nil
	case 3: // byte
		return w.skip(1)
	case 4, 5, 6: // i16, i32, i64
		_, err := w.uvarint()
		return err
	case 7: // double
		return w.skip(8)
	case 8: // binary
		n, err := w.uvarint()
		if err != nil {
			return err
		}
		return w.skip(n)
	case 9, 10: // list, set
		h, err := w.next()
		if err != nil {
			return err
		}
		size, elem := uint64(h>>4), h&0x0f
		if size == 15 {
			if size, err = w.uvarint(); err != nil {
				return err
			}
		}
		return w.skipElements(size, elem, 0)
	case 11: // map
		size, err := w.uvarint()
		if err != nil || size == 0 {
			return err
		}
		kv, err := w.next()
		if err != nil {
			return err
		}
		return w.skipElements(size, kv>>4, kv&0x0f)
	case 12: // struct
		return w.skipStruct()
	}
	return fmt.Errorf("invalid thrift type %d", typ)
}

// skipElements skips size elements of a list (valueType 0) or size
// entries of a map. Every element takes at least one byte, which bounds
// size before any work.
func (w *thriftWalker) skipElements(size uint64, keyType, valueType byte) error {
	perElem := uint64(1)
	if valueType != 0 {
		perElem = 2
	}
	if size > uint64(len(w.b)-w.pos)/perElem {
		return fmt.Errorf("thrift collection of %d elements exceeds the %d bytes left", size, len(w.b)-w.pos)
	}
	for range size {
		for _, typ := range []byte{keyType, valueType} {
			if typ == 0 {
				continue
			}
			var err error
			if typ == 1 || typ == 2 { // booleans in collections take a byte
				err = w.skip(1)
			} else {
				err = w.skipValue(typ)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
