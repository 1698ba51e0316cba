package parquetrows

import (
	"encoding/binary"
	"fmt"
	"io"
)

// SchemaBytes returns the schema of a Parquet file as its footer encodes
// it (the thrift list of schema elements: names, types, annotations,
// repetition, field ids), without decoding the rest of the footer. Files
// whose schema bytes are equal have the same columns in the same order;
// comparing them is the cheap way to tell, before opening any of the
// files, that many files are alike. The footer is checked as for Open.
func SchemaBytes(r io.ReaderAt, size int64) ([]byte, error) {
	t, err := readTail(r, size)
	if err != nil {
		return nil, fmt.Errorf("parquetrows: %w", err)
	}
	footerLen := int(binary.LittleEndian.Uint32(t.tail[len(t.tail)-8:]))
	footer := t.tail[len(t.tail)-8-footerLen : len(t.tail)-8]
	w := thriftWalker{b: footer}
	var schema []byte
	err = w.fields(func(id int16, typ byte) (bool, error) {
		if id != 2 || typ != 9 { // FileMetaData.schema: list<SchemaElement>
			return false, nil
		}
		start := w.pos
		if err := w.skipValue(typ); err != nil {
			return true, err
		}
		schema = footer[start:w.pos]
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("parquetrows: damaged footer: %w", err)
	}
	if schema == nil {
		return nil, fmt.Errorf("parquetrows: the footer has no schema")
	}
	return schema, nil
}
