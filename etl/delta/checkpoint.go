package delta

import (
	"fmt"

	"github.com/lakeops/lakeops/etl/parquetrows"
)

// ParseCheckpoint decodes the actions of one checkpoint Parquet file.
func ParseCheckpoint(data []byte) ([]Action, error) {
	f, err := parquetrows.OpenBytes(data)
	if err != nil {
		return nil, err
	}
	// Project onto the action columns the file has; a writer may leave some
	// out (sidecars hold only add and remove).
	want := checkpointColumns()
	have := map[string]bool{}
	for _, c := range f.Columns() {
		have[c.Name] = true
	}
	var proj []string
	pos := make([]int, len(want))
	for i, c := range want {
		pos[i] = -1
		if have[c] {
			pos[i] = len(proj)
			proj = append(proj, c)
		}
	}
	var out []Action
	full := make([]any, len(want))
	for row, err := range f.Rows(proj...) {
		if err != nil {
			return nil, err
		}
		for i, p := range pos {
			full[i] = nil
			if p >= 0 {
				full[i] = row[p]
			}
		}
		a, err := checkpointAction(full)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}

// checkpointAction converts one checkpoint row (the checkpointColumns;
// absent columns are nil) into an action, or nil for an empty row.
func checkpointAction(row []any) (*Action, error) {
	get := func(i int) parquetrows.Struct {
		if i < len(row) {
			if s, ok := row[i].(parquetrows.Struct); ok {
				return s
			}
		}
		return nil
	}
	if s := get(0); s != nil {
		return &Action{Txn: &Txn{AppID: str(s, "appId"), Version: i64(s, "version"), LastUpdated: i64p(s, "lastUpdated")}}, nil
	}
	if s := get(1); s != nil {
		a := &Add{Path: str(s, "path"), PartitionValues: strMapP(s, "partitionValues"), Size: i64(s, "size"),
			ModificationTime: i64(s, "modificationTime"), DataChange: boolean(s, "dataChange"), Stats: str(s, "stats"),
			Tags: strMap(s, "tags")}
		a.DeletionVector = checkpointDV(s)
		if a.Path == "" {
			return nil, fmt.Errorf("add action without a path")
		}
		return &Action{Add: a}, nil
	}
	if s := get(2); s != nil {
		r := &Remove{Path: str(s, "path"), DeletionTimestamp: i64p(s, "deletionTimestamp"), DataChange: boolean(s, "dataChange"),
			ExtendedFileMetadata: boolean(s, "extendedFileMetadata"), PartitionValues: strMapP(s, "partitionValues"), Size: i64p(s, "size"),
			DeletionVector: checkpointDV(s)}
		if r.Path == "" {
			return nil, fmt.Errorf("remove action without a path")
		}
		return &Action{Remove: r}, nil
	}
	if s := get(3); s != nil {
		m := &Metadata{ID: str(s, "id"), Name: str(s, "name"), Description: str(s, "description"),
			SchemaString: str(s, "schemaString"), PartitionColumns: strList(s, "partitionColumns"),
			Configuration: strMap(s, "configuration"), CreatedTime: i64p(s, "createdTime")}
		if fs, ok := field(s, "format").(parquetrows.Struct); ok && fs != nil {
			m.Format = Format{Provider: str(fs, "provider"), Options: strMap(fs, "options")}
		}
		return &Action{MetaData: m}, nil
	}
	if s := get(4); s != nil {
		return &Action{Protocol: &Protocol{MinReaderVersion: int(i64(s, "minReaderVersion")), MinWriterVersion: int(i64(s, "minWriterVersion")),
			ReaderFeatures: strList(s, "readerFeatures"), WriterFeatures: strList(s, "writerFeatures")}}, nil
	}
	return checkpointV2Action(get(5), get(6), get(7))
}

func field(s parquetrows.Struct, name string) any {
	for _, f := range s {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

func str(s parquetrows.Struct, name string) string {
	v, _ := field(s, name).(string)
	return v
}

func i64p(s parquetrows.Struct, name string) *int64 {
	var n int64
	switch v := field(s, name).(type) {
	case int64:
		n = v
	case int32:
		n = int64(v)
	default:
		return nil
	}
	return &n
}

func i64(s parquetrows.Struct, name string) int64 {
	if p := i64p(s, name); p != nil {
		return *p
	}
	return 0
}

func boolean(s parquetrows.Struct, name string) bool {
	v, _ := field(s, name).(bool)
	return v
}

func strList(s parquetrows.Struct, name string) []string {
	l, _ := field(s, name).(parquetrows.List)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if v, ok := e.(string); ok {
			out = append(out, v)
		}
	}
	return out
}

func strMapP(s parquetrows.Struct, name string) map[string]*string {
	m, _ := field(s, name).(parquetrows.Map)
	out := make(map[string]*string, len(m))
	for _, e := range m {
		k, _ := e.Key.(string)
		if v, ok := e.Value.(string); ok {
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}

func strMap(s parquetrows.Struct, name string) map[string]string {
	m, _ := field(s, name).(parquetrows.Map)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, e := range m {
		k, _ := e.Key.(string)
		v, _ := e.Value.(string)
		out[k] = v
	}
	return out
}
