package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/lakeops/lakeops/aws/catalog"
	catlocal "github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
)

// Registered is one table register put in the catalog.
type Registered struct {
	Name     string `json:"name"`
	Version  int64  `json:"version"`
	Location string `json:"location"`
}

// Register registers (or updates) every existing lake table in a catalog:
// Delta location, columns and partition keys, as `lakeops table register`.
func Register(ctx context.Context, lk *lake.Lake, cat catalog.Catalog) ([]Registered, error) {
	if err := lk.CheckWritable("register tables"); err != nil {
		return nil, err
	}
	out := []Registered{}
	for _, lt := range lk.Tables() {
		snap, err := lt.Table.Snapshot(ctx)
		if errors.Is(err, delta.ErrNotATable) {
			continue // not created yet
		}
		if err != nil {
			return nil, fmt.Errorf("register %s: %w", lt.Name, err)
		}
		def := catalog.DefFromDelta(lt.Name, lt.Table.URI(), snap.Schema(), snap.PartitionColumns())
		if err := cat.Register(ctx, def); err != nil {
			return nil, fmt.Errorf("register %s: %w", lt.Name, err)
		}
		out = append(out, Registered{Name: lt.Name, Version: snap.Version(), Location: lt.Table.URI()})
	}
	return out, nil
}

// RegisterResult is what register returns.
type RegisterResult struct {
	Catalog  string       `json:"catalog"`
	Database string       `json:"database,omitempty"`
	Tables   []Registered `json:"tables"`
}

func (h Host) register(ctx context.Context, lk *lake.Lake, req Request) (any, error) {
	kind := req.Catalog
	if kind == "" {
		kind = "local"
	}
	var cat catalog.Catalog
	switch {
	case kind == "local" && h.Catalog == nil:
		cat = catlocal.New(lk.Store)
	case kind != "local" && kind != "glue":
		return nil, invalid("register: catalog must be glue or local, not %q", kind)
	case kind == "glue" && req.Database == "":
		return nil, invalid("register: the glue catalog needs a database")
	case h.Catalog == nil:
		return nil, invalid("register: this worker has no %s catalog", kind)
	default:
		var err error
		if cat, err = h.Catalog(ctx, kind, req.Database, lk); err != nil {
			return nil, err
		}
	}
	tables, err := Register(ctx, lk, cat)
	if err != nil {
		return nil, err
	}
	return RegisterResult{Catalog: kind, Database: req.Database, Tables: tables}, nil
}
