// Package awserr turns the AWS SDK failures people meet — no region, no or
// expired credentials (SSO, profile, environment), access denied, no such
// bucket, an endpoint that cannot be reached — into one line that names what
// failed and what to do, instead of the SDK's chain of wrapped messages.
// Other errors pass unchanged. The SDK error stays reachable with
// errors.As / errors.Is through Unwrap.
package awserr

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// Hints are what a message may name beyond the error itself.
type Hints struct {
	Profile string // the AWS profile in use ("" for the default chain)
}

// Error is an explained AWS failure: what failed, then what to do.
type Error struct {
	Kind Kind
	Op   string // "S3 GetObject", "Athena StartQueryExecution"; "" when not known
	What string // what went wrong
	Do   string // what to do about it
	Err  error  // the SDK's error
}

// Kind says which failure an Error is.
type Kind int

// The failures Explain knows.
const (
	NoRegion Kind = iota + 1
	NoProfile
	SSOExpired
	NoCredentials
	ExpiredCredentials
	UnknownCredentials
	BadSignature
	AccessDenied
	NoSuchBucket
	Unreachable
)

func (e *Error) Error() string {
	msg := e.What
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Do != "" {
		msg += "; " + e.Do
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Explain returns err as an *Error when it is one of the failures above,
// else err itself. An error explained already is returned as it is.
func Explain(err error, h Hints) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	op := operation(err)
	mk := func(k Kind, what, do string) error { return &Error{Kind: k, Op: op, What: what, Do: do, Err: err} }
	login := "aws sso login"
	if h.Profile != "" {
		login += " --profile " + h.Profile
	}
	var noProfile config.SharedConfigProfileNotExistError
	var sso *ssocreds.InvalidTokenError
	var noRegion *aws.MissingRegionError
	msg := err.Error()
	switch {
	case errors.As(err, &noProfile):
		return mk(NoProfile, "AWS profile \""+noProfile.Profile+"\" is not in the shared config or credentials files",
			"check --profile or AWS_PROFILE (aws configure list-profiles lists the profiles)")
	case errors.As(err, &noRegion), strings.Contains(msg, "Missing Region"), strings.Contains(msg, "A region must be set"):
		return mk(NoRegion, "no AWS region is set", "pass --region, set AWS_REGION, or add region to the profile in ~/.aws/config")
	case errors.As(err, &sso), strings.Contains(msg, "SSO token"), strings.Contains(msg, "SSO session"):
		return mk(SSOExpired, "the AWS SSO session has expired or was never started", "run "+login+" and retry")
	case strings.Contains(msg, "failed to refresh cached credentials"), strings.Contains(msg, "no EC2 IMDS role found"),
		strings.Contains(msg, "failed to retrieve credentials"), strings.Contains(msg, "get credentials:"):
		return mk(NoCredentials, "no AWS credentials were found",
			"run "+login+", or aws configure, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or choose a profile with --profile)")
	}
	if k, what, do := apiFailure(err, op, login); k != 0 {
		return mk(k, what, do)
	}
	if host, why, ok := unreachable(err); ok {
		return mk(Unreachable, "cannot reach "+host+" ("+why+")",
			"check the network, a proxy (HTTPS_PROXY), and --endpoint-url or AWS_ENDPOINT_URL if one is set")
	}
	return err
}

// IsCredentialCode reports whether an AWS error code means that the
// credentials are expired, unknown or signed wrongly.
func IsCredentialCode(code string) bool {
	k, _, _ := codeFailure(code, 0, "", "aws sso login")
	return k == ExpiredCredentials || k == UnknownCredentials || k == BadSignature
}

// apiFailure classifies an error answer of an AWS service by its code.
func apiFailure(err error, op, login string) (Kind, string, string) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return 0, "", ""
	}
	status := 0
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	k, what, do := codeFailure(ae.ErrorCode(), status, op, login)
	if k != 0 && ae.ErrorCode() != "" && ae.ErrorCode() != "Forbidden" {
		detail := ae.ErrorCode()
		if m := oneLine(ae.ErrorMessage()); m != "" {
			detail += ": " + m
		}
		what += " (" + detail + ")"
	}
	return k, what, do
}

// oneLine shortens a service's message to one line of at most 240 bytes;
// IAM's "because no identity-based policy allows …" tail repeats the action.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, " because "); i > 0 {
		s = s[:i]
	}
	if len(s) > 240 {
		s = s[:237] + "..."
	}
	return s
}

// codeFailure maps an error code (and HTTP status) to a failure.
func codeFailure(code string, status int, op, login string) (Kind, string, string) {
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired":
		return ExpiredCredentials, "the AWS credentials have expired", "refresh them (" + login + ", or new access keys) and retry"
	case "InvalidAccessKeyId", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidToken", "XAdminUserNotFound":
		return UnknownCredentials, "AWS does not recognise these credentials (unknown access key or invalid session token)",
			"check --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID, or run " + login
	case "SignatureDoesNotMatch", "InvalidSignatureException":
		return BadSignature, "AWS rejected the request signature", "check the secret key of this access key, and the machine's clock"
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "AllAccessDisabled":
		return AccessDenied, "access denied", denyAdvice(op)
	case "NoSuchBucket":
		return NoSuchBucket, "the S3 bucket does not exist (or these credentials cannot see it)", "check the bucket in --lake s3://BUCKET/… and --region"
	case "Forbidden":
		if status == 403 {
			// A HEAD answer carries no body, hence no code: both causes are likely.
			return AccessDenied, "access denied (403 Forbidden, no detail)",
				"the credentials may have expired (" + login + ") or lack permission: " + denyAdvice(op)
		}
	}
	return 0, "", ""
}

// denyAdvice names the IAM action an operation needs.
func denyAdvice(op string) string {
	action := iamAction(op)
	if action == "" {
		return "grant these credentials the permission the operation needs, or use another --profile"
	}
	return "grant " + action + " to these credentials (their IAM policy), or use another --profile"
}

// iamAction is the IAM action of "Service Operation": the service's IAM
// prefix and, but for S3's few exceptions, the operation's name.
func iamAction(op string) string {
	service, name, ok := strings.Cut(op, " ")
	if !ok {
		return ""
	}
	prefix := map[string]string{"S3": "s3", "Athena": "athena", "Glue": "glue", "SFN": "states", "SNS": "sns",
		"CloudFormation": "cloudformation", "Lambda": "lambda", "ECS": "ecs", "STS": "sts"}[service]
	if prefix == "" {
		return ""
	}
	if prefix == "s3" {
		switch name {
		case "ListObjectsV2", "ListObjects", "HeadBucket":
			return "s3:ListBucket"
		case "HeadObject":
			return "s3:GetObject"
		case "CopyObject":
			return "s3:GetObject and s3:PutObject"
		case "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload":
			return "s3:PutObject"
		case "DeleteObjects":
			return "s3:DeleteObject"
		}
	}
	return prefix + ":" + name
}

// operation names the SDK operation that failed: "S3 GetObject".
func operation(err error) string {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return ""
	}
	return oe.ServiceID + " " + oe.OperationName
}

// unreachable recognises a request that never reached its endpoint.
func unreachable(err error) (host, why string, ok bool) {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
	}
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		if host == "" {
			host = dns.Name
		}
		why = "no such host"
		if !dns.IsNotFound {
			why = "name lookup failed"
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		why = "no route to host"
	case ue != nil && errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.DeadlineExceeded):
		why = "timed out"
	default:
		return "", "", false
	}
	if host == "" {
		host = "the AWS endpoint"
	}
	return host, why, true
}
