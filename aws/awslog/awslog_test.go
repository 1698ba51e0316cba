package awslog

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
)

// TestSDKRequestLogIsMasked runs a real S3 call with the debug log mode and
// a session token, and reads what reached slog.
func TestSDKRequestLogIsMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated></ListBucketResult>`))
	}))
	defer srv.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cl := s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials:   credentials.NewStaticCredentialsProvider("AKIDSECRETPART", "thesecretkey", "THESESSIONTOKEN"),
		Logger:        Logger{L: log},
		ClientLogMode: DebugMode})
	if _, err := cl.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "GET /b?list-type=2") || !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "HTTP/1.1 200") {
		t.Fatalf("the request and response are not logged:\n%s", out)
	}
	for _, secret := range []string{"THESESSIONTOKEN", "thesecretkey", "AKIDSECRETPART", "Signature="} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "[redacted]") {
		t.Errorf("nothing was masked:\n%s", out)
	}
}

func TestWarnLevelAndNil(t *testing.T) {
	var buf bytes.Buffer
	Logger{L: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))}.Logf(logging.Debug, "hidden %d", 1)
	Logger{L: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))}.Logf(logging.Warn, "Response has no supported checksum")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "level=WARN") {
		t.Fatalf("levels: %s", buf.String())
	}
	Logger{}.Logf(logging.Warn, "dropped") // no logger: nothing, no panic
}

func TestRedactPresignedURL(t *testing.T) {
	got := Redact("GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F2026&X-Amz-Signature=abcd&X-Amz-Security-Token=tok")
	if strings.Contains(got, "AKID") || strings.Contains(got, "abcd") || strings.Contains(got, "tok") || !strings.Contains(got, "X-Amz-Algorithm=AWS4-HMAC-SHA256") {
		t.Fatalf("Redact = %s", got)
	}
}
