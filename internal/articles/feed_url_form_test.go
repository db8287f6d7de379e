package articles

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// A feed's URL is stored as an article's (ArticleURL): scheme and host in
// lower case, no default port. https://Example.com:443/feed.xml added
// after https://example.com/feed.xml made a second feed of the list,
// polled as well, though it is the same one. The server is a TLS server
// on 127.0.0.1 whose certificate names example.com; every connection the
// feeds make goes to it, whatever the host, and the name is resolved by
// no one (private feeds allowed, the fake resolver is never asked).
func TestFeedURLStoredInArticleForm(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(twoItems))
	}))
	t.Cleanup(srv.Close)
	feeds := tlsFeeds(t, srv)
	feeds.Resolver = fakeResolver{}
	transport := feeds.client.Transport.(*http.Transport)
	dial := transport.DialContext
	transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial(ctx, network, srv.Listener.Addr().String()) // 127.0.0.1 only
	}
	ctx := context.Background()

	first, created, err := feeds.Add(ctx, "https://example.com/feed.xml", "news", nil)
	if err != nil || !created || first.LastError != "" || first.Added != 2 {
		t.Fatalf("first Add = %+v, %v, %v; want it created and polled, 2 added", first, created, err)
	}
	for _, raw := range []string{
		"https://Example.com:443/feed.xml",
		"https://EXAMPLE.COM/feed.xml",
		"HTTPS://example.com:0443/feed.xml",
		"https://example.com:/feed.xml",
		"example.com:443/feed.xml",
	} {
		fd, created, err := feeds.Add(ctx, raw, "news", nil)
		if err != nil || created || fd.ID != first.ID || fd.URL != "https://example.com/feed.xml" {
			t.Errorf("Add(%q) = feed %+v, created %v, %v; want feed %d, https://example.com/feed.xml, not created", raw, fd, created, err, first.ID)
		}
	}
	if got, _, _ := feeds.List(ctx, 0, 0); len(got) != 1 {
		t.Errorf("%d feeds, want 1", len(got))
	}

	// Stored in that form when first given another way; the path, query
	// and fragment keep theirs.
	fd, created, err := feeds.Add(ctx, "https://Example.COM:443/Other.xml?Key=AbC", "news", nil)
	if err != nil || !created || fd.URL != "https://example.com/Other.xml?Key=AbC" {
		t.Errorf("Add = %+v, %v, %v; want https://example.com/Other.xml?Key=AbC created", fd, created, err)
	}
	if hits.Load() == 0 {
		t.Error("the feed server was never asked")
	}
}
