package delta

import (
	"os"
	"reflect"
	"testing"
)

// FuzzParseCommit: any bytes either fail to parse or parse into actions
// that survive an encode/parse round trip unchanged.
func FuzzParseCommit(f *testing.F) {
	f.Add([]byte(`{"commitInfo":{"timestamp":1,"operation":"WRITE"}}` + "\n" + `{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}`))
	f.Add([]byte(`{"add":{"path":"a%20b","partitionValues":{"d":null},"size":1,"modificationTime":2,"dataChange":true,"stats":"{}"}}`))
	f.Add([]byte(`{"remove":{"path":"x","deletionTimestamp":3,"dataChange":false}}` + "\n\n" + `{"txn":{"appId":"a","version":4}}`))
	f.Add([]byte(`{"metaData":{"id":"i","format":{"provider":"parquet"},"schemaString":"{}","partitionColumns":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		actions, err := ParseCommit(data)
		if err != nil {
			return
		}
		enc, err := EncodeCommit(actions)
		if err != nil {
			return // e.g. a commitInfo holding a value JSON cannot encode back
		}
		again, err := ParseCommit(enc)
		if err != nil {
			t.Fatalf("re-parse of our own encoding failed: %v\n%s", err, enc)
		}
		if len(again) != len(actions) {
			t.Fatalf("%d actions became %d", len(actions), len(again))
		}
		for i := range actions {
			a, b := actions[i], again[i]
			a.CommitInfo, b.CommitInfo = nil, nil
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("action %d changed:\n%#v\n%#v", i, a, b)
			}
		}
	})
}

// FuzzParseSchema: a schemaString either fails or renders back to a
// schema that parses to the same types.
func FuzzParseSchema(f *testing.F) {
	f.Add(`{"type":"struct","fields":[{"name":"a","type":"decimal(12,2)","nullable":true,"metadata":{}}]}`)
	f.Add(`{"type":"struct","fields":[{"name":"m","type":{"type":"map","keyType":"string","valueType":{"type":"array","elementType":"long","containsNull":true},"valueContainsNull":true},"nullable":true,"metadata":{}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseSchema(s)
		if err != nil {
			return
		}
		out, err := SchemaString(st)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSchema(out)
		if err != nil {
			t.Fatalf("re-parse failed: %v\n%s", err, out)
		}
		if again.String() != st.String() {
			t.Fatalf("%s became %s", st, again)
		}
	})
}

// FuzzParseCheckpoint: arbitrary bytes never panic the checkpoint reader.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	if b, err := os.ReadFile("../../testdata/delta-conformance/golden/checkpoint/delta/_delta_log/00000000000000000010.checkpoint.parquet"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseCheckpoint(data)
	})
}
