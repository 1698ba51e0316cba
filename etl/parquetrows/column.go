package parquetrows

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// valueBatch is the number of values read from a page at a time.
const valueBatch = 512

// triplet is one value of a leaf column, decoded, with its levels.
type triplet struct {
	rep, def uint8
	val      any // nil unless def is the column's maximum definition level
}

// span is a half-open range of triplets in a column buffer.
type span struct{ lo, hi int }

// columnReader streams the triplets of one leaf column chunk and cuts them
// into records. Values are decoded (and byte arrays copied) as soon as they
// leave a page, so pages can be released at once; the buffer holds little
// more than the current record, whose values may straddle pages.
type columnReader struct {
	leaf   *leafDecoder
	pages  parquet.Pages
	page   parquet.Page
	values parquet.ValueReader
	vbuf   []parquet.Value
	buf    []triplet
	pos    int // first triplet not yet handed out
	eof    bool
}

func newColumnReader(leaf *leafDecoder) *columnReader {
	return &columnReader{leaf: leaf, vbuf: make([]parquet.Value, valueBatch)}
}

// reset starts reading a new column chunk.
func (c *columnReader) reset(pages parquet.Pages) error {
	err := c.close()
	c.pages, c.eof = pages, false
	clear(c.buf)
	c.buf, c.pos = c.buf[:0], 0
	return err
}

func (c *columnReader) close() error {
	c.releasePage()
	if c.pages == nil {
		return nil
	}
	err := c.pages.Close()
	c.pages = nil
	return err
}

func (c *columnReader) releasePage() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	c.page, c.values = nil, nil
}

// nextRecord returns the triplets of the next record: a value at
// repetition level 0 and every following value at a higher level. The span
// stays valid until the next call.
func (c *columnReader) nextRecord() (span, error) {
	if c.pos > 0 && c.pos >= len(c.buf)/2 {
		n := copy(c.buf, c.buf[c.pos:])
		clear(c.buf[n:])
		c.buf, c.pos = c.buf[:n], 0
	}
	for c.pos == len(c.buf) {
		if c.eof {
			return span{}, errors.New("column chunk ends before the row group's last row")
		}
		if err := c.fill(); err != nil {
			return span{}, err
		}
	}
	if c.buf[c.pos].rep != 0 {
		return span{}, fmt.Errorf("record starts at repetition level %d, not 0", c.buf[c.pos].rep)
	}
	end := c.pos + 1
	if c.leaf.maxRep > 0 {
		for {
			for end < len(c.buf) && c.buf[end].rep != 0 {
				end++
			}
			if end < len(c.buf) || c.eof {
				break
			}
			if err := c.fill(); err != nil {
				return span{}, err
			}
		}
	}
	s := span{c.pos, end}
	c.pos = end
	return s, nil
}

// finish checks that the column chunk holds no values beyond its last
// record.
func (c *columnReader) finish(rows int64) error {
	for c.pos == len(c.buf) && !c.eof {
		if err := c.fill(); err != nil {
			return err
		}
	}
	if c.pos < len(c.buf) {
		return fmt.Errorf("column chunk holds values beyond the row group's %d rows", rows)
	}
	return nil
}

// fill appends at least one triplet to the buffer, or sets eof.
func (c *columnReader) fill() error {
	for stalls := 0; ; {
		if c.values == nil {
			page, err := c.pages.ReadPage()
			if errors.Is(err, io.EOF) {
				c.eof = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading page: %w", err)
			}
			c.page, c.values = page, page.Values()
		}
		n, err := c.values.ReadValues(c.vbuf)
		for _, v := range c.vbuf[:n] {
			rep, def := v.RepetitionLevel(), v.DefinitionLevel()
			if rep > c.leaf.maxRep || def > c.leaf.maxDef {
				return fmt.Errorf("levels (repetition %d, definition %d) exceed the column's maximum (%d, %d)",
					rep, def, c.leaf.maxRep, c.leaf.maxDef)
			}
			var val any
			if def == c.leaf.maxDef {
				val = c.leaf.decode(v)
			}
			c.buf = append(c.buf, triplet{rep: uint8(rep), def: uint8(def), val: val})
		}
		switch {
		case errors.Is(err, io.EOF):
			c.releasePage()
		case err != nil:
			return fmt.Errorf("reading values: %w", err)
		case n == 0:
			if stalls++; stalls > 16 {
				return errors.New("page reader makes no progress")
			}
		}
		if n > 0 {
			return nil
		}
	}
}
