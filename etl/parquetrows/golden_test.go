package parquetrows

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenTestdata cross-checks every Parquet file of testdata/ (written by
// Spark through parquet-mr) against DuckDB.
func TestGoldenTestdata(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no testdata")
	}
	db := openDuckDB(t)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) { crossCheck(t, db, p) })
	}
}

// TestGoldenDir cross-checks every Parquet file under a directory against
// DuckDB: the repository's copy of the Delta conformance corpus, or the
// directory named by PARQUETROWS_GOLDEN_DIR (e.g. the full shared corpus),
// leaving out files larger than PARQUETROWS_GOLDEN_MAX bytes (1 MB unless set).
func TestGoldenDir(t *testing.T) {
	dir := os.Getenv("PARQUETROWS_GOLDEN_DIR")
	if dir == "" {
		dir = "../../testdata/delta-conformance"
	}
	limit := int64(1 << 20)
	if s := os.Getenv("PARQUETROWS_GOLDEN_MAX"); s != "" {
		var err error
		if limit, err = parseInt(s); err != nil {
			t.Fatal(err)
		}
	}
	db := openDuckDB(t)
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil || info.Size() > limit {
			return err
		}
		n++
		t.Run(strings.TrimPrefix(p, dir), func(t *testing.T) { crossCheck(t, db, p) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d Parquet files under %s", n, dir)
	}
	t.Logf("%d files checked", n)
}

// TestGoldenValues pins decoded values and types of Spark-written files,
// beyond what the comparison with DuckDB sees: the Go types, the column
// descriptions, and a few values worked out by hand.
func TestGoldenValues(t *testing.T) {
	for _, tc := range []struct {
		file    string
		columns []string // Column.String() of each top-level column; nil to skip
		first   string   // canon of the first row
	}{{
		file: "hive_map_types.parquet", // parquet-mr 1.10: INT96, DECIMAL(38,18) in FIXED_LEN_BYTE_ARRAY(16)
		columns: []string{"c1 int32", "c2 binary", "c3 boolean", "c4 int32", "c5 int64", "c6 string", "c7 float",
			"c8 double", "c9 int32", "c10 date", "c11 timestamp(nanos,int96)", "c12 decimal(38,18)",
			"c13 list<string>", "c14 map<string,int64>", "c15 struct<f1:string,f2:int64>"},
		first: `[97,"0x6263",true,4,5,"foo",6,7,8,"1970-01-01T00:00:00Z","1970-01-01T16:40:00Z",` +
			`12345.678900000000794535,["foo","bar"],[["foo",123]],{"f1":"foo","f2":456}]`,
	}, {
		file:    "basic_decimal.parquet", // DECIMAL in INT64, INT32, INT64 and FIXED_LEN_BYTE_ARRAY(9)
		columns: []string{"part decimal(12,5)", "col1 decimal(5,2)", "col2 decimal(10,5)", "col3 decimal(20,10)"},
		first:   `[2342222.23454,111.11,22222.22222,3333333333.3333333333]`,
	}, {
		file:    "timestamp_int96.parquet", // INT96 before the epoch
		columns: []string{"id int32", "time timestamp(nanos,int96)"},
		first:   `[3,"1969-01-01T00:00:00Z"]`,
	}, {
		file:    "timestamp_millis.parquet",
		columns: []string{"id int32", "time timestamp(millis,utc)"},
		first:   `[3,"1969-01-01T00:00:00Z"]`,
	}, {
		file:    "timestamp_ntz.parquet",
		columns: []string{"id int32", "tsNtz timestamp(micros,local)", "tsNtzPartition timestamp(micros,local)"},
		first:   `[0,"2021-11-18T02:30:00.123456Z","2021-11-18T02:30:00.123456Z"]`,
	}, {
		file:    "date_types_int96.parquet",
		columns: []string{"timestamp timestamp(nanos,int96)", "date date"},
		first:   `["2020-01-01T08:09:10Z","2020-01-01T00:00:00Z"]`,
	}, {
		file:  "all_types_legacy_format.parquet", // legacy lists (bag/array), INT96, FIXED_LEN_BYTE_ARRAY(5) decimal
		first: `[null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null]`,
	}} {
		t.Run(tc.file, func(t *testing.T) {
			f, rows := decodeFile(t, filepath.Join("testdata", tc.file))
			cols := f.Columns()
			if tc.columns != nil {
				var got []string
				for _, c := range cols {
					got = append(got, c.String())
				}
				if strings.Join(got, "; ") != strings.Join(tc.columns, "; ") {
					t.Errorf("columns\n got %q\nwant %q", got, tc.columns)
				}
			}
			if got := canon(rows[0]); got != tc.first {
				t.Errorf("first row\n got %s\nwant %s", got, tc.first)
			}
			for i, row := range rows {
				for j, v := range row {
					if err := conforms(v, cols[j]); err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
				}
			}
		})
	}
}

// TestGoldenTypes checks the physical and logical types reported for the
// leaves, and the time zone semantics of timestamps.
func TestGoldenTypes(t *testing.T) {
	f, _ := decodeFile(t, filepath.Join("testdata", "all_types.parquet"))
	byName := map[string]Column{}
	for _, c := range f.Columns() {
		byName[c.Name] = c
	}
	for name, want := range map[string]Type{
		"ByteType":         {Kind: KindInt32, Physical: "INT32", Logical: "INT(8,true)"},
		"decimal":          {Kind: KindDecimal, Physical: "INT64", Logical: "DECIMAL(10,2)", Precision: 10, Scale: 2},
		"TimestampType":    {Kind: KindTimestamp, Physical: "INT64", Logical: "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", Unit: "MICROS", AdjustedToUTC: true},
		"TimestampNTZType": {Kind: KindTimestamp, Physical: "INT64", Logical: "TIMESTAMP(isAdjustedToUTC=false,unit=MICROS)", Unit: "MICROS"},
		"DateType":         {Kind: KindDate, Physical: "INT32", Logical: "DATE"},
		"BinaryType":       {Kind: KindBinary, Physical: "BYTE_ARRAY"},
	} {
		got := byName[name].Type
		if got.Kind != want.Kind || got.Physical != want.Physical || got.Logical != want.Logical ||
			got.Precision != want.Precision || got.Scale != want.Scale || got.Unit != want.Unit ||
			got.AdjustedToUTC != want.AdjustedToUTC {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	if c := byName["map_of_rows"]; c.Type.Key.Nullable || !c.Type.Value.Nullable || c.Type.Value.Type.Kind != KindStruct {
		t.Errorf("map_of_rows: %+v", c.Type)
	}
	if c := byName["array_of_prims"]; !c.Nullable || !c.Type.Elem.Nullable || c.Type.Elem.Type.Kind != KindInt32 {
		t.Errorf("array_of_prims: %+v", c.Type)
	}
	legacy, _ := decodeFile(t, filepath.Join("testdata", "all_types_legacy_format.parquet"))
	for _, c := range legacy.Columns() {
		if c.Name == "decimal" && c.Type.Physical != "FIXED_LEN_BYTE_ARRAY(5)" {
			t.Errorf("legacy decimal stored as %s", c.Type.Physical)
		}
		if c.Name == "TimestampType" && (c.Type.Physical != "INT96" || !c.Type.AdjustedToUTC) {
			t.Errorf("legacy timestamp: %+v", c.Type)
		}
	}
}
