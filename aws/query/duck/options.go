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
}

// DefaultCacheLimit is the default of Options.CacheLimitBytes.
const DefaultCacheLimit int64 = 2 << 30
