package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// rulesRevision names the meaning of the row rules as this code checks
// them. Bump it whenever a rule accepts or rejects anything differently,
// or types a value differently: outcomes recorded under another revision
// are then never trusted again (see RulesFingerprint).
const rulesRevision = 1

// RulesFingerprint names everything a row's outcome under the row rules
// depends on besides the row itself: the rules' revision and the
// dataset's columns, types, key, partition and date columns. extra is
// folded in too (the caller's limits). Two runs with the same fingerprint
// check the same bytes the same way.
func (d *Dataset) RulesFingerprint(extra string) string {
	h := sha256.New()
	fmt.Fprintf(h, "lakeops-rules:%d:%d\x00%s\x00%d:%d:%d:%d\x00", rulesRevision, digestRevision, d.Name, d.Key, d.Partition, d.Timestamp, d.Date)
	for _, c := range d.Columns {
		fmt.Fprintf(h, "%s:%d:%t\x00", c.Name, c.Type, c.Optional)
	}
	fmt.Fprintf(h, "%s", extra)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Digest is a 64-bit digest of a row's typed values that is the same in
// every process and every version: outcomes of loads are recorded with it
// and compared with the table's rows later, so it must not change without
// digestRevision changing. Each value is mixed on its own with its
// position and the mixes are summed; nulls are summed apart, by position,
// so that no value digests as a null does; a row's digest is both sums
// mixed again. Digests of rows add up to the digest of a set of rows, in
// any order.
func Digest(row []Value) uint64 {
	var h, nulls, salt uint64
	for i := range row {
		v := &row[i]
		salt += positionSalt
		if v.Null {
			nulls += fmix64(salt)
			continue
		}
		x := uint64(v.I)
		if len(v.S) != 0 {
			x ^= xxhash.Sum64String(v.S)
		}
		x = (x ^ salt) * mixMul
		h += x ^ x>>29
	}
	return fmix64(h ^ fmix64(nulls^nullMark))
}

// digestRevision names Digest's function; it is part of RulesFingerprint,
// so that digests recorded under another are never compared.
const digestRevision = 2

const (
	nullMark     = 0x9e3779b97f4a7c15
	positionSalt = 0xd6e8feb86659fd93
	mixMul       = 0xbf58476d1ce4e5b9
)

// fmix64 is MurmurHash3's finaliser: every input bit moves every output bit.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
