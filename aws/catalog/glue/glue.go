// Package glue implements catalog.Catalog on the AWS Glue Data Catalog with
// aws-sdk-go-v2, so that Athena can query the lake's Delta tables.
//
// Register looks the table up with GetTable: when Glue answers
// EntityNotFoundException it calls CreateTable, otherwise UpdateTable with
// the version id it read (so a concurrent change is refused by Glue with
// ConcurrentModificationException rather than silently overwritten). The
// races in between are handled: CreateTable answering AlreadyExistsException
// falls back to UpdateTable, UpdateTable answering EntityNotFoundException
// falls back to CreateTable.
//
// Every table is registered as an EXTERNAL_TABLE with the Delta parameters
// (catalog.DeltaParameters: table_type=DELTA, classification=delta,
// EXTERNAL=TRUE, spark.sql.sources.provider=delta; they win over the
// definition's own parameters of the same name), its s3:// location, its
// columns and partition keys (an empty list when unpartitioned, as Athena
// wants it), and a Parquet storage descriptor (ParquetHiveSerDe,
// MapredParquetInputFormat/OutputFormat) whose SerDe parameter "path" is
// the location too: Spark's Hive catalog (Glue jobs, EMR) takes a data
// source table's location from there, Athena from the descriptor's
// Location and table_type.
package glue

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/internal/bufferedhttp"
)

// Hive/Parquet classes of the storage descriptor.
const (
	SerDeParquet        = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	InputFormatParquet  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	OutputFormatParquet = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
	TableTypeExternal   = "EXTERNAL_TABLE"
)

// Options configure a Catalog.
type Options struct {
	Database  string // Glue database holding the tables (required; it must exist)
	CatalogID string // AWS account id of the catalog; empty means the caller's account
	PageSize  int32  // GetTables MaxResults; 0 lets Glue choose
	// Hints are what an explained AWS failure (awserr) may name.
	Hints awserr.Hints
}

// Catalog is a catalog.Catalog over one Glue database. It is safe for
// concurrent use.
type Catalog struct {
	client *glue.Client
	opts   Options
}

var _ catalog.Catalog = (*Catalog)(nil)

// New returns a Glue catalog using cfg (region, credentials, endpoint).
func New(cfg aws.Config, opts Options) *Catalog {
	return &Catalog{client: glue.NewFromConfig(bufferedhttp.Config(cfg)), opts: opts}
}

func (c *Catalog) catalogID() *string {
	if c.opts.CatalogID == "" {
		return nil
	}
	return aws.String(c.opts.CatalogID)
}

func (c *Catalog) qualified(name string) string { return c.opts.Database + "." + name }

// Register creates the table in Glue, or updates it when it exists.
func (c *Catalog) Register(ctx context.Context, t catalog.TableDef) error {
	if c.opts.Database == "" {
		return errors.New("glue: register table: no database configured")
	}
	def, err := catalog.Check(t)
	if err != nil {
		return fmt.Errorf("glue: %w", err)
	}
	if !strings.HasPrefix(def.Location, "s3://") {
		return fmt.Errorf("glue: table %s: location %q is not an s3:// URI (Athena reads only S3)", c.qualified(def.Name), def.Location)
	}
	in := tableInput(def)
	got, err := c.client.GetTable(ctx, &glue.GetTableInput{
		CatalogId: c.catalogID(), DatabaseName: aws.String(c.opts.Database), Name: aws.String(def.Name),
	})
	switch {
	case isNotFound(err):
		err = c.create(ctx, in)
		if isAlreadyExists(err) { // created by someone else in between
			err = c.update(ctx, in, nil)
		}
	case err != nil:
		return fmt.Errorf("glue: get table %s: %w", c.qualified(def.Name), awserr.Explain(err, c.opts.Hints))
	default:
		var version *string
		if got.Table != nil {
			version = got.Table.VersionId
		}
		err = c.update(ctx, in, version)
		if isNotFound(err) { // dropped in between
			err = c.create(ctx, in)
		}
	}
	return err
}

func (c *Catalog) create(ctx context.Context, in *types.TableInput) error {
	_, err := c.client.CreateTable(ctx, &glue.CreateTableInput{
		CatalogId: c.catalogID(), DatabaseName: aws.String(c.opts.Database), TableInput: in,
	})
	if err != nil {
		return fmt.Errorf("glue: create table %s: %w", c.qualified(aws.ToString(in.Name)), awserr.Explain(err, c.opts.Hints))
	}
	return nil
}

func (c *Catalog) update(ctx context.Context, in *types.TableInput, version *string) error {
	_, err := c.client.UpdateTable(ctx, &glue.UpdateTableInput{
		CatalogId: c.catalogID(), DatabaseName: aws.String(c.opts.Database), TableInput: in, VersionId: version,
	})
	if err != nil {
		return fmt.Errorf("glue: update table %s: %w", c.qualified(aws.ToString(in.Name)), awserr.Explain(err, c.opts.Hints))
	}
	return nil
}

// Tables lists the database's tables (every page of GetTables), sorted by name.
func (c *Catalog) Tables(ctx context.Context) ([]catalog.TableDef, error) {
	if c.opts.Database == "" {
		return nil, errors.New("glue: list tables: no database configured")
	}
	in := &glue.GetTablesInput{CatalogId: c.catalogID(), DatabaseName: aws.String(c.opts.Database)}
	if c.opts.PageSize > 0 {
		in.MaxResults = aws.Int32(c.opts.PageSize)
	}
	var defs []catalog.TableDef
	p := glue.NewGetTablesPaginator(c.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("glue: list tables in %s: %w", c.opts.Database, awserr.Explain(err, c.opts.Hints))
		}
		for _, t := range out.TableList {
			defs = append(defs, tableDef(t))
		}
	}
	slices.SortFunc(defs, func(a, b catalog.TableDef) int { return strings.Compare(a.Name, b.Name) })
	return defs, nil
}

// Drop deletes the table's definition from Glue (its data stays where it is).
func (c *Catalog) Drop(ctx context.Context, name string) error {
	n, err := catalog.NormalizeName(name)
	if err != nil {
		return fmt.Errorf("glue: %w", err)
	}
	_, err = c.client.DeleteTable(ctx, &glue.DeleteTableInput{
		CatalogId: c.catalogID(), DatabaseName: aws.String(c.opts.Database), Name: aws.String(n),
	})
	if isNotFound(err) {
		return fmt.Errorf("glue: drop table %s: %w (%w)", c.qualified(n), catalog.ErrNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("glue: drop table %s: %w", c.qualified(n), awserr.Explain(err, c.opts.Hints))
	}
	return nil
}

// tableInput is the Glue TableInput of a checked definition.
func tableInput(def catalog.TableDef) *types.TableInput {
	params := maps.Clone(def.Parameters)
	if params == nil {
		params = map[string]string{}
	}
	maps.Copy(params, catalog.DeltaParameters())
	return &types.TableInput{
		Name:       aws.String(def.Name),
		TableType:  aws.String(TableTypeExternal),
		Parameters: params,
		StorageDescriptor: &types.StorageDescriptor{
			Location:     aws.String(def.Location),
			Columns:      glueColumns(def.Columns),
			InputFormat:  aws.String(InputFormatParquet),
			OutputFormat: aws.String(OutputFormatParquet),
			SerdeInfo: &types.SerDeInfo{
				SerializationLibrary: aws.String(SerDeParquet),
				Parameters:           map[string]string{"serialization.format": "1", "path": def.Location},
			},
		},
		PartitionKeys: append([]types.Column{}, glueColumns(def.PartitionKeys)...), // [] rather than absent
	}
}

func glueColumns(cols []catalog.Column) []types.Column {
	if len(cols) == 0 {
		return nil
	}
	out := make([]types.Column, len(cols))
	for i, c := range cols {
		out[i] = types.Column{Name: aws.String(c.Name), Type: aws.String(c.Type)}
	}
	return out
}

// tableDef turns a Glue table back into a definition.
func tableDef(t types.Table) catalog.TableDef {
	def := catalog.TableDef{Name: aws.ToString(t.Name), Parameters: maps.Clone(t.Parameters)}
	if sd := t.StorageDescriptor; sd != nil {
		def.Location = aws.ToString(sd.Location)
		def.Columns = defColumns(sd.Columns)
	}
	def.PartitionKeys = defColumns(t.PartitionKeys)
	return def
}

func defColumns(cols []types.Column) []catalog.Column {
	if len(cols) == 0 {
		return nil
	}
	out := make([]catalog.Column, len(cols))
	for i, c := range cols {
		out[i] = catalog.Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)}
	}
	return out
}

func isNotFound(err error) bool {
	var e *types.EntityNotFoundException
	return errors.As(err, &e)
}

func isAlreadyExists(err error) bool {
	var e *types.AlreadyExistsException
	return errors.As(err, &e)
}
