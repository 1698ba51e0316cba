package duck

import "time"

// Options configure the engine. Zero values take the defaults.
type Options struct {
	// CacheDir holds data files fetched from a remote lake (default: the
	// user cache directory's lakeops/query). Unused on folder lakes. The
	// engine never deletes from it; remove it to reclaim space.
	CacheDir string
	// CacheLimitBytes caps the data files one statement needs from a remote
	// lake (every table and version it names, cached or not); default 2 GiB.
	CacheLimitBytes int64
	// Progress, when set, reports the bytes fetched into the cache while a
	// statement waits for them (at the start, about every MiB, at the end).
	// Calls are serialized; it must not call back into the engine.
	Progress func(done, total int64)
	// RecheckInterval is how long a table's version is trusted before the
	// log is checked again; default 500 ms; negative checks every statement.
	RecheckInterval time.Duration
	// ReadOnly runs only statements that read (DuckDB's SELECT type, and
	// EXPLAIN of one); everything else is refused before it runs.
	ReadOnly bool
	// UnsafeFileAccess lifts the sandbox: DuckDB may then read and write
	// any local file the process can (read_csv, COPY … TO, ATTACH), install
	// and load extensions and change its settings. Off by default.
	UnsafeFileAccess bool
}

// DefaultCacheLimit is the default of Options.CacheLimitBytes.
const DefaultCacheLimit int64 = 2 << 30

// FileAccessFlag is the command-line flag that lifts the sandbox; messages
// name it so that a refused user knows the way out.
const FileAccessFlag = "--unsafe-sql-file-access"
