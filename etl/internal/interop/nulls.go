package interop

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // DuckDB reads the checkpoints
)

// requiredCheck is one rule of the Delta protocol about a checkpoint
// column, as a DuckDB predicate that holds for the rows breaking it.
type requiredCheck struct {
	rule      string
	violation string
}

// checkpointRules are the fields PROTOCOL.md marks required for each
// action lakeops writes (txn, add, remove, metaData, protocol), and the
// conditional ones: partitionValues and size of a remove that says
// extendedFileMetadata, readerFeatures/writerFeatures present exactly when
// the protocol versions call for them.
var checkpointRules = []requiredCheck{
	{"one action per row", `(CASE WHEN "txn" IS NULL THEN 0 ELSE 1 END + CASE WHEN "add" IS NULL THEN 0 ELSE 1 END +
		CASE WHEN "remove" IS NULL THEN 0 ELSE 1 END + CASE WHEN "metaData" IS NULL THEN 0 ELSE 1 END +
		CASE WHEN "protocol" IS NULL THEN 0 ELSE 1 END) <> 1`},
	{"txn.appId", `"txn" IS NOT NULL AND "txn"."appId" IS NULL`},
	{"txn.version", `"txn" IS NOT NULL AND "txn"."version" IS NULL`},
	{"add.path", `"add" IS NOT NULL AND "add"."path" IS NULL`},
	{"add.partitionValues", `"add" IS NOT NULL AND "add"."partitionValues" IS NULL`},
	{"add.size", `"add" IS NOT NULL AND "add"."size" IS NULL`},
	{"add.modificationTime", `"add" IS NOT NULL AND "add"."modificationTime" IS NULL`},
	{"add.dataChange", `"add" IS NOT NULL AND "add"."dataChange" IS NULL`},
	{"remove.path", `"remove" IS NOT NULL AND "remove"."path" IS NULL`},
	{"remove.dataChange", `"remove" IS NOT NULL AND "remove"."dataChange" IS NULL`},
	{"remove.partitionValues (extendedFileMetadata)", `"remove" IS NOT NULL AND "remove"."extendedFileMetadata" AND "remove"."partitionValues" IS NULL`},
	{"remove.size (extendedFileMetadata)", `"remove" IS NOT NULL AND "remove"."extendedFileMetadata" AND "remove"."size" IS NULL`},
	{"metaData.id", `"metaData" IS NOT NULL AND "metaData"."id" IS NULL`},
	{"metaData.format.provider", `"metaData" IS NOT NULL AND ("metaData"."format" IS NULL OR "metaData"."format"."provider" IS NULL)`},
	{"metaData.format.options", `"metaData" IS NOT NULL AND ("metaData"."format" IS NULL OR "metaData"."format"."options" IS NULL)`},
	{"metaData.schemaString", `"metaData" IS NOT NULL AND "metaData"."schemaString" IS NULL`},
	{"metaData.partitionColumns", `"metaData" IS NOT NULL AND "metaData"."partitionColumns" IS NULL`},
	{"metaData.configuration", `"metaData" IS NOT NULL AND "metaData"."configuration" IS NULL`},
	{"protocol.minReaderVersion", `"protocol" IS NOT NULL AND "protocol"."minReaderVersion" IS NULL`},
	{"protocol.minWriterVersion", `"protocol" IS NOT NULL AND "protocol"."minWriterVersion" IS NULL`},
	{"protocol.readerFeatures (non-null exactly from reader version 3)", `"protocol" IS NOT NULL AND
		(("protocol"."readerFeatures" IS NULL) = (coalesce("protocol"."minReaderVersion", 0) >= 3))`},
	{"protocol.writerFeatures (non-null exactly from writer version 7)", `"protocol" IS NOT NULL AND
		(("protocol"."writerFeatures" IS NULL) = (coalesce("protocol"."minWriterVersion", 0) >= 7))`},
}

// ActionCounts are the rows of each action kind in a checkpoint.
type ActionCounts struct{ Txn, Add, Remove, MetaData, Protocol int }

// CheckpointNulls reads a checkpoint file with DuckDB's read_parquet and
// returns every protocol rule its rows break ("remove.dataChange: 3 rows
// NULL"), with the number of rows of each action kind.
func CheckpointNulls(ctx context.Context, path string) ([]string, ActionCounts, error) {
	var counts ActionCounts
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, counts, err
	}
	defer db.Close()
	src := fmt.Sprintf("read_parquet('%s')", strings.ReplaceAll(path, "'", "''"))
	err = db.QueryRowContext(ctx, `SELECT count("txn"), count("add"), count("remove"), count("metaData"), count("protocol") FROM `+src).
		Scan(&counts.Txn, &counts.Add, &counts.Remove, &counts.MetaData, &counts.Protocol)
	if err != nil {
		return nil, counts, fmt.Errorf("duckdb: %s: %w", path, err)
	}
	var broken []string
	for _, c := range checkpointRules {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+src+` WHERE `+c.violation).Scan(&n); err != nil {
			return nil, counts, fmt.Errorf("duckdb: %s: rule %s: %w", path, c.rule, err)
		}
		if n > 0 {
			broken = append(broken, fmt.Sprintf("%s: %d rows break it", c.rule, n))
		}
	}
	return broken, counts, nil
}
