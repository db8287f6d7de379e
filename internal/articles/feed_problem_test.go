package articles

import (
	"context"
	"net"
	"net/url"
	"testing"
)

// The errors no loopback server can give, as Go's client wraps them, and
// the default timeouts, are told in words too.
func TestFeedFetchProblem(t *testing.T) {
	f := NewFeeds(nil, nil, false)
	get := func(err error) error { return &url.Error{Op: "Get", URL: "https://news.example/feed", Err: err} }
	dial := func(err error) error { return get(&net.OpError{Op: "dial", Net: "tcp", Err: err}) }
	tests := []struct {
		name string
		err  error
		body bool
		want string
	}{
		{"no such host", dial(&net.DNSError{Err: "no such host", Name: "news.example", IsNotFound: true}), false, "the name news.example does not resolve"},
		{"name server silent", dial(&net.DNSError{Err: "i/o timeout", Name: "news.example", IsTimeout: true}), false,
			"the name news.example could not be looked up: no answer from the name server"},
		{"private address at dial", dial(errPrivate{"10.0.0.1"}), false, errPrivate{"10.0.0.1"}.Error()},
		{"cancelled", get(context.Canceled), false, "the poll was cancelled"},
		{"something else", get(errorString("proxyconnect tcp: boom")), false, "the feed could not be fetched: proxyconnect tcp: boom"},
	}
	for _, tt := range tests {
		if got := f.fetchProblem(tt.err, tt.body); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// The default limits, in the words the review asked for.
	if got := seconds(f.transport().ResponseHeaderTimeout); got != "15 s" {
		t.Errorf("the default answer limit reads %q, want 15 s", got)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
