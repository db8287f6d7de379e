package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// orderedLists adds daily-news, then weekend-culture (a later id), each
// with its own From, and three confirmed readers: one on both lists, one
// on each. It returns the readers' addresses.
func orderedLists(t *testing.T, e *env) (both, daily, weekend string) {
	t.Helper()
	news, culture := e.addList(t, "daily-news"), e.addList(t, "weekend-culture")
	e.exec(t, `UPDATE lists SET name = 'Daily News', from_address = '"Daily News" <daily@news.example>' WHERE id = ?`, news)
	e.exec(t, `UPDATE lists SET name = 'Weekend Culture', from_address = '"Weekend Culture" <weekend@news.example>' WHERE id = ?`, culture)
	e.addSubscriber(t, "both@example.com", "confirmed", news, culture)
	e.addSubscriber(t, "daily@example.com", "confirmed", news)
	e.addSubscriber(t, "weekend@example.com", "confirmed", culture)
	return "both@example.com", "daily@example.com", "weekend@example.com"
}

// A campaign keeps its lists in the order given, not that of the lists'
// ids: read back, and sent. A reader on both lists of a campaign to
// ["weekend-culture", "daily-news"] gets Weekend Culture's mail (its
// From, List-Id and footer), as README says ("the mail of the first of
// them the reader is on"); each other reader gets their own list's. The
// mail goes as serve sends it: stored in SQLite, fanned out into mail:send
// tasks, composed and sent over SMTP to a server on the loopback. (It got
// Daily News's, the list with the lower id, and the lists read back as
// ["daily-news", "weekend-culture"].)
func TestCampaignListsKeepTheirOrderThroughTheFanout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lists []string
		first string // the list whose mail the reader on both gets
	}{
		{"the later list first", []string{"weekend-culture", "daily-news"}, "Weekend Culture"},
		{"the earlier list first", []string{"daily-news", "weekend-culture"}, "Daily News"},
		{"in another case, given twice", []string{"Weekend-Culture", "daily-news", "weekend-culture"}, "Weekend Culture"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.svc.PageSize = 2 // pages of the merge of two lists' members
			srv := smtptest.Start(t)
			both, daily, weekend := orderedLists(t, e)
			c := &campaigns.Campaign{Subject: "Saturday", Body: "Hello {{ .Name }}.", Lists: tc.lists}
			e.sendTo(t, c, srv)

			got, err := e.svc.Get(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantLists := []string{"daily-news", "weekend-culture"}
			if tc.first == "Weekend Culture" {
				wantLists = []string{"weekend-culture", "daily-news"}
			}
			if diff := cmp.Diff(wantLists, got.Lists); diff != "" {
				t.Errorf("lists read back (-want +got):\n%s", diff)
			}

			type head struct{ From, ListID, Footer string }
			heads := map[string]head{
				"Daily News":      {`"Daily News" <daily@news.example>`, "Daily News <daily-news.news.example>", "You receive this because you joined the list “Daily News”."},
				"Weekend Culture": {`"Weekend Culture" <weekend@news.example>`, "Weekend Culture <weekend-culture.news.example>", "You receive this because you joined the list “Weekend Culture”."},
			}
			mailed := map[string]head{}
			for _, m := range srv.Messages() {
				pm := mailtest.Parse(t, m.Data)
				h := head{From: pm.Header.Get("From"), ListID: pm.Header.Get("List-Id")}
				for name, want := range heads {
					if containsLine(pm.Text, want.Footer) {
						h.Footer = heads[name].Footer
					}
				}
				mailed[m.To[0]] = h
			}
			want := map[string]head{both: heads[tc.first], daily: heads["Daily News"], weekend: heads["Weekend Culture"]}
			if diff := cmp.Diff(want, mailed); diff != "" {
				t.Errorf("the list each reader got the mail of (-want +got):\n%s", diff)
			}
			froms, err := e.svc.Froms(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(froms) != 2 || froms[0].From != heads[tc.first].From {
				t.Errorf("Froms = %+v, want %q first, as the send page names them", froms, heads[tc.first].From)
			}
		})
	}
}

// An edit that gives the lists in another order keeps it, and a duplicate
// keeps its original's order.
func TestCampaignListOrderEditedAndDuplicated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	orderedLists(t, e)
	e.addList(t, "arts")
	c := &campaigns.Campaign{Subject: "Saturday", Body: "Hello.", Lists: []string{"daily-news", "weekend-culture"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	lists := []string{"weekend-culture", "arts", "daily-news"}
	edited, err := e.svc.Update(ctx, c.ID, campaigns.Patch{Lists: &lists})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lists, edited.Lists); diff != "" {
		t.Errorf("lists after the edit (-want +got):\n%s", diff)
	}
	dup, err := e.svc.Duplicate(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lists, dup.Lists); diff != "" {
		t.Errorf("the duplicate's lists (-want +got):\n%s", diff)
	}
	listed, _, err := e.svc.List(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range listed {
		if diff := cmp.Diff(lists, l.Lists); diff != "" {
			t.Errorf("campaign %d's lists in the list of campaigns (-want +got):\n%s", l.ID, diff)
		}
	}
}

// containsLine says text holds line, its words maybe wrapped over lines.
func containsLine(text, line string) bool {
	return strings.Contains(strings.Join(strings.Fields(text), " "), line)
}

// The preview of a campaign, saved or not, is the mail of its first list
// in the order given, the one a reader on several of them gets. The new
// form's preview took the list with the lowest id.
func TestCampaignPreviewIsTheFirstListsMail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	orderedLists(t, e)
	c := &campaigns.Campaign{Subject: "Saturday", Body: "Hello.", Lists: []string{"weekend-culture", "daily-news"}}
	draft, err := e.svc.PreviewDraft(ctx, c, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	saved, err := e.svc.PreviewMail(ctx, c.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	for name, html := range map[string]string{"the form's preview": draft, "the saved campaign's preview": saved} {
		if !strings.Contains(html, "Weekend Culture") || strings.Contains(html, "Daily News") {
			t.Errorf("%s is not Weekend Culture's mail:\n%s", name, html)
		}
	}
}

// The campaign.started webhook names the campaign's lists in its order,
// as the API does; it named them in alphabetical order.
func TestCampaignWebhookNamesItsListsInOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", []string{hooks.CampaignStarted}
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	orderedLists(t, e)
	e.recipientsKicked(t, e.create(t, "weekend-culture", "daily-news"), 3)
	var lists string
	if err := e.db.Read.QueryRow(`SELECT json_extract(body, '$.data.lists') FROM webhook_events WHERE type = ?`, hooks.CampaignStarted).Scan(&lists); err != nil {
		t.Fatal(err)
	}
	if want := `["weekend-culture","daily-news"]`; lists != want {
		t.Errorf("campaign.started lists = %s, want %s", lists, want)
	}
}
