package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakeops/lakeops/etl/rowfmt"
)

// The output contract: a command that prints data takes --format with the
// formats it supports — table for people; json (one document: an object,
// or an array for a list), jsonl (one object a line) and csv (a header,
// formula cells guarded) for scripts. JSON keys are snake_case, lists are
// arrays (never null), times RFC 3339 in UTC; progress and warnings go to
// stderr only.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatJSONL = "jsonl"
	formatCSV   = "csv"
)

// formatsAnnotation marks a command that prints data, with its formats
// (the tests walk the tree for it; the README lists them).
const formatsAnnotation = "lakeops/formats"

// output is a command's --format (and --json where it always was).
type output struct {
	cmd     *cobra.Command
	format  string
	asJSON  bool
	allowed []string
}

// addFormat gives cmd --format with the formats it supports, the first
// the default; jsonAlias adds --json, the same as --format json.
func addFormat(cmd *cobra.Command, jsonAlias bool, allowed ...string) *output {
	o := &output{cmd: cmd, allowed: allowed}
	cmd.Flags().StringVar(&o.format, "format", allowed[0], "output format: "+strings.Join(allowed, ", "))
	if jsonAlias {
		cmd.Flags().BoolVar(&o.asJSON, "json", false, "the same as --format json")
	}
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(allowed, cobra.ShellCompDirectiveNoFileComp))
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[formatsAnnotation] = strings.Join(allowed, ",")
	return o
}

// get is the chosen format; one the command does not support is a usage error.
func (o *output) get() (string, error) {
	if o.asJSON {
		if o.cmd.Flags().Changed("format") && o.format != formatJSON {
			return "", usagef("--json and --format %s contradict each other", o.format)
		}
		return formatJSON, nil
	}
	if err := oneOf("format", o.format, o.allowed...); err != nil {
		return "", err
	}
	return o.format, nil
}

// runE makes fn the command's RunE, called with the chosen format once it
// is known to be one the command offers (else the usage error).
func (o *output) runE(fn func(cmd *cobra.Command, args []string, format string) error) {
	o.cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := o.get()
		if err != nil {
			return err
		}
		return fn(cmd, args, format)
	}
}

// writeJSON writes one JSON document, indented, HTML left unescaped.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// printList writes a list in a format: json an array ([] when empty),
// jsonl one object a line, csv one row an item (columns from the JSON
// keys), table by the command's own table.
func printList[T any](w io.Writer, format string, items []T, table func() error) error {
	if items == nil {
		items = []T{}
	}
	switch format {
	case formatJSON:
		return writeJSON(w, items)
	case formatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		return nil
	case formatCSV:
		return writeCSV(w, items)
	}
	return table()
}

// writeCSV writes structs as CSV: the columns are their JSON keys (embedded
// structs flattened, as JSON does), times RFC 3339 UTC, lists of text
// joined by ";", other nested values as JSON; cells formula-guarded.
func writeCSV[T any](w io.Writer, items []T) error {
	typ := reflect.TypeFor[T]()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return fmt.Errorf("csv output of %s is not supported", typ)
	}
	cols, paths := csvColumns(typ, nil)
	cw, err := rowfmt.NewGuardedCSV(w, cols, true)
	if err != nil {
		return err
	}
	row := make([]any, len(cols))
	for _, it := range items {
		v := reflect.ValueOf(it)
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		for i, p := range paths {
			row[i] = csvCell(v.FieldByIndex(p))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	return cw.Flush()
}

func csvColumns(typ reflect.Type, prefix []int) ([]string, [][]int) {
	var cols []string
	var paths [][]int
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		path := append(slices.Clone(prefix), i)
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			c, p := csvColumns(f.Type, path)
			cols, paths = append(cols, c...), append(paths, p...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		cols, paths = append(cols, name), append(paths, path)
	}
	return cols, paths
}

func csvCell(v reflect.Value) any {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339Nano)
	case json.RawMessage:
		return string(x)
	case []string:
		return strings.Join(x, ";")
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// jsonArrayWriter turns JSON lines written to it into one JSON array on w:
// a query's rows, written by rowfmt's JSONL writer, as --format json.
type jsonArrayWriter struct {
	w       io.Writer
	pending []byte
	n       int
}

func (a *jsonArrayWriter) Write(p []byte) (int, error) {
	a.pending = append(a.pending, p...)
	for {
		i := bytes.IndexByte(a.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		sep := ",\n  "
		if a.n == 0 {
			sep = "[\n  "
		}
		a.n++
		if _, err := io.WriteString(a.w, sep); err != nil {
			return 0, err
		}
		if _, err := a.w.Write(a.pending[:i]); err != nil {
			return 0, err
		}
		a.pending = a.pending[i+1:]
	}
}

// Close ends the array ("[]" when no row came).
func (a *jsonArrayWriter) Close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}

// utc is t in UTC (the zero time stays zero).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// maskedValue stands for a value never shown.
const maskedValue = "****"

// secretName reports whether a parameter's name says it holds a secret.
func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"key", "token", "secret", "password", "passwd", "pwd", "signature", "credential", "auth", "session"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// maskSecrets hides what looks like a credential in a setting's value: a
// URL's user information and its query parameters named like keys,
// tokens, secrets, passwords, signatures or credentials.
func maskSecrets(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return v
	}
	user := ""
	if u.User != nil {
		user = maskedValue + "@" // a user alone may be a token
		if _, has := u.User.Password(); has {
			user = u.User.Username() + ":" + maskedValue + "@"
		}
		u.User = nil
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); ok && err == nil && secretName(name) {
				parts[i] = k + "=" + maskedValue
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	out := u.String()
	if user != "" {
		out = strings.Replace(out, "://", "://"+user, 1)
	}
	return out
}
