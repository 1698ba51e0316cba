package athena

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakeops/lakeops/aws/awserr"
	"github.com/lakeops/lakeops/aws/query"
)

// Tables lists the tables of Options.Database in Options.Catalog with
// Athena's ListTableMetadata (all pages). Columns hold the data columns
// followed by the partition keys, with their catalog type names ("bigint",
// "decimal(12,2)"); Location is the table's "location" parameter; Version is
// -1 because Athena always reads a Delta table's latest version and does not
// report which one that is.
func (e *Engine) Tables(ctx context.Context) ([]query.TableInfo, error) {
	if e.opts.Database == "" {
		return nil, errors.New("athena: list tables: no database configured")
	}
	in := &athena.ListTableMetadataInput{
		CatalogName:  aws.String(e.opts.Catalog),
		DatabaseName: aws.String(e.opts.Database),
		MaxResults:   aws.Int32(50),
	}
	if e.opts.Workgroup != "" {
		in.WorkGroup = aws.String(e.opts.Workgroup)
	}
	var tables []query.TableInfo
	p := athena.NewListTableMetadataPaginator(e.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("athena: list tables in %s.%s: %w", e.opts.Catalog, e.opts.Database, awserr.Explain(err, e.opts.Hints))
		}
		for _, t := range out.TableMetadataList {
			tables = append(tables, tableInfo(t))
		}
	}
	return tables, nil
}

func tableInfo(t types.TableMetadata) query.TableInfo {
	ti := query.TableInfo{
		Name:     aws.ToString(t.Name),
		Location: t.Parameters["location"],
		Version:  -1,
		Columns:  make([]query.Column, 0, len(t.Columns)+len(t.PartitionKeys)),
	}
	for _, c := range t.Columns {
		ti.Columns = append(ti.Columns, query.Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)})
	}
	for _, c := range t.PartitionKeys {
		ti.Columns = append(ti.Columns, query.Column{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type)})
		ti.Partitions = append(ti.Partitions, aws.ToString(c.Name))
	}
	return ti
}
