package articles

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// newGuardedFeeds is Feeds on a real database with the list news, that
// refuses private addresses and resolves names from r alone: nothing here
// is looked up or dialled.
func newGuardedFeeds(t *testing.T, r Resolver) *Feeds {
	t.Helper()
	db := sqlitetest.Open(t)
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	f := NewFeeds(db, NewStore(db), false)
	f.Resolver = r
	return f
}

// A refused feed URL says what is wrong with it. Every mistake used to get
// "give an absolute http or https URL without a user name": an address
// pasted without https:// (the commonest), a file: URL, none with a user
// name. An address without a scheme is now taken as https.
func TestFeedURLRefusalsSayWhatIsWrong(t *testing.T) {
	// Go's resolver answers names from /etc/hosts in the IPv4-mapped form.
	r := fakeResolver{"harbourgazette.example": {"::ffff:127.0.0.1"}, "localhost": {"::ffff:127.0.0.1"}}
	feeds := newGuardedFeeds(t, r)
	private := "is a loopback, private or reserved address"
	tests := []struct {
		url, want string
	}{
		{"harbourgazette.example/feed", "harbourgazette.example (127.0.0.1) " + private},
		{"harbourgazette.example:8443/feed", "harbourgazette.example (127.0.0.1) " + private},
		{"//harbourgazette.example/feed", "harbourgazette.example (127.0.0.1) " + private},
		{"localhost:8080", "localhost (127.0.0.1) " + private},
		{"http://localhost:8080/feed.xml", "localhost (127.0.0.1) " + private},
		{"127.0.0.1:8080/feed.xml", "127.0.0.1 " + private},
		{"file:///etc/passwd", "only http and https feeds can be polled"},
		{"ftp://harbourgazette.example/feed", "only http and https feeds can be polled"},
		{"javascript:alert(1)", "only http and https feeds can be polled"},
		{"mailto:desk@harbourgazette.example", "only http and https feeds can be polled"},
		{"https://desk:secret@harbourgazette.example/feed", "give the feed's URL without a user name or password"},
		{"not a url", "give an absolute http or https URL"},
		{"/feed.xml", "give an absolute http or https URL, with the site's name"},
		{"http:feed.xml", "give an absolute http or https URL, with the site's name"},
		{"  ", "give the feed's URL"},
	}
	for _, tt := range tests {
		_, _, err := feeds.Add(context.Background(), tt.url, "news", nil)
		msg := bulletin.ErrorFields(err)["url"]
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.HasPrefix(msg, tt.want) {
			t.Errorf("Add(%q) = %v, url %q; want it to start %q", tt.url, err, msg, tt.want)
		}
		if strings.Contains(msg, "::ffff:") || (!strings.Contains(tt.url, "@") && strings.Contains(msg, "user name")) {
			t.Errorf("Add(%q): %q names what was not given", tt.url, msg)
		}
		if strings.Contains(msg, private) && !strings.Contains(msg, "environment variable BULLETIN_ALLOW_PRIVATE_FEEDS=1") ||
			strings.Contains(msg, private) && !strings.Contains(msg, "bulletin serve") || strings.Contains(msg, private) && !strings.Contains(msg, "restart") {
			t.Errorf("Add(%q): %q does not say the setting is an environment variable of bulletin serve, read at start", tt.url, msg)
		}
	}
	if got, _, _ := feeds.List(context.Background(), 0, 0); len(got) != 0 {
		t.Errorf("refused URLs added %d feeds", len(got))
	}
}

// The guard names an IPv4 address as one, as the admin knows it, where it
// decides at connect time too. Only the decision is made: nothing is
// dialled.
func TestGuardNamesIPv4AsIPv4(t *testing.T) {
	for _, a := range []string{"::ffff:127.0.0.1", "127.0.0.1"} {
		err := guard{}.allow(netip.MustParseAddr(a))
		if err == nil || !strings.HasPrefix(err.Error(), "127.0.0.1 is a loopback") {
			t.Errorf("allow(%s) = %v, want it refused as 127.0.0.1", a, err)
		}
	}
	if err := (guard{}).control("tcp", "[::ffff:10.0.0.7]:443", nil); err == nil || !strings.HasPrefix(err.Error(), "10.0.0.7 is a loopback") {
		t.Errorf("control([::ffff:10.0.0.7]:443) = %v, want it refused as 10.0.0.7", err)
	}
}

// twoItems is a feed of two items.
const twoItems = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Bridge reopens</title><link>https://news.example/bridge</link></item>
<item><title>Storm warning</title><link>https://news.example/storm</link></item>
</channel></rss>`

// tlsFeeds is Feeds allowed on loopback that trust srv's certificate.
func tlsFeeds(t *testing.T, srv *httptest.Server) *Feeds {
	t.Helper()
	f := newErrorFeeds(t)
	trusted := srv.Client().Transport.(*http.Transport).TLSClientConfig
	f.client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: trusted.RootCAs}
	return f
}

// An address pasted without a scheme is fetched, and stored, as https.
func TestFeedAddressWithoutSchemeIsHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(twoItems))
	}))
	t.Cleanup(srv.Close)
	feeds := tlsFeeds(t, srv)
	typed := strings.TrimPrefix(srv.URL, "https://") + "/feed.xml" // 127.0.0.1:PORT/feed.xml
	fd, created, err := feeds.Add(context.Background(), typed, "news", nil)
	if err != nil || !created {
		t.Fatalf("Add(%q) = %v, %v", typed, created, err)
	}
	if fd.URL != srv.URL+"/feed.xml" || fd.LastError != "" || fd.Added != 2 {
		t.Errorf("feed %s: error %q, %d added; want %s/feed.xml polled, 2 added", fd.URL, fd.LastError, fd.Added, srv.URL)
	}
}

// An address typed without a scheme on a server without TLS fails as
// https does there, in words that say what to do. A server that answers
// the TLS handshake with something not HTTP (an HTTP/0.9 error page, as
// Python's http.server sends) gave Go's "tls: first record does not look
// like a TLS handshake".
func TestFeedAddressWithoutSchemeOnPlainServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("<!DOCTYPE HTML>\n<html><body>Bad request version</body></html>\n"))
			c.Close()
		}
	}()
	feeds := newErrorFeeds(t)
	typed := ln.Addr().String() + "/feed.xml"
	fd, created, err := feeds.Add(context.Background(), typed, "news", nil)
	want := "TLS: the server does not answer with TLS at that address; if the site has no https, use an http:// URL"
	if err != nil || !created || fd.URL != "https://"+typed || fd.LastError != want {
		t.Errorf("Add(%q) = %+v, %v, %v; want it kept as https://%s with %q", typed, fd, created, err, typed, want)
	}
}
