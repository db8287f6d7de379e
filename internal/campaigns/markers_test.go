package campaigns_test

import (
	"context"
	"errors"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// foreignMarkers is marker text that outside content could carry: the
// fixed markers of earlier versions, and one of today's form with a
// guessed nonce.
const foreignMarkers = "BLTNzNAMEzq7 BLTNzMAILzq7 BLTNzUNSBzq7 BLTNzPREFzq7 BLTNaaaaaaaaaaaaaaaaaaaaNM BLTNaaaaaaaaaaaaaaaaaaaaUN"

// A feed item whose link, title and summary carry marker text must not
// get the reader's address or tokens written into it: the text comes
// out as it was written, and the reader's token only where Bulletin put
// it.
func TestDigestArticleMarkersStayLiteral(t *testing.T) {
	e := newGoldenEnv(t, "quayside", "Quayside", "daily")
	evil := "https://feed-owner.example/c?e=BLTNzMAILzq7&u=BLTNzUNSBzq7&p=BLTNzPREFzq7&n=BLTNaaaaaaaaaaaaaaaaaaaaEM"
	id := e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES (?, ?, ?, '', ?, ?, ?)`,
		evil, "Prize for BLTNzNAMEzq7", "Claim it: "+foreignMarkers, "BLTNzMAILzq7", time.Now().Add(-time.Hour), sqlite.Now())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'quayside'`, id)
	if _, err := e.svc.RunDigest(context.Background(), "quayside"); err != nil {
		t.Fatal(err)
	}
	raw := e.send(t)
	pm := mailtest.Parse(t, raw)
	unsub := e.signer.SignList(e.reader, e.list)
	prefs := e.signer.Sign(subscribers.TokenPreferences, e.reader, 0)
	oneSpace := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for part, body := range map[string]string{"text": pm.Text, "html": pm.HTML} {
		for _, secret := range []string{goldenReader.Address, unsub, prefs} {
			for _, line := range strings.Split(body, "\n") {
				if strings.Contains(line, "feed-owner.example") && strings.Contains(line, secret) {
					t.Errorf("%s part: the feed's link carries %q: %s", part, secret, line)
				}
			}
		}
		if n := strings.Count(body, unsub); n != 1 {
			t.Errorf("%s part has the unsubscribe token %d times, want once (its own link)", part, n)
		}
		if !strings.Contains(oneSpace(body), foreignMarkers) || !strings.Contains(body, "Prize for BLTNzNAMEzq7") {
			t.Errorf("%s part lost the marker text of the article:\n%s", part, body)
		}
	}
	if !strings.Contains(pm.HTML, `href="`+strings.ReplaceAll(evil, "&", "&amp;")+`"`) {
		t.Errorf("HTML part lacks the article's link as written")
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject")); !strings.Contains(s, "Prize for BLTNzNAMEzq7") {
		t.Errorf("Subject = %q, want the title as written", s)
	}
}

// A campaign's personal fields are filled in where its author wrote them:
// as text in text, as URL data in a link's URL, so a reader named
// "javascript:alert(1)" gets no live link. Marker text the author typed,
// and marker text in the subject, comes out literally, and the subject's
// encoded words stay whole. A save refuses a link or image whose whole URL
// is a field, as it refuses any relative URL; one stored before that
// check still sends, and is filled the same way.
func TestCampaignFieldsOnlyWhereWritten(t *testing.T) {
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	const name = `javascript:alert(1) "Ö"`
	e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, name, e.reader)
	subject := "Ünïcode news BLTNzNAMEzq7 and BLTNzMAILzq7 for everyone, with a long tail to fold"
	body := "Hi {{ .Name }}.\n\n" +
		"[your page](https://news.example/me?n={{ .Name }}&e={{.Email}}) and [odd]({{ .Name }}) and ![pic]({{ .Email }}.png)\n\n" +
		"Typed: " + foreignMarkers + "\n"
	ctx := context.Background()
	if err := e.svc.Schedule(ctx, &campaigns.Campaign{Subject: subject, Lists: []string{"harbour"}, Body: body}); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("a body with whole-URL fields saved: %v", err)
	}
	c := &campaigns.Campaign{Subject: subject, Lists: []string{"harbour"}, Body: "Hi.\n"}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE campaigns SET body = ? WHERE id = ?`, body, c.ID)
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	pm := mailtest.Parse(t, e.send(t))
	if s, err := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject")); err != nil || s != subject {
		t.Errorf("Subject decodes to %q, %v; want %q", s, err, subject)
	}
	const nameURL = "javascript%3Aalert%281%29%20%22%C3%96%22"
	const emailURL = "zoe%40example.org"
	for _, want := range []string{
		"Hi javascript:alert(1) &#34;Ö&#34;.",
		`href="https://news.example/me?n=` + nameURL + `&amp;e=` + emailURL + `"`,
		`href="` + nameURL + `"`,
		`src="` + emailURL + `.png"`,
		"Typed: " + foreignMarkers,
	} {
		if !strings.Contains(pm.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, pm.HTML)
		}
	}
	if strings.Contains(strings.ToLower(pm.HTML), `href="javascript:`) {
		t.Errorf("HTML part has a javascript: link")
	}
	for _, want := range []string{
		`Hi javascript:alert(1) "Ö".`,
		"(https://news.example/me?n=" + nameURL + "&e=" + emailURL + ")",
		"odd (" + nameURL + ")",
		"Typed: " + foreignMarkers,
	} {
		if !strings.Contains(strings.Join(strings.Fields(pm.Text), " "), want) {
			t.Errorf("text part lacks %q:\n%s", want, pm.Text)
		}
	}
}

// The content of each render draws its own markers, so those of one send
// tell nothing of the next.
func TestMarkersDrawnPerRender(t *testing.T) {
	e := newEnv(t)
	e.addReaders(t, 1, e.addList(t, "news"))
	seen := map[string]bool{}
	for range 2 {
		id := e.create(t, "news")
		if _, err := e.svc.Send(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		e.fanout(t)
	}
	for _, task := range e.q.take(queue.TypeMailSend) {
		mk := payload(t, task).Content.Markers
		if len(mk) < 20 || seen[mk] {
			t.Errorf("markers %q: short, or drawn before", mk)
		}
		seen[mk] = true
	}
	if len(seen) < 2 {
		t.Fatalf("%d renders seen, want 2", len(seen))
	}
}

// A subject is one for every reader: a personal field there is refused,
// never sent as written.
func TestSubjectRefusesPersonalFields(t *testing.T) {
	e := newEnv(t)
	e.addList(t, "news")
	for _, subject := range []string{"Hello {{ .Name }}", "For {{.Email}}", "Tab\there"} {
		err := e.svc.Schedule(context.Background(), &campaigns.Campaign{Subject: subject, Body: "b", Lists: []string{"news"}})
		var be *bulletin.Error
		if !errors.As(err, &be) || be.Code != bulletin.EINVALID || be.Fields["subject"] == "" {
			t.Errorf("subject %q: err = %v, want a validation error on subject", subject, err)
		}
	}
}

// A list's own From and Reply-To stand in for the publication's in its
// campaigns, encoded as headers are; without them From is BULLETIN_FROM's.
func TestListFromAndReplyTo(t *testing.T) {
	e := newGoldenEnv(t, "quay", "Quay", "off")
	e.exec(t, `UPDATE lists SET from_address = ?, reply_to = ? WHERE slug = 'quay'`,
		"Quay Désk <desk@quay.example>", "Letters <letters@quay.example>")
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Hello", Lists: []string{"quay"}, Body: "Hi."})
	pm := mailtest.Parse(t, e.send(t))
	from, err := pm.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Quay Désk" || from[0].Address != "desk@quay.example" {
		t.Errorf("From = %v, %v; want the list's", from, err)
	}
	rt, err := pm.Header.AddressList("Reply-To")
	if err != nil || len(rt) != 1 || rt[0].Address != "letters@quay.example" {
		t.Errorf("Reply-To = %v, %v; want the list's", rt, err)
	}
	if id := pm.Header.Get("Message-Id"); !strings.HasSuffix(id, "@quay.example>") {
		t.Errorf("Message-Id %q is not of the list's From domain", id)
	}

	e2 := newGoldenEnv(t, "harbour", "Harbour", "off")
	e2.sendCampaign(t, &campaigns.Campaign{Subject: "Hello", Lists: []string{"harbour"}, Body: "Hi."})
	pm = mailtest.Parse(t, e2.send(t))
	if from, _ := pm.Header.AddressList("From"); len(from) != 1 || from[0].Address != "news@news.example" || pm.Header.Get("Reply-To") != "" {
		t.Errorf("without a list From: From %v, Reply-To %q", from, pm.Header.Get("Reply-To"))
	}
}
