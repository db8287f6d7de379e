package campaigns_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// ferriesDraft is a draft to news whose body greets its reader by name,
// with a transport that keeps what a test send sends.
func ferriesDraft(t *testing.T) (*env, *envelopeTransport, *campaigns.Campaign) {
	t.Helper()
	e := newEnv(t)
	k := &envelopeTransport{}
	e.svc.Transport = k
	e.addList(t, "news")
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello {{ .Name | default \"reader\" }},\n\nThe ferry runs again.", Lists: []string{"news"}}
	if err := e.svc.Schedule(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return e, k, c
}

// A test mail reads as the preview does: both are for the sample reader,
// Ada Reader. The test went out as to a reader without a name, so a body
// greeting "Hello {{ .Name | default "reader" }}," read "Hello reader,"
// in the editor's inbox where the preview above the test form read
// "Hello Ada Reader,".
func TestTestSendGreetsTheReaderThePreviewShows(t *testing.T) {
	e, k, c := ferriesDraft(t)
	ctx := context.Background()
	preview, err := e.svc.PreviewMail(ctx, c.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	want := "Hello " + campaigns.SampleReader.Name + ","
	if !strings.Contains(preview, want) {
		t.Fatalf("the preview does not say %q:\n%s", want, preview)
	}
	if err := e.svc.TestSend(ctx, c.ID, []string{"editor@example.com"}); err != nil {
		t.Fatal(err)
	}
	if len(k.msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(k.msgs))
	}
	m := mailtest.Parse(t, k.msgs[0].data)
	for part, text := range map[string]string{"text": m.Text, "HTML": m.HTML} {
		if !strings.Contains(text, want) || strings.Contains(text, "Hello reader,") {
			t.Errorf("the test mail's %s part does not greet as the preview does (%q):\n%s", part, want, text)
		}
	}
	if m.HTML != "" && !strings.Contains(m.HTML, "The ferry runs again.") {
		t.Errorf("the test mail lost its body:\n%s", m.HTML)
	}
}

// A test mail greets the sample reader, as the preview does, but goes to
// the editor: its To header names the editor's address alone. It read
// "Ada Reader" <editor@example.com>, the sample's name on the editor's
// address.
func TestTestSendToHeaderNamesTheEditorsAddressAlone(t *testing.T) {
	e, k, c := ferriesDraft(t)
	if err := e.svc.TestSend(context.Background(), c.ID, []string{"editor@example.com", "desk@example.com"}); err != nil {
		t.Fatal(err)
	}
	if len(k.msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(k.msgs))
	}
	for i, addr := range []string{"editor@example.com", "desk@example.com"} {
		m := mailtest.Parse(t, k.msgs[i].data)
		to := m.Header.Get("To")
		got, err := mail.ParseAddress(to)
		if err != nil || got.Address != addr || got.Name != "" || strings.Contains(to, campaigns.SampleReader.Name) {
			t.Errorf("To: %q (%+v, %v), want %s alone", to, got, err, addr)
		}
		want := "Hello " + campaigns.SampleReader.Name + ","
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("the test mail to %s does not greet the sample reader (%q):\n%s", addr, want, m.Text)
		}
	}
}
