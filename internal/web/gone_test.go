package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/loopback"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// addConfirmed adds a confirmed subscriber on both public lists through
// the API and returns its id.
func (e *subEnv) addConfirmed(email string) int64 {
	e.t.Helper()
	w := e.api("POST", "/api/v1/subscribers", `{"email":"`+email+`","status":"confirmed","lists":["daily-news","weekend-culture"]}`)
	var sub subscribers.Subscriber
	if err := json.Unmarshal(w.Body.Bytes(), &sub); w.Code != http.StatusCreated || err != nil {
		e.t.Fatalf("add subscriber: %d %v\n%s", w.Code, err, w.Body)
	}
	return sub.ID
}

// Each way a subscriber stops getting mail records them in Redis for the
// send workers, when the change is made; leaving one list but not the
// other, or a change that stops nothing, records nothing.
func TestLeavingRecordsGoneInRedis(t *testing.T) {
	e := newSubEnv(t, 0)
	e.store.SetGoneRecorder(&queue.GoneSet{Redis: e.queue.Redis(), Log: e.srv.Log})
	unsub := func(id int64) string { return "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0) }
	prefs := func(id int64) string { return "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, id, 0) }
	api := func(id int64) string { return fmt.Sprintf("/api/v1/subscribers/%d", id) }
	tests := []struct {
		name     string
		do       func(id int64) int
		wantCode int
		wantGone bool
	}{
		{"one-click unsubscribe", func(id int64) int {
			return e.do("POST", unsub(id), "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click").Code
		}, 200, true},
		{"unsubscribe page button", func(id int64) int {
			return e.do("POST", unsub(id), "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click&page=1").Code
		}, http.StatusSeeOther, true},
		{"preferences keep one list", func(id int64) int {
			return e.form(prefs(id), url.Values{"name": {"A"}, "frequency": {"daily"}, "list": {"weekend-culture"}}).Code
		}, http.StatusSeeOther, false},
		{"preferences drop every list", func(id int64) int {
			return e.form(prefs(id), url.Values{"name": {"A"}, "frequency": {"daily"}}).Code
		}, http.StatusSeeOther, true},
		{"admin renames", func(id int64) int { return e.api("PATCH", api(id), `{"name":"Renamed"}`).Code }, 200, false},
		{"admin sets unsubscribed", func(id int64) int { return e.api("PATCH", api(id), `{"status":"unsubscribed"}`).Code }, 200, true},
		{"admin sets bounced", func(id int64) int { return e.api("PATCH", api(id), `{"status":"bounced"}`).Code }, 200, true},
		{"admin drops every list", func(id int64) int { return e.api("PATCH", api(id), `{"lists":[]}`).Code }, 200, true},
		{"admin erases", func(id int64) int { return e.api("DELETE", api(id), "").Code }, http.StatusNoContent, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := e.addConfirmed(fmt.Sprintf("reader%d@example.com", i))
			before := time.Now().UnixMilli()
			if code := tt.do(id); code != tt.wantCode {
				t.Fatalf("status %d, want %d", code, tt.wantCode)
			}
			after := time.Now().UnixMilli()
			at, err := e.queue.Redis().ZScore(context.Background(), queue.GoneKey, strconv.FormatInt(id, 10)).Result()
			switch {
			case !tt.wantGone && err != redis.Nil:
				t.Errorf("recorded gone (%v, %v), want not", at, err)
			case tt.wantGone && err != nil:
				t.Errorf("not recorded gone: %v", err)
			case tt.wantGone && (int64(at) < before || int64(at) > after):
				t.Errorf("recorded gone at %d, want between %d and %d", int64(at), before, after)
			}
		})
	}
	if ttl := e.queue.Redis().TTL(context.Background(), queue.GoneKey).Val(); ttl <= 0 || ttl > queue.GoneFor {
		t.Errorf("%s expires in %s, want at most %s", queue.GoneKey, ttl, queue.GoneFor)
	}
}

// A Redis that does not answer costs the record for the workers, logged,
// never the reader's unsubscribe: SQLite has it.
func TestUnsubscribeWhenRedisFails(t *testing.T) {
	e := newSubEnv(t, 0)
	down := redis.NewClient(&redis.Options{Addr: loopback.ClosedAddr(t), MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { down.Close() })
	var logs bytes.Buffer
	e.store.SetGoneRecorder(&queue.GoneSet{Redis: down, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	id := e.addConfirmed("ann@example.com")
	unsub := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
	w := e.do("POST", unsub, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	if w.Code != 200 || e.status(id) != subscribers.StatusUnsubscribed {
		t.Fatalf("one-click with Redis down: %d, status %s", w.Code, e.status(id))
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "record gone subscribers") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}
}
