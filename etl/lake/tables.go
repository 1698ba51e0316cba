package lake

import (
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
)

// NamedTable is a Delta table of the lake under its SQL name.
type NamedTable struct {
	Name  string // products, orders, order_items, rejected_<dataset>, ingest_log
	Table *delta.Table
}

// Tables lists the lake's tables in a fixed order: the silver tables, the
// rejected-row tables, then the ingest log.
func (l *Lake) Tables() []NamedTable {
	var out []NamedTable
	for _, d := range dataset.All() {
		out = append(out, NamedTable{Name: d.Name, Table: l.Silver(d.Name)})
	}
	for _, d := range dataset.All() {
		out = append(out, NamedTable{Name: "rejected_" + d.Name, Table: l.Rejected(d.Name)})
	}
	return append(out, NamedTable{Name: "ingest_log", Table: l.LedgerTable()})
}
