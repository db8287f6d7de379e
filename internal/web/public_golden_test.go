package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// goldenReaders are the seeded subscribers of the golden tests. Each page
// that changes state gets its own reader, so every case renders the same
// page whichever cases run and in whatever order.
type goldenReaders struct {
	pending   int64 // signed up, not yet confirmed: the confirm page
	confirmed int64 // the preferences and unsubscribe form pages
	leaving   int64 // posts the unsubscribe form
	erasing   int64 // presses the erase page's button
}

// seedGolden adds a list with a description, four readers and a sent
// campaign to e, and turns on the archive routes. It returns the readers
// and the campaign's id.
func seedGolden(t *testing.T, e *subEnv) (goldenReaders, int64) {
	t.Helper()
	ctx := context.Background()
	err := e.store.CreateList(ctx, &subscribers.List{Slug: "harbour-sport", Name: "Harbour Sport",
		Description: "Scores & fixtures from the harbour clubs, every Monday.", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	var r goldenReaders
	for _, n := range []struct {
		id  *int64
		sub subscribers.NewSubscriber
	}{
		{&r.pending, subscribers.NewSubscriber{Email: "ann@example.org", Name: "Ann", Lists: []string{"daily-news", "harbour-sport"}}},
		{&r.confirmed, subscribers.NewSubscriber{Email: "Bea.ONeill@example.com", Name: `Bea "Bee" O'Neill`, Status: subscribers.StatusConfirmed,
			Frequency: "weekly", Lists: []string{"daily-news", "editors-desk"}}},
		{&r.leaving, subscribers.NewSubscriber{Email: "cy@example.net", Name: "Cy", Status: subscribers.StatusConfirmed, Lists: []string{"weekend-culture"}}},
		{&r.erasing, subscribers.NewSubscriber{Email: "dee@example.net", Name: "Dee", Status: subscribers.StatusConfirmed, Lists: []string{"weekend-culture"}}},
	} {
		sub, err := e.store.Create(ctx, &n.sub)
		if err != nil {
			t.Fatal(err)
		}
		*n.id = sub.ID
	}
	// The pending reader's confirmation mail is flagged, as the admin's
	// create does; its link is the confirm page's.
	if err := e.store.QueueConfirm(ctx, r.pending, nil); err != nil {
		t.Fatal(err)
	}
	issue := sendGoldenCampaign(t, e)
	// The archive routes are built only when an Archiver is set.
	e.srv.Archive = campaigns.NewStore(e.db)
	e.h = e.srv.Handler()
	return r, issue
}

// sendGoldenCampaign creates a campaign to a public and a private list and
// takes it through the campaign service to sent: send, fan-out, and every
// delivery recorded as sent, as a worker would.
func sendGoldenCampaign(t *testing.T, e *subEnv) int64 {
	t.Helper()
	ctx := context.Background()
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	svc := &campaigns.Service{Store: campaigns.NewStore(e.db), Queue: e.queue.Client, Redis: e.queue.Redis(),
		Signer: e.signer, Templates: tmpl, BaseURL: "http://news.test", From: "Harbour Gazette <news@news.test>",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c := &campaigns.Campaign{Subject: "The bridge reopens on Monday", Lists: []string{"daily-news", "editors-desk"},
		Body: "Dear {{ .Name }},\n\nThe **harbour bridge** reopens on Monday. Read [the full story](https://news.test/bridge).\n\n" +
			"- Two lanes for cars\n- One for bicycles & scooters\n\n<script>alert(1)</script>\n"}
	// Saving refuses the <script> now: the body is stored as an older
	// version saved it, for the archive to leave it out.
	body := c.Body
	c.Body = "Hello."
	if err := svc.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`UPDATE campaigns SET body = ? WHERE id = ?`, body, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	fanout, _ := queue.NewFanoutTask(c.ID, 0)
	if err := svc.HandleFanout(ctx, fanout); err != nil {
		t.Fatal(err)
	}
	ins := asynq.NewInspectorFromRedisClient(e.queue.Redis())
	tasks, err := ins.ListPendingTasks(queue.QueueSend)
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		t.Fatal(err)
	}
	for _, ti := range tasks {
		var p queue.SendPayload
		if err := json.Unmarshal(ti.Payload, &p); err != nil {
			t.Fatal(err)
		}
		var results []queue.Result
		for _, rc := range p.Recipients {
			results = append(results, queue.Result{DeliveryID: rc.DeliveryID, SubscriberID: rc.SubscriberID, Status: queue.ResultSent, At: time.Now()})
		}
		if err := svc.Record(ctx, p.CampaignID, results); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := svc.Get(ctx, c.ID); err != nil || got.Status != campaigns.StatusSent {
		t.Fatalf("campaign after its deliveries: %+v, %v; want it sent", got, err)
	}
	return c.ID
}

// goldenListGone signs up a new reader for a list, and confirmed reader
// confirmed for it too, then deletes the list, and returns the links of
// their confirmation mails: the pages of a link whose list no longer
// exists.
func goldenListGone(t *testing.T, e *subEnv, confirmed int64) (pending, known string) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "ferry-times", Name: "Ferry Times", Public: true}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.store.Get(ctx, confirmed)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"flo@example.org", sub.Email} {
		if w := e.json("POST", "/api/v1/subscriptions", `{"email":"`+addr+`","lists":["ferry-times"]}`); w.Code >= 300 {
			t.Fatalf("signup: %d %s", w.Code, w.Body)
		}
	}
	e.signups.Flush()
	flo := e.lastID()
	pending, known = "/confirm/"+e.confirmToken(flo), "/confirm/"+e.confirmToken(confirmed)
	if err := e.store.DeleteList(ctx, "ferry-times"); err != nil {
		t.Fatal(err)
	}
	return pending, known
}

// goldenUntil is when the data links of the golden pages stop working:
// a fixed time, so that their tokens are the same on every run.
var goldenUntil = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// TestPublicPagesGolden renders each public page through the real handlers
// and compares it with its golden file, and its status with SPEC §2.
func TestPublicPagesGolden(t *testing.T) {
	e := newSubEnv(t, 0)
	r, issue := seedGolden(t, e)
	sign := func(purpose string, id int64, ttl time.Duration) string { return e.signer.Sign(purpose, id, ttl) }
	goneLink, goneConfirmedLink := goldenListGone(t, e, r.confirmed)
	tests := []struct {
		name         string
		method, path string
		form         url.Values // posted when not nil
		status       int
	}{
		{name: "subscribe", method: "GET", path: "/subscribe", status: http.StatusOK},
		{name: "subscribe_invalid", method: "POST", path: "/subscribe", status: http.StatusUnprocessableEntity,
			form: url.Values{"email": {`"Ann" <ann@example.org>`}, "name": {"Ann\t<b>Lee</b>"}, "list": {"weekend-culture"}}},
		{name: "subscribe_no_list", method: "POST", path: "/subscribe", status: http.StatusUnprocessableEntity,
			form: url.Values{"email": {"ann@example.org"}, "name": {"Ann Lee"}}},
		{name: "check_email", method: "GET", path: "/subscribe/check-email", status: http.StatusOK},
		{name: "confirm", method: "GET", path: "/confirm/" + e.confirmToken(r.pending), status: http.StatusOK},
		{name: "confirm_bad_token", method: "GET", path: "/confirm/not-a-valid-token", status: http.StatusBadRequest},
		{name: "confirm_list_gone", method: "GET", path: goneLink, status: http.StatusGone},
		{name: "confirm_list_gone_confirmed", method: "GET", path: goneConfirmedLink, status: http.StatusGone},
		{name: "unsubscribe", method: "GET", path: "/unsubscribe/" + sign(subscribers.TokenUnsubscribe, r.confirmed, 0), status: http.StatusOK},
		{name: "unsubscribe_done", method: "POST", path: "/unsubscribe/" + sign(subscribers.TokenUnsubscribe, r.leaving, 0), status: http.StatusOK,
			form: url.Values{"List-Unsubscribe": {"One-Click"}}},
		{name: "preferences", method: "GET", path: "/preferences/" + sign(subscribers.TokenPreferences, r.confirmed, 0), status: http.StatusOK},
		{name: "preferences_data_link", method: "GET", path: "/preferences/" + sign(subscribers.TokenPreferences, r.confirmed, 0) + "/erase", status: http.StatusOK},
		{name: "preferences_erase", method: "GET", path: "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, r.confirmed, goldenUntil), status: http.StatusOK},
		{name: "preferences_erase_done", method: "POST", path: "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, r.erasing, goldenUntil), status: http.StatusOK,
			form: url.Values{}},
		{name: "data_link_expired", method: "GET", path: "/data/" + e.signer.SignUntil(subscribers.TokenDataDownload, r.confirmed, time.Unix(1, 0)), status: http.StatusBadRequest},
		{name: "archive", method: "GET", path: "/archive", status: http.StatusOK},
		{name: "archive_issue", method: "GET", path: "/archive/" + strconv.FormatInt(issue, 10), status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w *httptest.ResponseRecorder
			if tt.form != nil {
				w = e.form(tt.path, tt.form)
			} else {
				w = e.do(tt.method, tt.path, "", "")
			}
			if w.Code != tt.status {
				t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, w.Code, tt.status)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s %s: Content-Type %q, want an HTML page", tt.method, tt.path, ct)
			}
			checkGolden(t, tt.name, w.Body.Bytes())
		})
	}
}
