package dataset

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The digest is persisted with each load's outcome, so its value for a
// given row must never change: this pins it.
const pinnedDigest uint64 = 0x1fb2048d407e3009 // digestRevision 2

func TestDigestIsStable(t *testing.T) {
	row := []Value{{I: 1}, {I: 10000}, {Null: true}, {S: "Produce"}, {I: -5}}
	got := Digest(row)
	if got != pinnedDigest {
		t.Fatalf("Digest = %#x, pinned %#x: digests recorded under this digestRevision would no longer match (a new Digest needs a new digestRevision, and a new pin)", got, pinnedDigest)
	}
}

// Any one change to a row — a value, a string, a null, two values
// swapped — changes its digest.
func TestDigestSeesEveryChange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + rng.IntN(12)
		row := make([]Value, n)
		for i := range row {
			switch rng.IntN(4) {
			case 0:
				row[i] = Value{Null: true}
			case 1:
				row[i] = Value{S: string(rune('a' + rng.IntN(26)))}
			default:
				row[i] = Value{I: rng.Int64N(1000) - 500}
			}
		}
		base := Digest(row)
		i := rng.IntN(n)
		for _, changed := range []Value{{I: row[i].I + 1}, {I: row[i].I ^ math.MinInt64}, {Null: !row[i].Null}, {S: row[i].S + "x"}, {I: 0}} {
			if changed == row[i] {
				continue
			}
			c := append([]Value(nil), row...)
			c[i] = changed
			if Digest(c) == base {
				t.Fatalf("row %v and %v share the digest %#x", row, c, base)
			}
		}
		if j := rng.IntN(n); row[j] != row[i] {
			c := append([]Value(nil), row...)
			c[i], c[j] = c[j], c[i]
			if Digest(c) == base {
				t.Fatalf("swapping values %d and %d of %v keeps the digest", i, j, row)
			}
		}
	}
	// Nulls and zeros, empty strings and zeros are told apart.
	if Digest([]Value{{Null: true}}) == Digest([]Value{{}}) {
		t.Fatal("a null and a zero share a digest")
	}
	if Digest([]Value{{I: math.MinInt64}, {I: math.MinInt64}}) == Digest([]Value{{}, {}}) {
		t.Fatal("two top bits cancel out")
	}
	// No integer digests as a null does: nulls are summed apart. The
	// integers tried are those a null's term would equal in the sum of
	// values, were it mixed as one.
	for _, x := range []uint64{nullMark, 0, positionSalt, fmix64(positionSalt), fmix64(positionSalt) ^ positionSalt} {
		for pos := range 3 {
			null, val := make([]Value, 3), make([]Value, 3)
			null[pos], val[pos] = Value{Null: true}, Value{I: int64(x)}
			if Digest(null) == Digest(val) {
				t.Fatalf("a null and %#x share a digest at position %d", x, pos)
			}
		}
	}
}

func TestRulesFingerprintNamesTheRules(t *testing.T) {
	a, b := All()[2], All()[2]
	if a.RulesFingerprint("") != b.RulesFingerprint("") {
		t.Fatal("the same rules give two fingerprints")
	}
	if a.RulesFingerprint("") == a.RulesFingerprint("limits") {
		t.Fatal("the extra text is not folded in")
	}
	b.Columns = append([]Column(nil), b.Columns...)
	b.Columns[3].Optional = false
	if a.RulesFingerprint("") == b.RulesFingerprint("") {
		t.Fatal("a column made required keeps the fingerprint")
	}
	if All()[0].RulesFingerprint("") == a.RulesFingerprint("") {
		t.Fatal("two datasets share a fingerprint")
	}
}

func BenchmarkDigest(b *testing.B) {
	row := []Value{{I: 1}, {I: 10000}, {I: 9392}, {I: 3}, {I: 183}, {I: 1}, {I: 1}, {I: 1743540000000000}, {I: 20179}}
	var s uint64
	for b.Loop() {
		s += Digest(row)
	}
	_ = s
}
