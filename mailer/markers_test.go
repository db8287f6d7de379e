package mailer_test

import (
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// Marker text that is not of the message's own set — the fixed markers
// of earlier versions, another set's — is text like any other: in the
// subject, in both parts. Only the message's own markers are filled in.
func TestCampaignMessageFillsOnlyItsOwnMarkers(t *testing.T) {
	mk, other := mailer.NewMarkers(), mailer.NewMarkers()
	var foreign []string
	for f := range mailer.Preferences + 1 {
		foreign = append(foreign, mailer.Markers("").Of(f), other.Of(f))
	}
	alien := strings.Join(foreign, " ")
	subject := "Zoë's news " + alien
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: subject,
		Text: "Hi " + mk.Of(mailer.Name) + ". " + alien + "\n",
		HTML: "<p>Hi " + mk.Of(mailer.Name) + ". " + alien + `</p><a href="https://x.example/?` + alien + `">x</a>`,
		Headers: [][2]string{{"List-Unsubscribe", "<https://h.example/unsubscribe/" + mk.Of(mailer.Unsubscribe) + ">"},
			{"X-Note", alien}},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := cm.Compose(nil, mailer.Personal{Email: "ann@example.com", Name: "Ann", Unsubscribe: "tokU", Preferences: "tokP"})
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, raw)
	if s, err := new(mime.WordDecoder).DecodeHeader(got.header.Get("Subject")); err != nil || s != subject {
		t.Errorf("Subject decodes to %q, %v; want %q", s, err, subject)
	}
	if diff := cmp.Diff("Hi Ann. "+alien+"\r\n", got.text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if want := "<p>Hi Ann. " + alien + `</p><a href="https://x.example/?` + alien + `">x</a>`; got.html != want {
		t.Errorf("html = %q, want %q", got.html, want)
	}
	if n := got.header.Get("X-Note"); n != alien {
		t.Errorf("X-Note = %q, want %q", n, alien)
	}
	if lu := got.header.Get("List-Unsubscribe"); lu != "<https://h.example/unsubscribe/tokU>" {
		t.Errorf("List-Unsubscribe = %q", lu)
	}
}

// In a URL, a personal value is URL data: it can start no scheme, path,
// query or fragment of its own.
func TestCampaignMessageURLFields(t *testing.T) {
	mk := mailer.NewMarkers()
	html := mk.InURLs(`<p>` + mk.Of(mailer.Name) + ` <a href="` + mk.Of(mailer.Name) + `" title="` + mk.Of(mailer.Name) + `">a</a>` +
		`<img src="https://i.example/` + mk.Of(mailer.Email) + `.png" alt="x"></p>`)
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: "s",
		Text: "(" + mk.InURL("https://x.example/?n="+mk.Of(mailer.Name)) + ")\n", HTML: html,
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := cm.Compose(nil, mailer.Personal{Email: "a+b@example.com", Name: `javascript:alert(1)//"><b>Ö`, Unsubscribe: "u", Preferences: "p"})
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, raw)
	const nameURL = "javascript%3Aalert%281%29%2F%2F%22%3E%3Cb%3E%C3%96"
	want := `<p>javascript:alert(1)//&#34;&gt;&lt;b&gt;Ö <a href="` + nameURL + `" title="javascript:alert(1)//&#34;&gt;&lt;b&gt;Ö">a</a>` +
		`<img src="https://i.example/a%2Bb%40example.com.png" alt="x"></p>`
	if diff := cmp.Diff(want, got.html); diff != "" {
		t.Errorf("html (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("(https://x.example/?n="+nameURL+")\r\n", got.text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}

// Fill fills a set's markers in a string outside a message, escaped for
// HTML when asked, and leaves other sets' alone.
func TestMarkersFill(t *testing.T) {
	mk := mailer.NewMarkers()
	p := mailer.Personal{Name: `<Ann & "Bo">`, Email: "ann@example.com"}
	s := mk.Of(mailer.Name) + "|" + mk.Of(mailer.EmailURL) + "|" + mailer.Markers("").Of(mailer.Name)
	if got, want := mk.Fill(s, p, true), "&lt;Ann &amp; &#34;Bo&#34;&gt;|ann%40example.com|BLTNzNAMEzq7"; got != want {
		t.Errorf("Fill html = %q, want %q", got, want)
	}
	if got, want := mk.Fill(s, p, false), `<Ann & "Bo">|ann%40example.com|BLTNzNAMEzq7`; got != want {
		t.Errorf("Fill text = %q, want %q", got, want)
	}
}
