// Package delta implements the Delta Lake transaction log: reading snapshots
// (log replay from classic, multi-part and v2 checkpoints, time travel,
// history) of tables at reader versions 1 to 3 — column mapping, deletion
// vectors, timestampNtz, v2 checkpoints and vacuumProtocolCheck included —
// and writing protocol reader 1 / writer 2 tables: commits (put-if-absent,
// conflict detection), checkpoints in Spark's schema, data files in
// Parquet every engine reads (encodings.go), and table maintenance:
// vacuum, optimize, expired log cleanup and table properties.
//
// Protocol logic is pure and kept apart from IO: actions.go, schema.go,
// segment.go, replay.go, protocol.go, features.go, columnmapping.go, dv.go,
// conflict.go, stats.go, retention.go, checkpointrows.go and maintplan.go
// work on values; snapshot.go, checkpoint.go, checkpointread.go,
// checkpointwrite.go, dvread.go, commit.go, vacuum.go, optimize.go,
// logclean.go, properties.go and the data-file readers and writers do IO
// through the small storage.Store interface only.
package delta
