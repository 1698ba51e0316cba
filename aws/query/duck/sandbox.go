//go:build cgo

package duck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/lakeops/lakeops/aws/query"
)

// The sandbox. Unless Options.UnsafeFileAccess is set, the engine's DuckDB
// may touch only what it needs itself: the folders of the lake's tables (on
// a folder lake) or the cache their files are fetched into (other stores),
// and a temporary folder of its own for spilling. DuckDB's external access
// is switched off with those folders allowed, extensions are neither
// installed nor loaded, and the configuration is then locked so that SQL
// cannot lift any of it. Because DuckDB lets SQL write inside an allowed
// folder too, statements that write files or reach other databases (COPY,
// EXPORT, ATTACH, DETACH, INSTALL, LOAD) and those that change settings
// (SET, PRAGMA that sets) are refused by their type before they run; see
// policy.

// sandbox is the set-up of one engine's DuckDB.
type sandbox struct {
	allowed []string // folders DuckDB may read (absolute, with a trailing separator)
	tempDir string   // DuckDB's spill folder, removed on Close; "" without a sandbox
}

// newSandbox prepares the sandbox of an engine whose data files live under
// dirs. With fileAccess there is no sandbox: DuckDB keeps its own defaults.
func newSandbox(dirs []string, fileAccess bool) (*sandbox, error) {
	if fileAccess {
		return &sandbox{}, nil
	}
	tmp, err := engineTempDir()
	if err != nil {
		return nil, fmt.Errorf("sandbox: temporary folder for DuckDB: %w", err)
	}
	sb := &sandbox{tempDir: tmp}
	for _, d := range append(dirs, tmp) {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("sandbox: folder %s: %w", d, err), sb.close())
		}
		sb.allowed = append(sb.allowed, strings.TrimSuffix(abs, string(filepath.Separator))+string(filepath.Separator))
	}
	return sb, nil
}

// staleTempDirs is how old the temporary folder of an engine whose
// process is gone must be before another engine removes it.
const staleTempDirs = time.Hour

// engineTempDir makes the engine's own spill folder (mode 0700),
// engine-<pid>-<random>, under the user's cache directory,
// lakeops/duckdb-tmp (the system's temporary directory when there is no
// cache directory), and removes the folders of engines whose process was
// killed before it could close them.
func engineTempDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	base = filepath.Join(base, "lakeops", "duckdb-tmp")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	if entries, err := os.ReadDir(base); err == nil {
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || !e.IsDir() || time.Since(info.ModTime()) < staleTempDirs || processAlive(ownerPID(e.Name())) {
				continue
			}
			_ = os.RemoveAll(filepath.Join(base, e.Name())) // best effort: a killed engine's leftovers
		}
	}
	return os.MkdirTemp(base, fmt.Sprintf("engine-%d-", os.Getpid()))
}

// ownerPID reads the process id out of a temporary folder's name; 0 when
// it has none.
func ownerPID(name string) int {
	rest, ok := strings.CutPrefix(name, "engine-")
	if !ok {
		return 0
	}
	pid, _, _ := strings.Cut(rest, "-")
	n, err := strconv.Atoi(pid)
	if err != nil {
		return 0
	}
	return n
}

// processAlive reports whether a process may still run: only a process
// that is surely gone (or an unknown pid, 0) counts as not alive.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || !(errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH))
}

// settings are the statements that configure a new database, in order.
// Settings are global, so every later connection of the pool has them.
func (sb *sandbox) settings() []string {
	out := []string{
		"SET GLOBAL TimeZone = 'UTC'",
		"SET GLOBAL parquet_metadata_cache = true",
		"SET GLOBAL autoinstall_known_extensions = false",
	}
	if sb.tempDir == "" {
		return out
	}
	quoted := make([]string, len(sb.allowed))
	for i, d := range sb.allowed {
		quoted[i] = quoteString(d)
	}
	return append(out,
		"SET GLOBAL autoload_known_extensions = false",
		"SET GLOBAL allow_community_extensions = false",
		"SET GLOBAL temp_directory = "+quoteString(sb.tempDir),
		"SET GLOBAL allowed_directories = ["+strings.Join(quoted, ", ")+"]",
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL lock_configuration = true",
	)
}

// apply configures the database through one of its connections.
func (sb *sandbox) apply(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("start DuckDB: %w", err)
	}
	defer conn.Close()
	for _, s := range sb.settings() {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("start DuckDB: %s: %w", s, err)
		}
	}
	return nil
}

// close removes the sandbox's temporary folder.
func (sb *sandbox) close() error {
	if sb.tempDir == "" {
		return nil
	}
	if err := os.RemoveAll(sb.tempDir); err != nil {
		return fmt.Errorf("remove DuckDB's temporary folder: %w", err)
	}
	return nil
}

// explainAccess turns DuckDB's permission errors into one line that says
// what is off and how to turn it on; other errors pass unchanged.
func explainAccess(err error) error {
	var de *duckdb.Error
	if !errors.As(err, &de) || de.Type != duckdb.ErrorTypePermission {
		return err
	}
	what := de.Msg
	if i := strings.Index(what, "Cannot access "); i >= 0 {
		what = what[i+len("Cannot access "):]
		if j := strings.Index(what, " - "); j >= 0 {
			what = what[:j]
		}
	}
	return &query.RefusedError{Reason: fmt.Sprintf("local file access is off: %s is outside the lake's tables; start lakeops with %s to allow it", what, FileAccessFlag)}
}
