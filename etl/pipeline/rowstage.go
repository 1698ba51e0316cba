package pipeline

import (
	"slices"

	"github.com/lakeops/lakeops/etl/dataset"
)

// stageRows is how many rows the output stages before it writes them.
const stageRows = 2048

// rowStage holds rows whose partition changes from row to row (a file
// whose dates interleave) until stageRows of them are in, when they go to
// their files grouped by partition: written in turn, every row would touch
// the buffers of another file, which costs more than copying the rows once.
type rowStage struct {
	cells  []dataset.Value // the staged rows' cells, back to back
	parts  []dataset.Value // each staged row's partition value
	groups []dataset.Value // the distinct partitions, in the order they came
	gid    []int32         // each row's index in groups
	start  []int32         // where each group's rows start in order (and the end)
	order  []int32         // the rows' indexes, grouped, in input order within a group
	slots  [64]int32       // group + 1 by the low bits of a partition value's integer
}

// add stages a row (its cells are copied) and reports whether the stage is full.
func (s *rowStage) add(part dataset.Value, vals []dataset.Value) bool {
	s.cells = append(s.cells, vals...)
	s.parts = append(s.parts, part)
	return len(s.parts) >= stageRows
}

// grouped calls fn with each staged row, partition by partition.
func (s *rowStage) grouped(fn func(part dataset.Value, row []dataset.Value) error) error {
	n := len(s.parts)
	if n == 0 {
		return nil
	}
	ncol := len(s.cells) / n
	s.groups, s.gid = s.groups[:0], s.gid[:0]
	clear(s.slots[:])
	for _, p := range s.parts {
		slot := &s.slots[uint64(p.I)%uint64(len(s.slots))]
		g := *slot - 1
		if g < 0 || s.groups[g] != p {
			if g = int32(slices.Index(s.groups, p)); g < 0 {
				g = int32(len(s.groups))
				s.groups = append(s.groups, p)
			}
			*slot = g + 1
		}
		s.gid = append(s.gid, g)
	}
	s.start = append(s.start[:0], make([]int32, len(s.groups)+1)...)
	for _, g := range s.gid {
		s.start[g+1]++
	}
	for g := range s.groups {
		s.start[g+1] += s.start[g]
	}
	s.order = slices.Grow(s.order[:0], n)[:n]
	next := slices.Clone(s.start[:len(s.groups)])
	for i, g := range s.gid {
		s.order[next[g]] = int32(i)
		next[g]++
	}
	for g, p := range s.groups {
		for _, i := range s.order[s.start[g]:s.start[g+1]] {
			if err := fn(p, s.cells[int(i)*ncol:(int(i)+1)*ncol]); err != nil {
				return err
			}
		}
	}
	return nil
}

// reset empties the stage.
func (s *rowStage) reset() {
	s.cells, s.parts = s.cells[:0], s.parts[:0]
}
