package campaigns_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// Froms names the From each of a campaign's lists sends under, in the
// order the fan-out takes them, the order the campaign gives its lists:
// the From of every message sent is that of the first list its reader is
// on, as Froms has it.
func TestFromsAreTheFromsTheMailGoesOutUnder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	news, sports := e.addList(t, "news"), e.addList(t, "sports")
	e.exec(t, `UPDATE lists SET from_address = 'Sports Desk <sports@news.example>' WHERE id = ?`, sports)
	e.addSubscriber(t, "both@example.com", "confirmed", news, sports)
	e.addSubscriber(t, "fan@example.com", "confirmed", sports)
	c := &campaigns.Campaign{Subject: "Match day", Body: "Kick-off at 3.", Lists: []string{"sports", "news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	froms, err := e.svc.Froms(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []campaigns.ListFrom{ // in the order given, not the lists' ids'
		{Slug: "sports", Name: "List sports", From: "Sports Desk <sports@news.example>", Own: true},
		{Slug: "news", Name: "List news", From: `"Harbour Gazette" <news@news.example>`},
	}
	if diff := cmp.Diff(want, froms); diff != "" {
		t.Fatalf("Froms (-want +got):\n%s", diff)
	}
	got := map[string]string{}
	for _, p := range e.sendKicked(t, c.ID) {
		for _, r := range p.Recipients {
			got[r.Email] = p.Content.From
		}
	}
	if diff := cmp.Diff(map[string]string{"both@example.com": froms[0].From, "fan@example.com": froms[0].From}, got); diff != "" {
		t.Errorf("the From each reader's mail goes out under (-as Froms says +sent):\n%s", diff)
	}
}
