package storage

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest key, in bytes, that a Store accepts (the S3 limit).
const MaxKeyLen = 1024

// CheckKey reports whether key is a valid object key, returning an error that
// wraps ErrInvalidKey if not. A valid key is non-empty valid UTF-8 of at most
// MaxKeyLen bytes, relative (no leading '/'), made of '/'-separated segments none
// of which is empty, "." or ".." (so no trailing '/' and no "//"), and contains
// no NUL byte or backslash. Every Store applies these rules, so a lake that works
// on one store works on the other.
func CheckKey(key string) error {
	reason := ""
	switch {
	case key == "":
		reason = "empty key"
	case len(key) > MaxKeyLen:
		reason = fmt.Sprintf("key longer than %d bytes", MaxKeyLen)
	case !utf8.ValidString(key):
		reason = "key is not valid UTF-8"
	case key[0] == '/':
		reason = "absolute key (leading '/')"
	case strings.ContainsRune(key, 0):
		reason = "key contains a NUL byte"
	case strings.ContainsRune(key, '\\'):
		reason = "key contains a backslash"
	default:
		for seg := range strings.SplitSeq(key, "/") {
			switch seg {
			case "":
				reason = "key has an empty segment (\"//\" or trailing '/')"
			case ".", "..":
				reason = fmt.Sprintf("key has a %q segment", seg)
			}
			if reason != "" {
				break
			}
		}
	}
	if reason == "" {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidKey, reason)
}
