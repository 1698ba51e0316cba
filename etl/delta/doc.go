// Package delta implements the Delta Lake transaction log: reading snapshots
// (log replay from classic, multi-part and v2 checkpoints, time travel,
// history) of tables at reader versions 1 to 3 — column mapping, deletion
// vectors, timestampNtz, v2 checkpoints and vacuumProtocolCheck included —
// and writing commits (put-if-absent, conflict detection, checkpoints) for
// protocol reader 1 / writer 2 tables.
//
// Protocol logic is pure and kept apart from IO: actions.go, schema.go,
// segment.go, replay.go, protocol.go, features.go, columnmapping.go, dv.go,
// conflict.go and stats.go work on values; snapshot.go, checkpoint.go,
// checkpointread.go, dvread.go, commit.go and the data-file readers and
// writers do IO through the small storage.Store interface only.
package delta
