package local

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/etl/pipeline"
)

func invoke(t *testing.T, r *LakeResources, resource, params string) (map[string]any, error) {
	t.Helper()
	out, err := r.Invoke(context.Background(), resource, json.RawMessage(params))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m, nil
}

func TestUnknownResource(t *testing.T) {
	_, r := newService(t, newLake(t))
	for _, res := range []string{"arn:aws:states:::dynamodb:putItem", "arn:aws:lambda:us-east-1:1:function:resize", "arn:aws:states:us-east-1:1:activity:x"} {
		_, err := invoke(t, r, res, `{}`)
		var te *asl.TaskError
		if !errors.As(err, &te) || te.Name != asl.ErrTaskFailed || !strings.Contains(te.Cause, res) {
			t.Errorf("%s: %v", res, err)
		}
	}
	_, err := invoke(t, r, "arn:aws:states:::lambda:invoke", `{"FunctionName":"resize"}`)
	if err == nil || !strings.Contains(err.Error(), "resize") {
		t.Errorf("lambda:invoke of an unknown function: %v", err)
	}
}

func TestArchiveIsIdempotent(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	n := copySeed(t, lk.Store)
	// A file the pipeline has not seen stays.
	if err := lk.Store.Put(ctx, "bronze_layer/orders/orders_new.csv", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Files: keys(t, lk.Store, "bronze_layer/products")})
	if err != nil || sum.Failed() {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{Files: keys(t, lk.Store, "bronze_layer/order")[:2]}); err != nil {
		t.Fatal(err)
	}
	_, r := newService(t, lk)
	// Pretend an earlier, interrupted archive copied products.csv already.
	if err := lk.Store.Copy(ctx, "bronze_layer/products.csv", "archive/2026/11/25/products.csv"); err != nil {
		t.Fatal(err)
	}
	out, err := invoke(t, r, "arn:aws:lambda:us-east-1:1:function:archive_on_success:$LATEST", `{"bucket_name":"b","prefix":"bronze_layer/"}`)
	if err != nil {
		t.Fatal(err)
	}
	if out["archived"] != 3.0 || out["already_archived"] != 1.0 || out["kept"] != float64(n+1-3) {
		t.Fatalf("first archive: %v", out)
	}
	out, err = invoke(t, r, "arn:aws:states:::lambda:invoke", `{"FunctionName":"arn:aws:lambda:us-east-1:1:function:lakeops-archive","Payload":{"prefix":"bronze_layer/"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if p := out["Payload"].(map[string]any); p["archived"] != 0.0 || out["StatusCode"] != 200.0 {
		t.Fatalf("second archive: %v", out)
	}
	if got := keys(t, lk.Store, "archive/"); len(got) != 3 {
		t.Errorf("archive holds %v", got)
	}
}

func TestAthenaAndCrawler(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	copySeed(t, lk.Store)
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	_, r := newService(t, lk)
	if _, err := invoke(t, r, "arn:aws:states:::aws-sdk:glue:startCrawler", `{"Name":"c"}`); err != nil {
		t.Fatal(err)
	}
	out, err := invoke(t, r, "arn:aws:states:::aws-sdk:glue:getCrawler", `{"Name":"c"}`)
	if err != nil || out["Crawler"].(map[string]any)["State"] != "READY" {
		t.Fatalf("%v %v", out, err)
	}
	out, err = invoke(t, r, "arn:aws:states:::athena:startQueryExecution.sync", `{"QueryString":"SELECT count(*) AS n FROM products"}`)
	if err != nil {
		t.Fatal(err)
	}
	qe := out["QueryExecution"].(map[string]any)
	if qe["Status"].(map[string]any)["State"] != "SUCCEEDED" {
		t.Fatalf("%v", out)
	}
	out, err = invoke(t, r, "arn:aws:states:::athena:getQueryResults", `{"QueryExecutionId":"`+qe["QueryExecutionId"].(string)+`"}`)
	if err != nil {
		t.Fatal(err)
	}
	rows := out["ResultSet"].(map[string]any)["Rows"].([]any)
	cell := rows[1].(map[string]any)["Data"].([]any)[0].(map[string]any)["VarCharValue"]
	if len(rows) != 2 || cell != itoa(countRows(t, lk, "products")) {
		t.Fatalf("rows %v", rows)
	}
	_, err = invoke(t, r, "arn:aws:states:::aws-sdk:athena:startQueryExecution", `{"QueryString":"SELECT * FROM nope"}`)
	if err == nil {
		t.Error("a bad query succeeded")
	}
}
