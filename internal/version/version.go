// Package version says which build of lakeops is running: its version,
// the commit it was built from and when, read from the Go toolchain's build
// information (module version, vcs.revision, vcs.time) and overridable by
// the release build with -ldflags:
//
//	go build -ldflags "-X github.com/lakeops/lakeops/internal/version.version=v1.2.0 \
//	  -X github.com/lakeops/lakeops/internal/version.commit=$(git rev-parse HEAD) \
//	  -X github.com/lakeops/lakeops/internal/version.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"time"
)

// Set by the linker (-ldflags -X) in release builds; never written at run
// time. Empty means: take it from the build information.
var (
	version string
	commit  string
	date    string
)

// Info describes one build.
type Info struct {
	Version   string `json:"version"`    // "v1.2.0", or "(devel)" for a build from a work tree
	Commit    string `json:"commit"`     // the full commit hash, "" when unknown
	Modified  bool   `json:"modified"`   // the work tree had changes not committed
	Date      string `json:"build_date"` // RFC 3339 UTC: the release build's date, else the commit's time
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"` // GOOS/GOARCH
}

// Get returns the running build's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return get(bi, version, commit, date)
}

// get builds an Info from build information and the linker's overrides.
func get(bi *debug.BuildInfo, ldVersion, ldCommit, ldDate string) Info {
	info := Info{Version: "(devel)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if v := bi.Main.Version; v != "" {
			info.Version = v
		}
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.Date = utc(s.Value)
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		info.Version = ldVersion
	}
	if ldCommit != "" {
		info.Commit, info.Modified = ldCommit, false
	}
	if ldDate != "" {
		info.Date = utc(ldDate)
	}
	return info
}

// utc rewrites an RFC 3339 time in UTC; other text is kept as it is.
func utc(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339)
}

// String is the one line `lakeops --version` prints.
func (i Info) String() string {
	c := i.Commit
	if c == "" {
		c = "unknown"
	} else if len(c) > 12 {
		c = c[:12]
	}
	if i.Modified {
		c += "-dirty"
	}
	d := i.Date
	if d == "" {
		d = "unknown"
	}
	return fmt.Sprintf("lakeops %s (commit %s, built %s, %s, %s)", i.Version, c, d, i.GoVersion, i.Platform)
}
