package pipeline

import "github.com/lakeops/lakeops/etl/dataset"

// A MERGE whose candidate files hold few rows in all (Limits.DecodedRows)
// keeps their rows as it decodes them to hash the matches, column by
// column, so that a file it rewrites is decoded once: the rewrite takes
// the kept rows. A MERGE over more rows (a forced run over the whole
// table) keeps none and decodes a rewritten file again.

// defaultDecodedRows is Limits.DecodedRows when it is 0.
const defaultDecodedRows = 512 * 1024

// keptRows are the decoded rows of one candidate file: an integer per cell
// (8 bytes), and a string or a null flag per cell only for the columns
// that hold one.
type keptRows struct {
	n     int
	ints  [][]int64
	strs  [][]string // per column: nil until the column holds a string
	nulls [][]bool   // per column: nil until the column holds a null
}

func newKeptRows(ncol int, hint int64) *keptRows {
	k := &keptRows{ints: make([][]int64, ncol), strs: make([][]string, ncol), nulls: make([][]bool, ncol)}
	for c := range k.ints {
		k.ints[c] = make([]int64, 0, hint)
	}
	return k
}

// add keeps n rows of cells (n × the columns, as decoded).
func (k *keptRows) add(rows []dataset.Value, n int) {
	ncol := len(k.ints)
	for c := range ncol {
		for j := range n {
			v := &rows[j*ncol+c]
			k.ints[c] = append(k.ints[c], v.I)
			if v.S != "" && k.strs[c] == nil {
				k.strs[c] = make([]string, k.n+j, cap(k.ints[c]))
			}
			if k.strs[c] != nil {
				k.strs[c] = append(k.strs[c], v.S)
			}
			if v.Null && k.nulls[c] == nil {
				k.nulls[c] = make([]bool, k.n+j, cap(k.ints[c]))
			}
			if k.nulls[c] != nil {
				k.nulls[c] = append(k.nulls[c], v.Null)
			}
		}
	}
	k.n += n
}

// row fills dst (one cell per column) with row i.
func (k *keptRows) row(i int, dst []dataset.Value) {
	for c := range dst {
		v := dataset.Value{I: k.ints[c][i]}
		if s := k.strs[c]; s != nil {
			v.S = s[i]
		}
		if nl := k.nulls[c]; nl != nil {
			v.Null = nl[i]
		}
		dst[c] = v
	}
}

// decodedRows is Limits.DecodedRows with its default; below zero, none.
func (l Limits) decodedRows() int64 {
	switch {
	case l.DecodedRows < 0:
		return 0
	case l.DecodedRows == 0:
		return defaultDecodedRows
	}
	return int64(l.DecodedRows)
}
