package articles

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/loopback"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// newErrorFeeds is Feeds on a real database with the list news, allowed
// to fetch from loopback.
func newErrorFeeds(t *testing.T) *Feeds {
	t.Helper()
	db := sqlitetest.Open(t)
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	return NewFeeds(db, NewStore(db), true)
}

// hangingServer answers a request only when the test ends, after
// writing first, when given.
func hangingServer(t *testing.T, first string) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first != "" {
			w.Write([]byte(first))
			w.(http.Flusher).Flush()
		}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: the handler returns before Close waits for it
	return srv
}

// A failed fetch is told in plain words in the feed's status and error,
// not as Go's "fetch feed: Get "…": net/http: timeout awaiting response
// headers". The timeouts are made short here; the words give the real
// limit ("no answer within 15 s" with the default transport).
func TestFeedFetchErrorsInWords(t *testing.T) {
	closedAddr := loopback.ClosedAddr(t)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<rss/>")) }))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	var loop *httptest.Server
	loop = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loop.URL+r.URL.Path+"x", http.StatusFound)
	}))
	t.Cleanup(loop.Close)
	toFTP := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://news.example/feed", http.StatusFound)
	}))
	t.Cleanup(toFTP.Close)

	tests := []struct {
		name, url string
		setup     func(f *Feeds)
		want      string
	}{
		{"no answer", hangingServer(t, "").URL + "/slow", func(f *Feeds) { f.client.Transport.(*http.Transport).ResponseHeaderTimeout = 200 * time.Millisecond },
			"no answer within 0.2 s"},
		{"no answer before the client gives up", hangingServer(t, "").URL + "/slow", func(f *Feeds) { f.client.Timeout = 200 * time.Millisecond },
			"no answer within 0.2 s"},
		{"body too slow", hangingServer(t, "<rss").URL + "/trickle", func(f *Feeds) { f.client.Timeout = 300 * time.Millisecond },
			"the feed did not arrive in full within 0.3 s"},
		{"closed port", "http://" + closedAddr + "/feed", nil,
			"the connection to " + closedAddr + " was refused"},
		{"untrusted certificate", tlsSrv.URL + "/feed", nil,
			"TLS: the certificate is not valid: certificate signed by unknown authority"},
		{"https to a plain server", strings.Replace(plain.URL, "http:", "https:", 1) + "/feed", nil,
			"TLS: the server answers plain HTTP at that address; use an http:// URL"},
		{"redirect loop", loop.URL + "/feed", nil, "the feed redirects more than 5 times"},
		{"redirect to ftp", toFTP.URL + "/feed", nil, "the feed redirects to a URL that is not http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newErrorFeeds(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			fd, _, err := f.Add(context.Background(), tt.url, "news", nil)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := f.Get(context.Background(), fd.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.LastStatus != tt.want || stored.LastError != tt.want || fd.LastStatus != tt.want {
				t.Errorf("status %q, error %q (answered %q); want %q", stored.LastStatus, stored.LastError, fd.LastStatus, tt.want)
			}
		})
	}
}
