package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-03-01T10:00:00+02:00"},
		{Key: "vcs.modified", Value: "true"},
	}}
	i := get(bi, "", "", "")
	if i.Version != "v0.4.0" || i.Commit != "0123456789abcdef0123456789abcdef01234567" || !i.Modified || i.Date != "2026-03-01T08:00:00Z" {
		t.Fatalf("%+v", i)
	}
	if s := i.String(); !strings.Contains(s, "lakeops v0.4.0 (commit 0123456789ab-dirty, built 2026-03-01T08:00:00Z, go1.26.8") {
		t.Fatalf("String() = %q", s)
	}
}

func TestLinkerOverrides(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "aaaa"}, {Key: "vcs.modified", Value: "true"}}}
	i := get(bi, "v1.2.0", "bbbbbbbbbbbbbbbb", "2026-04-02T03:04:05Z")
	if i.Version != "v1.2.0" || i.Commit != "bbbbbbbbbbbbbbbb" || i.Modified || i.Date != "2026-04-02T03:04:05Z" {
		t.Fatalf("%+v", i)
	}
}

func TestUnknownBuild(t *testing.T) {
	i := get(nil, "", "", "")
	if i.Version != "(devel)" || !strings.Contains(i.String(), "commit unknown, built unknown") {
		t.Fatalf("%+v %s", i, i)
	}
}
