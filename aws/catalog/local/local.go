// Package local implements catalog.Catalog inside the lake itself, the
// stand-in for the Glue Data Catalog in the embedded mode: each table's
// definition is one JSON object at _lakeops/catalog/<name>.json, written with
// storage.Store.Put so a reader sees the old or the new definition, never a
// mix. It works on any store (a folder or S3).
package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/storage"
)

// Prefix is where the definitions live, relative to the lake root.
const Prefix = "_lakeops/catalog/"

// Catalog is a catalog.Catalog stored in a lake. It is safe for concurrent
// use as far as its store is; concurrent Registers of one table leave one of
// the definitions, whole.
type Catalog struct {
	store storage.Store
}

var _ catalog.Catalog = (*Catalog)(nil)

// New returns the catalog of the lake in store.
func New(store storage.Store) *Catalog { return &Catalog{store: store} }

// Key is the object key of a table's definition.
func Key(name string) string { return Prefix + name + ".json" }

// Register writes the table's definition, replacing an earlier one.
func (c *Catalog) Register(ctx context.Context, t catalog.TableDef) error {
	def, err := catalog.Check(t)
	if err != nil {
		return fmt.Errorf("local catalog: %w", err)
	}
	b, err := json.MarshalIndent(def, "", "  ")
	if err != nil {
		return fmt.Errorf("local catalog: table %s: %w", def.Name, err)
	}
	b = append(b, '\n')
	if err := c.store.Put(ctx, Key(def.Name), bytes.NewReader(b)); err != nil {
		return fmt.Errorf("local catalog: register table %s: %w", def.Name, err)
	}
	return nil
}

// Tables reads every definition under Prefix, sorted by name. Objects that
// are not "<name>.json" directly under Prefix are ignored.
func (c *Catalog) Tables(ctx context.Context) ([]catalog.TableDef, error) {
	var defs []catalog.TableDef
	for obj, err := range c.store.List(ctx, Prefix, storage.ListOptions{Delimited: true}) {
		if err != nil {
			return nil, fmt.Errorf("local catalog: list tables: %w", err)
		}
		if obj.IsPrefix {
			continue
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(obj.Key, Prefix), ".json")
		if !ok || name == "" {
			continue
		}
		def, err := c.read(ctx, obj.Key)
		if errors.Is(err, storage.ErrNotExist) {
			continue // dropped while listing
		}
		if err != nil {
			return nil, err
		}
		defs = append(defs, def)
	}
	slices.SortFunc(defs, func(a, b catalog.TableDef) int { return strings.Compare(a.Name, b.Name) })
	return defs, nil
}

func (c *Catalog) read(ctx context.Context, key string) (catalog.TableDef, error) {
	var def catalog.TableDef
	b, err := storage.ReadAll(ctx, c.store, key)
	if err != nil {
		return def, fmt.Errorf("local catalog: read %s: %w", key, err)
	}
	if err := json.Unmarshal(b, &def); err != nil {
		return def, fmt.Errorf("local catalog: %s: %w", storage.JoinURI(c.store.URI(), key), err)
	}
	return def, nil
}

// Drop deletes a table's definition; catalog.ErrNotFound if there is none.
func (c *Catalog) Drop(ctx context.Context, name string) error {
	n, err := catalog.NormalizeName(name)
	if err != nil {
		return fmt.Errorf("local catalog: %w", err)
	}
	key := Key(n)
	if _, err := c.store.Stat(ctx, key); err != nil {
		if errors.Is(err, storage.ErrNotExist) {
			return fmt.Errorf("local catalog: drop table %s: %w", n, catalog.ErrNotFound)
		}
		return fmt.Errorf("local catalog: drop table %s: %w", n, err)
	}
	if err := c.store.Delete(ctx, key); err != nil {
		return fmt.Errorf("local catalog: drop table %s: %w", n, err)
	}
	return nil
}
