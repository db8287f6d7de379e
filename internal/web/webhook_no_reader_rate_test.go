package web

import (
	"net/http"
	"strconv"
	"testing"
)

// A provider's bounce about an address no reader has suppresses nothing,
// and counts toward no rate either: the dashboard's seven-day bounce
// rate counted it, so another program's mail through the same account
// could set off the warning. The reader's bounce in the same batch still
// counts.
func TestWebhookBounceAboutNoReaderCountsInNoRate(t *testing.T) {
	e := newHookEnv(t)
	ts := strconv.FormatInt(e.now.Unix(), 10)
	body := []byte(`[` +
		`{"email":"hard@example.com","timestamp":` + ts + `,"event":"bounce","type":"bounce","sg_event_id":"bm8tcmVhZGVyLTE","sg_message_id":"bm8tcmVhZGVyMQ.filter-9","reason":"550 5.1.1 no such user","status":"5.1.1"},` +
		`{"email":"stranger@example.net","timestamp":` + ts + `,"event":"bounce","type":"bounce","sg_event_id":"bm8tcmVhZGVyLTI","sg_message_id":"bm8tcmVhZGVyMg.filter-9","reason":"550 5.1.1 no such user","status":"5.1.1"},` +
		`{"email":"stranger@example.net","timestamp":` + ts + `,"event":"spamreport","sg_event_id":"bm8tcmVhZGVyLTM","sg_message_id":"bm8tcmVhZGVyMw.filter-9"}` +
		`]`)
	if code := e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body); code != http.StatusOK {
		t.Fatalf("status = %d, want 200", code)
	}
	if st := e.state(); st.Events != 3 {
		t.Fatalf("%d events stored, want the 3 reported", st.Events)
	}
	if bounces, complaints := e.rates(); bounces != 1 || complaints != 0 {
		t.Errorf("health counts %d bounces and %d complaints, want hard@example.com's bounce alone", bounces, complaints)
	}
}
