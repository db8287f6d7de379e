package campaigns_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// A test mail greets the sample reader, as the preview does, but goes to
// the editor: its To header names the editor's address alone. It read
// "Ada Reader" <editor@example.com>, the sample's name on the editor's
// address.
func TestTestSendToHeaderNamesTheEditorsAddressAlone(t *testing.T) {
	e := newEnv(t)
	k := &envelopeTransport{}
	e.svc.Transport = k
	e.addList(t, "news")
	ctx := context.Background()
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello {{ .Name | default \"reader\" }},\n\nThe ferry runs again.", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TestSend(ctx, c.ID, []string{"editor@example.com", "desk@example.com"}); err != nil {
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
