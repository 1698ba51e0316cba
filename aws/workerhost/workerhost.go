// Package workerhost runs lakeops's pipeline worker (etl/worker) where the
// data is: as an AWS Lambda function on the provided.al2023 runtime
// (through github.com/aws/aws-lambda-go, when the Lambda environment is
// detected) and as an ECS task command (`lakeops worker`, the action JSON
// from an argument, $LAKEOPS_ACTION or stdin). It opens lakes through the
// storage layer (S3 with the standard credential chain) and the Glue
// catalog for the register action.
//
// Deployment settings come from the environment, so that a template can
// wire them: LAKEOPS_LAKE (the default lake URI, e.g. s3://bucket/prefix),
// AWS_ENDPOINT_URL_S3 (an S3-compatible endpoint), AWS_REGION, and
// LAKEOPS_GLUE_DATABASE (the register action's default database).
package workerhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lakeops/lakeops/aws/catalog"
	"github.com/lakeops/lakeops/aws/catalog/glue"
	catlocal "github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/storage/stores"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/worker"
)

// Environment variables the host reads.
const (
	EnvLake          = "LAKEOPS_LAKE"
	EnvGlueDatabase  = "LAKEOPS_GLUE_DATABASE"
	EnvAction        = "LAKEOPS_ACTION"
	envEndpoint      = "AWS_ENDPOINT_URL_S3"
	envRegion        = "AWS_REGION"
	envLambdaRuntime = "AWS_LAMBDA_RUNTIME_API"
)

// InLambda reports whether the process runs as a Lambda function (the
// runtime API's address is set by Lambda and nothing else).
func InLambda(getenv func(string) string) bool { return getenv(envLambdaRuntime) != "" }

// NewHost returns the worker's host: lakes by URI ("" is $LAKEOPS_LAKE)
// through the storage layer, and the Glue or local catalog.
func NewHost(getenv func(string) string) worker.Host {
	region := getenv(envRegion)
	return worker.Host{
		OpenLake: func(ctx context.Context, uri string) (*lake.Lake, error) {
			if uri == "" {
				uri = getenv(EnvLake)
			}
			if uri == "" {
				return nil, &worker.Error{Name: worker.ErrInvalidInput, Message: "no lake: the request names none and " + EnvLake + " is not set"}
			}
			st, err := stores.Open(ctx, uri, stores.AWSOptions{Region: region, EndpointURL: getenv(envEndpoint)})
			if err != nil {
				return nil, err
			}
			return lake.New(st), nil
		},
		Catalog: func(ctx context.Context, kind, database string, lk *lake.Lake) (catalog.Catalog, error) {
			if kind == "local" {
				return catlocal.New(lk.Store), nil
			}
			if database == "" {
				database = getenv(EnvGlueDatabase)
			}
			var opts []func(*config.LoadOptions) error
			if region != "" {
				opts = append(opts, config.WithRegion(region))
			}
			cfg, err := config.LoadDefaultConfig(ctx, opts...)
			if err != nil {
				return nil, fmt.Errorf("glue: load AWS config: %w", err)
			}
			return glue.New(cfg, glue.Options{Database: database}), nil
		},
	}
}

// LambdaHandler is the Lambda function: a worker request in, its result
// out. A failed action is answered as a function error whose errorType is
// the worker's error name (Lakeops.InvalidInput, Lakeops.Failed), which is
// what a state machine's Retry and Catch match.
func LambdaHandler(h worker.Host) func(context.Context, json.RawMessage) (json.RawMessage, error) {
	return func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
		out, err := h.HandleJSON(ctx, payload)
		if err != nil {
			return nil, lambdaError(err)
		}
		return out, nil
	}
}

func lambdaError(err error) error {
	var we *worker.Error
	if errors.As(err, &we) {
		return messages.InvokeResponse_Error{Type: we.Name, Message: we.Message}
	}
	return messages.InvokeResponse_Error{Type: worker.ErrFailed, Message: err.Error()}
}

// ServeLambda serves the worker as a Lambda function until the runtime
// stops the process.
func ServeLambda(h worker.Host) {
	lambda.Start(LambdaHandler(h))
}

// RunTask is `lakeops worker [ACTION_JSON]`, the ECS task command: the
// action comes from the argument, else $LAKEOPS_ACTION, else stdin. The
// result is printed on stdout as JSON; a failure prints
// {"error": NAME, "cause": MESSAGE} on stderr and exits 1 (2 for invalid input).
func RunTask(ctx context.Context, h worker.Host, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	var payload []byte
	switch {
	case len(args) > 1:
		return fail(stderr, &worker.Error{Name: worker.ErrInvalidInput, Message: "usage: lakeops worker [ACTION_JSON] (or $" + EnvAction + ", or the JSON on stdin)"})
	case len(args) == 1:
		payload = []byte(args[0])
	case getenv(EnvAction) != "":
		payload = []byte(getenv(EnvAction))
	default:
		b, err := io.ReadAll(stdin)
		if err != nil {
			return fail(stderr, fmt.Errorf("read the action from stdin: %w", err))
		}
		payload = b
	}
	if strings.TrimSpace(string(payload)) == "" {
		return fail(stderr, &worker.Error{Name: worker.ErrInvalidInput, Message: "no action: give the action JSON as an argument, in $" + EnvAction + " or on stdin"})
	}
	out, err := h.HandleJSON(ctx, payload)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, string(out))
	return 0
}

func fail(stderr io.Writer, err error) int {
	name, msg := worker.ErrFailed, err.Error()
	var we *worker.Error
	if errors.As(err, &we) {
		name, msg = we.Name, we.Message
	}
	b, _ := json.Marshal(map[string]string{"error": name, "cause": msg})
	fmt.Fprintln(stderr, string(b))
	if name == worker.ErrInvalidInput {
		return 2
	}
	return 1
}
