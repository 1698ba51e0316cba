package delta

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Table properties of retention, with Delta's names and defaults.
const (
	// DeletedFileRetentionProperty is how long a removed data file stays for
	// time travel before VACUUM may delete it (and how long its remove stays in
	// checkpoints).
	DeletedFileRetentionProperty = "delta.deletedFileRetentionDuration"
	// LogRetentionProperty is how long commits and checkpoints stay in the log.
	LogRetentionProperty = "delta.logRetentionDuration"
	// ExpiredLogCleanupProperty turns the log cleanup after checkpoints off when "false".
	ExpiredLogCleanupProperty = "delta.enableExpiredLogCleanup"

	// DefaultDeletedFileRetention is Delta's default of DeletedFileRetentionProperty.
	DefaultDeletedFileRetention = 7 * 24 * time.Hour
	// DefaultLogRetention is Delta's default of LogRetentionProperty.
	DefaultLogRetention = 30 * 24 * time.Hour
)

// ParseInterval parses a Delta duration property in Spark's interval
// syntax: "interval 7 days", "interval 1 day 12 hours", "168 hours" (the
// word "interval" is optional). Units are week, day, hour, minute, second,
// millisecond and microsecond, singular or plural; months and years are
// refused, as Delta refuses them (they have no fixed length).
func ParseInterval(s string) (time.Duration, error) {
	fields := strings.Fields(strings.ToLower(s))
	if len(fields) > 0 && fields[0] == "interval" {
		fields = fields[1:]
	}
	if len(fields) == 0 || len(fields)%2 != 0 {
		return 0, fmt.Errorf("interval %q: want pairs of a number and a unit, e.g. \"interval 7 days\"", s)
	}
	var total time.Duration
	for i := 0; i < len(fields); i += 2 {
		n, err := strconv.ParseInt(fields[i], 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("interval %q: %q is not a whole number of at least 0", s, fields[i])
		}
		unit, ok := intervalUnits[strings.TrimSuffix(fields[i+1], "s")]
		if !ok {
			return 0, fmt.Errorf("interval %q: unknown unit %q (want weeks, days, hours, minutes, seconds, milliseconds or microseconds)", s, fields[i+1])
		}
		if n > int64(maxInterval/unit) {
			return 0, fmt.Errorf("interval %q is too long", s)
		}
		total += time.Duration(n) * unit
		if total > maxInterval {
			return 0, fmt.Errorf("interval %q is too long", s)
		}
	}
	return total, nil
}

// maxInterval bounds parsed intervals (a century), far from overflowing.
const maxInterval = 100 * 365 * 24 * time.Hour

var intervalUnits = map[string]time.Duration{
	"week": 7 * 24 * time.Hour, "day": 24 * time.Hour, "hour": time.Hour, "minute": time.Minute,
	"second": time.Second, "millisecond": time.Millisecond, "microsecond": time.Microsecond,
}

// FormatInterval renders a duration in the syntax ParseInterval reads, in
// the largest unit that divides it ("interval 7 days", "interval 36 hours").
func FormatInterval(d time.Duration) string {
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"days", 24 * time.Hour}, {"hours", time.Hour}, {"minutes", time.Minute}, {"seconds", time.Second}, {"milliseconds", time.Millisecond}} {
		if d%u.d == 0 {
			return fmt.Sprintf("interval %d %s", d/u.d, u.name)
		}
	}
	return fmt.Sprintf("interval %d microseconds", d/time.Microsecond)
}

// durationProperty reads a duration property, or def when it is not set.
func durationProperty(cfg map[string]string, key string, def time.Duration) (time.Duration, error) {
	v, ok := cfg[key]
	if !ok {
		return def, nil
	}
	d, err := ParseInterval(v)
	if err != nil {
		return 0, fmt.Errorf("table property %s: %w", key, err)
	}
	return d, nil
}

// DeletedFileRetention is the table's DeletedFileRetentionProperty, or its default.
func DeletedFileRetention(cfg map[string]string) (time.Duration, error) {
	return durationProperty(cfg, DeletedFileRetentionProperty, DefaultDeletedFileRetention)
}

// LogRetention is the table's LogRetentionProperty, or its default.
func LogRetention(cfg map[string]string) (time.Duration, error) {
	return durationProperty(cfg, LogRetentionProperty, DefaultLogRetention)
}

// ExpiredLogCleanup reports whether the table wants expired log files
// deleted after checkpoints (ExpiredLogCleanupProperty, default true).
func ExpiredLogCleanup(cfg map[string]string) bool {
	return !strings.EqualFold(strings.TrimSpace(cfg[ExpiredLogCleanupProperty]), "false")
}
