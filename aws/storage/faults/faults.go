// Package faults is a fault-injecting HTTP reverse proxy for tests of S3
// clients: put it in front of an S3 server (versitygw from gwtest) and point the
// client's endpoint at it, then program faults such as throttling, 5xx errors,
// expired credentials, dropped connections, lost responses and latency.
//
//	srv := gwtest.Start(t)
//	p := faults.New(srv.Endpoint)
//	t.Cleanup(p.Close)
//	o := srv.Options(gwtest.UniquePrefix())
//	o.EndpointURL = p.URL()
//	p.Fail(faults.Method(http.MethodPut), 2, faults.SlowDown()) // then pass through
//
// The proxy keeps the client's Host header, so SigV4 signatures made for the
// proxy's address still verify on the server behind it. It counts every request
// it sees (Requests, Seen) so tests can assert how often a client retried.
package faults

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Match selects the requests a fault applies to.
type Match func(r *http.Request) bool

// Any matches every request.
func Any(*http.Request) bool { return true }

// Method matches requests with the given HTTP method.
func Method(method string) Match {
	return func(r *http.Request) bool { return r.Method == method }
}

// MethodPath matches requests with the given method (any if empty) whose URL
// path contains substr.
func MethodPath(method, substr string) Match {
	return func(r *http.Request) bool {
		return (method == "" || r.Method == method) && strings.Contains(r.URL.Path, substr)
	}
}

// Query matches requests with the given method (any if empty) whose URL has
// the query parameter name (e.g. "list-type" for ListObjectsV2).
func Query(method, name string) Match {
	return func(r *http.Request) bool {
		return (method == "" || r.Method == method) && r.URL.Query().Has(name)
	}
}

// S3Error is an error response: an HTTP status and an S3 XML error body.
type S3Error struct {
	Status  int
	Code    string
	Message string
}

// SlowDown is S3's throttling answer: 503 SlowDown.
func SlowDown() S3Error {
	return S3Error{http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."}
}

// InternalError is a 500 InternalError.
func InternalError() S3Error {
	return S3Error{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."}
}

// Throttled is a 429 with a throttling code the SDK retries (S3 itself
// throttles with 503 SlowDown; other AWS services with 429).
func Throttled() S3Error {
	return S3Error{http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded"}
}

// ExpiredToken is the 403 S3 returns for expired temporary credentials.
func ExpiredToken() S3Error {
	return S3Error{http.StatusForbidden, "ExpiredToken", "The provided token has expired."}
}

// Forever as a count makes a fault apply to every matching request.
const Forever = -1

type action int

const (
	actFail action = iota // answer with an S3 error, not forwarding
	actDrop               // hijack the connection and close it, not forwarding
	actLose               // forward, then drop the connection instead of answering
)

// rule is one programmed fault.
type rule struct {
	match  Match
	left   int // requests still to fault; Forever: all
	act    action
	s3err  S3Error
	name   string
	faults int // requests faulted so far
}

// Seen is one request the proxy received.
type Seen struct {
	Method string
	Path   string
	Query  string
	Fault  string // the fault applied, "" when passed through
}

// Proxy is a fault-injecting reverse proxy on a free loopback port. It is safe
// for concurrent use.
type Proxy struct {
	srv *httptest.Server
	rp  *httputil.ReverseProxy

	mu     sync.Mutex
	rules  []*rule
	delays []delay
	seen   []Seen
}

type delay struct {
	match Match
	d     time.Duration
}

// New starts a proxy to target, an "http://host:port" base URL. It panics if
// target is not an absolute URL (a test setup mistake).
func New(target string) *Proxy {
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		panic(fmt.Sprintf("faults: target must be an absolute URL, got %q", target))
	}
	p := &Proxy{}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // keep the signed Host header
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// URL is the proxy's base URL, "http://127.0.0.1:PORT".
func (p *Proxy) URL() string { return p.srv.URL }

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() {
	p.srv.CloseClientConnections()
	p.srv.Close()
}

// Fail answers the next n requests matching m with e (n == Forever: all), then
// lets them through.
func (p *Proxy) Fail(m Match, n int, e S3Error) {
	p.add(&rule{match: m, left: n, act: actFail, s3err: e, name: fmt.Sprintf("%d %s", e.Status, e.Code)})
}

// ExpireCredentials answers every request with 403 ExpiredToken.
func (p *Proxy) ExpireCredentials() { p.Fail(Any, Forever, ExpiredToken()) }

// Drop closes the connection of the next n requests matching m without an
// answer and without forwarding them (n == Forever: all).
func (p *Proxy) Drop(m Match, n int) {
	p.add(&rule{match: m, left: n, act: actDrop, name: "drop"})
}

// LoseResponse forwards the next n requests matching m to the server, then
// closes the client's connection instead of relaying the answer: the request
// took effect but the client cannot know it.
func (p *Proxy) LoseResponse(m Match, n int) {
	p.add(&rule{match: m, left: n, act: actLose, name: "lose-response"})
}

// Delay adds latency d before every request matching m is handled.
func (p *Proxy) Delay(m Match, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delays = append(p.delays, delay{m, d})
}

// Clear removes every programmed fault and delay; counts are kept.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.delays = nil, nil
}

// Reset clears the faults and the record of requests.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.delays, p.seen = nil, nil, nil
}

// Requests is the number of requests received so far.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.seen)
}

// Faulted is the number of requests a fault was applied to so far.
func (p *Proxy) Faulted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.seen {
		if s.Fault != "" {
			n++
		}
	}
	return n
}

// Seen returns a copy of the requests received so far, in arrival order.
func (p *Proxy) Seen() []Seen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Seen(nil), p.seen...)
}

func (p *Proxy) add(r *rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
}

// pick records r and returns the fault to apply (nil: pass through) and the
// total delay.
func (p *Proxy) pick(r *http.Request) (*rule, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var wait time.Duration
	for _, d := range p.delays {
		if d.match(r) {
			wait += d.d
		}
	}
	s := Seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	var chosen *rule
	for _, ru := range p.rules {
		if ru.left != 0 && ru.match(r) {
			chosen = ru
			if ru.left > 0 {
				ru.left--
			}
			ru.faults++
			s.Fault = ru.name
			break
		}
	}
	p.seen = append(p.seen, s)
	return chosen, wait
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	ru, wait := p.pick(r)
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
			return
		}
	}
	if ru == nil {
		p.rp.ServeHTTP(w, r)
		return
	}
	switch ru.act {
	case actFail:
		io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20)) // as a server would read it
		writeError(w, r, ru.s3err)
	case actDrop:
		hangUp(w)
	case actLose:
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r) // the server acts on it; the answer is lost
		hangUp(w)
	}
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("faults: connection cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	conn.Close()
}

// writeError writes an S3 XML error response (no body for HEAD, as S3).
func writeError(w http.ResponseWriter, r *http.Request, e S3Error) {
	const reqID = "faults-proxy"
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("X-Amz-Request-Id", reqID)
	if e.Status == http.StatusServiceUnavailable || e.Status == http.StatusTooManyRequests {
		h.Set("Retry-After", "0")
	}
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message><RequestId>")
	b.WriteString(reqID)
	b.WriteString("</RequestId></Error>")
	io.WriteString(w, b.String())
}
