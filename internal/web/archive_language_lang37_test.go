package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// archive37 is a logged-in admin on a server with the public archive,
// and the campaigns service that sends to its public list "news", which
// has one confirmed reader, with the server's settings.
type archive37 struct {
	t   *testing.T
	a   *adminClient
	db  *sqlite.DB
	svc *campaigns.Service
}

func newArchive37(t *testing.T) *archive37 {
	t.Helper()
	e := &archive37{t: t}
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Settings = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.SubscriberDeps = SubscriberDeps{Pages: s.Templates, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
			Signups: subscribers.NewSignups(s.Subscribers, dropQueue{}, s.Log)}
		store := campaigns.NewStore(db)
		store.Log = s.Log
		s.Archive = store
		e.db = db
		e.svc = &campaigns.Service{Store: store, Queue: dropQueue{}, Signer: s.SubscriberDeps.Signer, Templates: s.Templates,
			Settings: s.Settings, Log: s.Log}
		if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "news", Name: "Nouvelles", Public: true}); err != nil {
			t.Fatal(err)
		}
		execAt(t, db, time.Now(),
			`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('a@x.example', 'a@x.example', 'confirmed', ?, ?)`,
			`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
				SELECT s.id, l.id, 'active', ?, ? FROM subscribers s, lists l`)
	})
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	e.a = a
	return e
}

// setLanguage saves language on the settings page, the other settings as
// goodSettings has them.
func (e *archive37) setLanguage(language string) {
	e.t.Helper()
	f := goodSettings()
	f.Set("language", language)
	if resp, body := e.a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("save language %q = %d:\n%s", language, resp.StatusCode, body)
	}
}

// sent marks campaign id as sent to the end, as its last delivery does:
// its mails' own language is the campaigns package's tests'.
func (e *archive37) sent(id int64) {
	e.t.Helper()
	if _, err := e.db.Write.Exec(`UPDATE campaigns SET status = 'sent', fanout_done = 1, finished_at = started_at WHERE id = ?`, id); err != nil {
		e.t.Fatal(err)
	}
}

// send sends a campaign of subject and body to "news" and returns its id.
func (e *archive37) send(subject, body string) int64 {
	e.t.Helper()
	ctx := context.Background()
	c := &campaigns.Campaign{Subject: subject, Body: body, Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		e.t.Fatal(err)
	}
	e.sent(c.ID)
	return c.ID
}

// langs checks the language each text on the page at path is read in.
func (e *archive37) langs(path string, want map[string]string) {
	e.t.Helper()
	resp, body := e.a.get(path)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s = %d:\n%s", path, resp.StatusCode, body)
	}
	for text, lang := range want {
		if got := mailtest.LangOf(e.t, body, text); got != lang {
			e.t.Errorf("on %s, %q is read as %q, want %q", path, text, got, lang)
		}
	}
}

// TestArchiveKeepsEachIssuesLanguage: each issue is marked on the
// archive's pages with the language it was sent in, whatever the
// setting says since: a campaign and a digest sent in French stay French
// once the publication writes German, then English (the digest's own
// English words still marked back), while an issue sent after the change
// is German. An issue whose language was not kept (stored before it
// was) follows the setting, as every issue did before.
func TestArchiveKeepsEachIssuesLanguage(t *testing.T) {
	e := newArchive37(t)
	old := pastIssue(t, e.db, "Vieilles nouvelles", "Un ancien numéro.", "sent", time.Now().Add(-time.Hour))

	e.setLanguage("fr")
	french := e.send("Les horaires des marées", "La marée monte ce soir.")
	execAt(t, e.db, time.Now(),
		`INSERT INTO articles (url, title, summary, published_at, created_at) VALUES ('https://quai.example/port', 'Le port ferme', 'Les quais sont fermés.', ?, ?)`,
		`INSERT INTO article_lists (article_id, list_id) SELECT a.id, l.id FROM articles a, lists l`)
	d, err := e.svc.RunDigest(context.Background(), "news")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest %+v: %v", d, err)
	}
	e.sent(d.ID)

	e.setLanguage("de")
	german := e.send("Die Gezeiten", "Hier sind die Zeiten.")

	issue := func(id int64) string { return "/archive/" + strconv.FormatInt(id, 10) }
	e.langs("/archive", map[string]string{
		"Les horaires des marées": "fr", "Le port ferme": "fr", "Die Gezeiten": "de", "Vieilles nouvelles": "de", "Past newsletters": "en",
	})
	e.langs(issue(french), map[string]string{"Les horaires des marées": "fr", "La marée monte": "fr", "← Archive": "en"})
	e.langs(issue(d.ID), map[string]string{"Le port ferme": "fr", "Les quais sont fermés": "fr", "1 new story": "en", "Read more": "en"})
	e.langs(issue(german), map[string]string{"Die Gezeiten": "de", "Hier sind die Zeiten": "de"})
	e.langs(issue(old), map[string]string{"Vieilles nouvelles": "de", "Un ancien numéro": "de"})

	// Back to English: the French and German issues keep their language;
	// the one whose language was not kept is English, with no mark but
	// the page's.
	e.setLanguage("")
	e.langs("/archive", map[string]string{"Les horaires des marées": "fr", "Die Gezeiten": "de", "Vieilles nouvelles": "en"})
	e.langs(issue(d.ID), map[string]string{"Le port ferme": "fr", "1 new story": "en"})
	if _, body := e.a.get(issue(old)); strings.Count(body, "lang=") != 1 {
		t.Errorf("the issue whose language was not kept has lang marks other than the page's in English:\n%s", body)
	}
	english := e.send("Tide tables", "Here are the tables.")
	e.setLanguage("fr")
	if _, body := e.a.get(issue(english)); strings.Count(body, "lang=") != 1 {
		t.Errorf("an issue sent in English is marked with the language set since:\n%s", body)
	}
}
