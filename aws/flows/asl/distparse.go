package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Distributed is what a distributed Map adds to a Map state: each item (or
// batch of items) runs as a child execution of the item processor, with its
// own history, and the run of the state is a Map Run.
type Distributed struct {
	ExecutionType string // STANDARD or EXPRESS (both run the same here)
	Label         string
	Reader        *ItemReader  // nil: the items are the array at ItemsPath
	Batcher       *ItemBatcher // nil: one item per child execution
	// Tolerated failures: the Map Run fails once more items failed than
	// this share (0..100) or count; by default the first failure fails it.
	ToleratedPercentage     float64
	ToleratedPercentagePath *Path
	ToleratedCount          int64
	ToleratedCountPath      *Path
	HasTolerance            bool
}

// ItemReader reads a distributed Map's items from a resource: a JSON
// array, CSV or JSON Lines object (arn:aws:states:::s3:getObject), or an
// object listing (arn:aws:states:::s3:listObjectsV2), through the Invoker.
type ItemReader struct {
	Resource   string
	Parameters *template
	// ReaderConfig.
	InputType         string   // JSON, CSV, JSONL ("" for a listing)
	CSVHeaderLocation string   // FIRST_ROW (default) or GIVEN
	CSVHeaders        []string // with GIVEN
	MaxItems          int64    // 0: all
	MaxItemsPath      *Path
}

// ItemBatcher groups a distributed Map's items: each child execution gets
// {"Items": [...], "BatchInput": ...}.
type ItemBatcher struct {
	MaxItems     int64 // MaxItemsPerBatch; 0: no bound
	MaxItemsPath *Path
	MaxBytes     int64 // MaxInputBytesPerBatch (of the batch's JSON); 0: no bound
	MaxBytesPath *Path
	BatchInput   *template
}

// parseProcessorConfig reads ItemProcessor.ProcessorConfig; nil for INLINE.
func parseProcessorConfig(raw json.RawMessage, at string) (*Distributed, error) {
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(raw, &cfg); err != nil || cfg == nil {
		return nil, fmt.Errorf("%s: must be an object", at)
	}
	f := fields{m: cfg, at: at}
	mode, err := f.str("Mode")
	if err != nil {
		return nil, err
	}
	for _, k := range keysOf(cfg) {
		if k != "Mode" && k != "ExecutionType" {
			return nil, fmt.Errorf("%s.%s: unknown field", at, k)
		}
	}
	switch mode {
	case "", "INLINE":
		if f.has("ExecutionType") {
			return nil, fmt.Errorf("%s.ExecutionType: only for Mode DISTRIBUTED", at)
		}
		return nil, nil
	case "DISTRIBUTED":
	default:
		return nil, fmt.Errorf("%s.Mode: must be INLINE or DISTRIBUTED, not %q", at, mode)
	}
	d := &Distributed{ExecutionType: "STANDARD"}
	if f.has("ExecutionType") {
		if d.ExecutionType, err = f.str("ExecutionType"); err != nil {
			return nil, err
		}
		if d.ExecutionType != "STANDARD" && d.ExecutionType != "EXPRESS" {
			return nil, fmt.Errorf("%s.ExecutionType: must be STANDARD or EXPRESS, not %q", at, d.ExecutionType)
		}
	}
	return d, nil
}

// parseDistributed reads the fields of a Map state that only a distributed
// Map may have.
func parseDistributed(f fields, st *State) error {
	d := st.Distributed
	for _, k := range []string{"ItemReader", "ItemBatcher", "ToleratedFailureCount", "ToleratedFailurePercentage",
		"ToleratedFailureCountPath", "ToleratedFailurePercentagePath"} {
		if f.has(k) && d == nil {
			return fmt.Errorf("%s.%s: only a distributed Map has one (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)", f.at, k)
		}
	}
	if d == nil {
		return nil
	}
	var err error
	if d.Label, err = f.str("Label"); err != nil {
		return err
	}
	if len(d.Label) > 40 || strings.ContainsAny(d.Label, " <>{}[]?*\"#%\\^|~`$&,;:/") {
		return fmt.Errorf("%s.Label: at most 40 characters, none of space <>{}[]?*\"#%%\\^|~`$&,;:/", f.at)
	}
	if f.has("ItemReader") {
		if f.has("ItemsPath") {
			return fmt.Errorf("%s: has both ItemReader and ItemsPath", f.at)
		}
		if d.Reader, err = parseItemReader(f.m["ItemReader"], f.at+".ItemReader"); err != nil {
			return err
		}
	}
	if f.has("ItemBatcher") {
		if d.Batcher, err = parseItemBatcher(f.m["ItemBatcher"], f.at+".ItemBatcher"); err != nil {
			return err
		}
	}
	pairs := []struct {
		k, kp string
	}{{"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"}, {"ToleratedFailureCount", "ToleratedFailureCountPath"}}
	for _, p := range pairs {
		if f.has(p.k) && f.has(p.kp) {
			return fmt.Errorf("%s: has both %s and %s", f.at, p.k, p.kp)
		}
	}
	if f.has("ToleratedFailurePercentage") {
		if err := json.Unmarshal(f.m["ToleratedFailurePercentage"], &d.ToleratedPercentage); err != nil || d.ToleratedPercentage < 0 || d.ToleratedPercentage > 100 {
			return fmt.Errorf("%s.ToleratedFailurePercentage: must be a number from 0 to 100", f.at)
		}
	}
	if f.has("ToleratedFailureCount") {
		if d.ToleratedCount, err = nonNegInt(f.m["ToleratedFailureCount"]); err != nil {
			return fmt.Errorf("%s.ToleratedFailureCount: %w", f.at, err)
		}
	}
	if d.ToleratedPercentagePath, _, err = f.path("ToleratedFailurePercentagePath", true); err != nil {
		return err
	}
	if d.ToleratedCountPath, _, err = f.path("ToleratedFailureCountPath", true); err != nil {
		return err
	}
	d.HasTolerance = f.has("ToleratedFailurePercentage") || f.has("ToleratedFailureCount") ||
		f.has("ToleratedFailurePercentagePath") || f.has("ToleratedFailureCountPath")
	return nil
}

func parseItemReader(raw json.RawMessage, at string) (*ItemReader, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: must be an object", at)
	}
	f := fields{m: m, at: at}
	r := &ItemReader{}
	for _, k := range keysOf(m) {
		if k != "Resource" && k != "Parameters" && k != "ReaderConfig" {
			return nil, fmt.Errorf("%s.%s: unknown field", at, k)
		}
	}
	var err error
	if r.Resource, err = f.str("Resource"); err != nil {
		return nil, err
	}
	switch strings.TrimPrefix(r.Resource, "arn:aws:states:::") {
	case "s3:getObject", "s3:listObjectsV2":
	case "":
		return nil, fmt.Errorf("%s.Resource: missing", at)
	default:
		return nil, fmt.Errorf("%s.Resource: %q: an ItemReader reads arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2", at, r.Resource)
	}
	if r.Parameters, err = f.template("Parameters"); err != nil {
		return nil, err
	}
	listing := strings.HasSuffix(r.Resource, "listObjectsV2")
	if f.has("ReaderConfig") {
		if err := parseReaderConfig(m["ReaderConfig"], at+".ReaderConfig", r); err != nil {
			return nil, err
		}
	}
	switch {
	case listing && r.InputType != "":
		return nil, fmt.Errorf("%s.ReaderConfig.InputType: a listing has no InputType", at)
	case !listing && r.InputType == "":
		return nil, fmt.Errorf("%s.ReaderConfig.InputType: s3:getObject needs JSON, JSONL or CSV", at)
	}
	return r, nil
}

func parseReaderConfig(raw json.RawMessage, at string, r *ItemReader) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return fmt.Errorf("%s: must be an object", at)
	}
	f := fields{m: m, at: at}
	var err error
	for _, k := range keysOf(m) {
		switch k {
		case "InputType":
			r.InputType, err = f.str(k)
			if err == nil && r.InputType != "JSON" && r.InputType != "JSONL" && r.InputType != "CSV" {
				err = fmt.Errorf("%s.InputType: %q is not supported by the local runner (JSON, JSONL, CSV)", at, r.InputType)
			}
		case "CSVHeaderLocation":
			r.CSVHeaderLocation, err = f.str(k)
			if err == nil && r.CSVHeaderLocation != "FIRST_ROW" && r.CSVHeaderLocation != "GIVEN" {
				err = fmt.Errorf("%s.CSVHeaderLocation: must be FIRST_ROW or GIVEN", at)
			}
		case "CSVHeaders":
			if json.Unmarshal(m[k], &r.CSVHeaders) != nil {
				err = fmt.Errorf("%s.CSVHeaders: must be an array of strings", at)
			}
		case "MaxItems":
			if r.MaxItems, err = nonNegInt(m[k]); err != nil {
				err = fmt.Errorf("%s.MaxItems: %w", at, err)
			}
		case "MaxItemsPath":
			r.MaxItemsPath, _, err = f.path(k, true)
		default:
			err = fmt.Errorf("%s.%s: unknown field", at, k)
		}
		if err != nil {
			return err
		}
	}
	if r.CSVHeaderLocation == "GIVEN" && len(r.CSVHeaders) == 0 {
		return fmt.Errorf("%s.CSVHeaders: needed with CSVHeaderLocation GIVEN", at)
	}
	return nil
}

func parseItemBatcher(raw json.RawMessage, at string) (*ItemBatcher, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: must be an object", at)
	}
	f := fields{m: m, at: at}
	b := &ItemBatcher{}
	var err error
	for _, k := range keysOf(m) {
		switch k {
		case "MaxItemsPerBatch":
			if b.MaxItems, err = posInt(m[k]); err != nil {
				err = fmt.Errorf("%s.%s: %w", at, k, err)
			}
		case "MaxInputBytesPerBatch":
			if b.MaxBytes, err = posInt(m[k]); err != nil {
				err = fmt.Errorf("%s.%s: %w", at, k, err)
			}
		case "MaxItemsPerBatchPath":
			b.MaxItemsPath, _, err = f.path(k, true)
		case "MaxInputBytesPerBatchPath":
			b.MaxBytesPath, _, err = f.path(k, true)
		case "BatchInput":
			b.BatchInput, err = f.template(k)
		default:
			err = fmt.Errorf("%s.%s: unknown field", at, k)
		}
		if err != nil {
			return nil, err
		}
	}
	if f.has("MaxItemsPerBatch") && f.has("MaxItemsPerBatchPath") || f.has("MaxInputBytesPerBatch") && f.has("MaxInputBytesPerBatchPath") {
		return nil, errors.New(at + ": has both a bound and its Path")
	}
	if b.MaxItems == 0 && b.MaxItemsPath == nil && b.MaxBytes == 0 && b.MaxBytesPath == nil {
		return nil, fmt.Errorf("%s: needs MaxItemsPerBatch, MaxInputBytesPerBatch or their Path", at)
	}
	return b, nil
}
