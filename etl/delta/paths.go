package delta

import (
	"fmt"
	"net/url"
	"strings"
)

// HiveNull is the folder name Spark uses for a null partition value.
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// PartitionDir renders Hive-style partition folders ("date=2024-01-02/"),
// escaping names and values as Spark does; "" for an unpartitioned table.
func PartitionDir(cols []string, values map[string]*string) string {
	var b strings.Builder
	for _, c := range cols {
		v := HiveNull
		if p := values[c]; p != nil && *p != "" {
			v = escapePathName(*p)
		}
		b.WriteString(escapePathName(c) + "=" + v + "/")
	}
	return b.String()
}

// escapePathName escapes the characters Spark's ExternalCatalogUtils escapes in partition paths.
func escapePathName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7F || strings.ContainsRune("\"#%'*/:=?\\{[]^", r) {
			fmt.Fprintf(&b, "%%%02X", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// encodePath percent-encodes a relative path for an add action, as URI path
// segments (so "%" in a folder name becomes "%25").
func encodePath(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
