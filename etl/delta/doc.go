// Package delta implements the Delta Lake transaction log: reading snapshots
// (log replay from checkpoints, time travel, history) and writing commits
// (put-if-absent, conflict detection, checkpoints) for protocol reader 1 /
// writer 2 tables.
//
// Protocol logic is pure and kept apart from IO: actions.go, schema.go,
// segment.go, replay.go, conflict.go and stats.go work on values; snapshot.go,
// checkpoint.go, commit.go and the data-file readers and writers do IO through
// the small storage.Store interface only.
package delta
