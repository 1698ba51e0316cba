// Package awslog routes the AWS SDK's log to log/slog: the SDK's warnings
// and, when asked for (--debug), its request, response and retry lines,
// with credentials masked (the Authorization header, session tokens,
// presigned URLs' signatures). Without it the SDK writes its warnings —
// "Response has no supported checksum" and the like — straight to stderr.
package awslog

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
)

// DebugMode is what --debug logs of each call: the request and the
// response (their lines and headers, not their bodies) and every retry.
const DebugMode = aws.LogRequest | aws.LogResponse | aws.LogRetries

// Logger is a logging.Logger writing to a slog.Logger: the SDK's Warn at
// slog.LevelWarn, its Debug at slog.LevelDebug, as one record with the
// message masked by Redact. A nil L drops everything.
type Logger struct {
	L *slog.Logger
}

// Logf logs one SDK message.
func (l Logger) Logf(c logging.Classification, format string, v ...any) {
	if l.L == nil {
		return
	}
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	if !l.L.Enabled(context.Background(), level) {
		return
	}
	l.L.Log(context.Background(), level, Redact(fmt.Sprintf(format, v...)), "source", "aws-sdk")
}

var (
	secretHeader = regexp.MustCompile(`(?im)^([ \t]*(?:authorization|proxy-authorization|x-amz-security-token|x-amz-server-side-encryption-customer-key[a-z0-9-]*|x-amz-copy-source-server-side-encryption-customer-key[a-z0-9-]*|cookie|set-cookie)[ \t]*:[ \t]*)[^\r\n]*`)
	secretParam  = regexp.MustCompile(`(?i)((?:^|[?&\s])(?:x-amz-security-token|x-amz-signature|x-amz-credential|signature|awsaccesskeyid)=)[^&\s]*`)
)

// Redact masks credentials in a logged request or response: the values of
// the Authorization, session token, customer key and cookie headers, and
// the signature, credential and token of a presigned URL.
func Redact(s string) string {
	s = secretHeader.ReplaceAllString(s, "${1}[redacted]")
	return secretParam.ReplaceAllString(s, "${1}[redacted]")
}
