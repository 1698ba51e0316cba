package glue

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// memGlue is a small stateful Glue Data Catalog behind the AWS JSON 1.1
// protocol: GetTable, CreateTable, UpdateTable (with VersionId checks),
// GetTables (paginated) and DeleteTable on one database, answering with the
// errors Glue documents. It lets the catalogtest suite run against the Glue
// implementation.
type memGlue struct {
	db       string
	pageSize int

	mu     sync.Mutex
	tables map[string]map[string]any // name → Table as Glue returns it
}

func newMemGlue(t *testing.T, db string, pageSize int) aws.Config {
	m := &memGlue{db: db, pageSize: pageSize, tables: map[string]map[string]any{}}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return aws.Config{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLAKEOPSTEST", "not-a-secret", ""),
		BaseEndpoint:     aws.String(srv.URL),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
}

func glueError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "Message": msg})
}

func (m *memGlue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		glueError(w, "InvalidInputException", "bad JSON")
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSGlue.")
	if !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		glueError(w, "InvalidInputException", "not AWS JSON 1.1")
		return
	}
	if body["DatabaseName"] != m.db {
		glueError(w, "EntityNotFoundException", fmt.Sprintf("Database %v not found.", body["DatabaseName"]))
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var resp any = map[string]any{}
	switch op {
	case "GetTable":
		t, ok := m.tables[body["Name"].(string)]
		if !ok {
			glueError(w, "EntityNotFoundException", "Entity Not Found")
			return
		}
		resp = map[string]any{"Table": t}
	case "CreateTable":
		in := body["TableInput"].(map[string]any)
		name := in["Name"].(string)
		if _, ok := m.tables[name]; ok {
			glueError(w, "AlreadyExistsException", "Table already exists.")
			return
		}
		m.tables[name] = m.table(in, 0)
	case "UpdateTable":
		in := body["TableInput"].(map[string]any)
		name := in["Name"].(string)
		old, ok := m.tables[name]
		if !ok {
			glueError(w, "EntityNotFoundException", "Entity Not Found")
			return
		}
		if v, ok := body["VersionId"]; ok && v != old["VersionId"] {
			glueError(w, "ConcurrentModificationException", "Update table failed due to concurrent modifications.")
			return
		}
		n, _ := strconv.Atoi(old["VersionId"].(string))
		m.tables[name] = m.table(in, n+1)
	case "GetTables":
		names := slices.Sorted(maps.Keys(m.tables))
		start := 0
		if tok, ok := body["NextToken"].(string); ok {
			start, _ = strconv.Atoi(tok)
		}
		end := min(start+m.pageSize, len(names))
		list := []any{}
		for _, n := range names[start:end] {
			list = append(list, m.tables[n])
		}
		out := map[string]any{"TableList": list}
		if end < len(names) {
			out["NextToken"] = strconv.Itoa(end)
		}
		resp = out
	case "DeleteTable":
		name := body["Name"].(string)
		if _, ok := m.tables[name]; !ok {
			glueError(w, "EntityNotFoundException", "Table "+name+" not found.")
			return
		}
		delete(m.tables, name)
	default:
		glueError(w, "InvalidInputException", "unsupported operation "+op)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(resp)
}

// table is the stored Table for a TableInput, at a version.
func (m *memGlue) table(in map[string]any, version int) map[string]any {
	t := maps.Clone(in)
	t["DatabaseName"] = m.db
	t["CreateTime"] = 1764000000.0
	t["VersionId"] = strconv.Itoa(version)
	return t
}
