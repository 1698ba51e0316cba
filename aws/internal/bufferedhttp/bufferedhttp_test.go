package bufferedhttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The wrapped client sends the body whole, with its length and a GetBody
// for a resend, and leaves a request without a body as it is.
func TestBodiesGoWholeWithTheirLength(t *testing.T) {
	var got []string
	var lengths []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, lengths = append(got, string(b)), append(lengths, r.ContentLength)
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := Config(aws.Config{HTTPClient: srv.Client()}).HTTPClient
	body := strings.Repeat("x", 10_000)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(strings.NewReader(body))) // no length known
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if resp, err = c.Do(get); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(got) != 2 || got[0] != body || lengths[0] != int64(len(body)) || got[1] != "" || lengths[1] != 0 {
		t.Fatalf("bodies %d, lengths %v", len(got), lengths)
	}
	if Config(aws.Config{}).HTTPClient == nil {
		t.Fatal("no client when the config had none")
	}
}
