package duck

import (
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// LakeTable is a Delta table of the lake under its SQL name.
type LakeTable struct {
	Name  string // products, orders, order_items, rejected_<dataset>, ingest_log
	Table *delta.Table
}

// LakeTables lists the lake's queryable tables in a fixed order: the silver
// tables, the rejected-row tables, then the ingest log.
func LakeTables(lk *lake.Lake) []LakeTable {
	var out []LakeTable
	for _, t := range lk.Tables() {
		out = append(out, LakeTable(t))
	}
	return out
}
