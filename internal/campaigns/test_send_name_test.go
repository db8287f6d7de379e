package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// A test mail reads as the preview does: both are for the sample reader,
// Ada Reader. The test went out as to a reader without a name, so a body
// greeting "Hello {{ .Name | default "reader" }}," read "Hello reader,"
// in the editor's inbox where the preview above the test form read
// "Hello Ada Reader,".
func TestTestSendGreetsTheReaderThePreviewShows(t *testing.T) {
	e := newEnv(t)
	k := &envelopeTransport{}
	e.svc.Transport = k
	e.addList(t, "news")
	ctx := context.Background()
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello {{ .Name | default \"reader\" }},\n\nThe ferry runs again.", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
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
