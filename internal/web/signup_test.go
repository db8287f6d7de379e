package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSignupHostileInputs sends what attackers and broken clients send.
func TestSignupHostileInputs(t *testing.T) {
	e := newSubEnv(t, 0)
	long := strings.Repeat("a", 290) + "@example.com"
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string // error code, "" for success
		field       string // the field named in the error
	}{
		{"plain", "application/json", `{"email":"ok@example.com","lists":["daily-news"]}`, 202, "", ""},
		{"CRLF header in email", "application/json", `{"email":"a@example.com\r\nBcc: victim@example.org","lists":["daily-news"]}`, 422, "validation", "email"},
		{"LF in email", "application/json", `{"email":"a@example.com\nX: y","lists":["daily-news"]}`, 422, "validation", "email"},
		{"CRLF header in name", "application/json", `{"email":"b@example.com","name":"Eve\r\nBcc: victim@example.org","lists":["daily-news"]}`, 422, "validation", "name"},
		{"NUL in name", "application/json", `{"email":"b@example.com","name":"Eve\u0000","lists":["daily-news"]}`, 422, "validation", "name"},
		{"bidi override in name", "application/json", `{"email":"b@example.com","name":"Eve\u202egnp.exe","lists":["daily-news"]}`, 422, "validation", "name"},
		{"300-character address", "application/json", `{"email":"` + long + `","lists":["daily-news"]}`, 422, "validation", "email"},
		{"display-name form", "application/json", `{"email":"Eve <eve@example.com>","lists":["daily-news"]}`, 422, "validation", "email"},
		{"quoted display name", "application/json", `{"email":"\"Eve\" <eve@example.com>","lists":["daily-news"]}`, 422, "validation", "email"},
		{"two addresses", "application/json", `{"email":"eve@example.com, bob@example.com","lists":["daily-news"]}`, 422, "validation", "email"},
		{"quoted local part", "application/json", `{"email":"\"a b\"@example.com","lists":["daily-news"]}`, 422, "validation", "email"},
		{"group syntax", "application/json", `{"email":"undisclosed:eve@example.com;","lists":["daily-news"]}`, 422, "validation", "email"},
		{"no domain", "application/json", `{"email":"eve@","lists":["daily-news"]}`, 422, "validation", "email"},
		{"trailing dot", "application/json", `{"email":"eve@example.com.","lists":["daily-news"]}`, 422, "validation", "email"},
		{"empty email", "application/json", `{"email":"  ","lists":["daily-news"]}`, 422, "validation", "email"},
		{"101-character name", "application/json", `{"email":"c@example.com","name":"` + strings.Repeat("n", 101) + `","lists":["daily-news"]}`, 422, "validation", "name"},
		{"Unicode name", "application/json", `{"email":"zoe@example.com","name":"Zoë Ångström 日本 🚢","lists":["daily-news"]}`, 202, "", ""},
		{"non-ASCII local part", "application/json", `{"email":"jöran@exämple.se","lists":["daily-news"]}`, 422, "validation", "email"},
		{"Unicode domain", "application/json", `{"email":"joran@exämple.se","lists":["daily-news"]}`, 202, "", ""},
		{"SQL in name", "application/json", `{"email":"bobby@example.com","name":"Robert'); DROP TABLE subscribers;--","lists":["daily-news"]}`, 202, "", ""},
		{"HTML in name", "application/json", `{"email":"html@example.com","name":"<script>alert(1)</script>","lists":["daily-news"]}`, 202, "", ""},
		{"private list", "application/json", `{"email":"d@example.com","lists":["editors-desk"]}`, 422, "validation", "lists"},
		{"unknown list", "application/json", `{"email":"d@example.com","lists":["nope"]}`, 422, "validation", "lists"},
		{"no list", "application/json", `{"email":"d@example.com"}`, 422, "validation", "lists"},
		{"lists of wrong type", "application/json", `{"email":"d@example.com","lists":"daily-news"}`, 422, "validation", "lists"},
		{"huge attributes", "application/json", `{"email":"d@example.com","lists":["daily-news"],"attributes":{"x":"` + strings.Repeat("x", 5000) + `"}}`, 422, "validation", "attributes"},
		{"malformed JSON", "application/json", `{"email":`, 400, "bad_request", ""},
		{"two JSON values", "application/json", `{"email":"e@example.com","lists":["daily-news"]}{}`, 400, "bad_request", ""},
		{"JSON array", "application/json", `[1,2]`, 400, "bad_request", ""},
		{"empty body", "application/json", ``, 400, "bad_request", ""},
		{"wrong content type", "text/plain", `{"email":"e@example.com","lists":["daily-news"]}`, 415, "unsupported_media_type", ""},
		{"form to the JSON endpoint", "application/x-www-form-urlencoded", `email=e@example.com`, 415, "unsupported_media_type", ""},
		{"oversize body", "application/json", `{"email":"e@example.com","name":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do("POST", "/api/v1/subscriptions", tt.contentType, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			var got errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("body is not JSON: %q", w.Body)
			}
			if got.Error != tt.code {
				t.Errorf("error %q, want %q", got.Error, tt.code)
			}
			if tt.field != "" && got.Fields[tt.field] == "" {
				t.Errorf("fields %v do not name %q", got.Fields, tt.field)
			}
			if strings.Contains(strings.ToLower(w.Body.String()), "sql") {
				t.Errorf("body leaks internals: %s", w.Body)
			}
		})
	}
	// The stored values are the literal text, and the table survived.
	var name string
	if err := e.db.Read.QueryRow(`SELECT name FROM subscribers WHERE email_key = 'bobby@example.com'`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("Robert'); DROP TABLE subscribers;--", name); diff != "" {
		t.Errorf("stored name (-want +got):\n%s", diff)
	}
}

// TestSignupAnswersTheSameForNewAndExistingAddresses is the enumeration
// check: byte-identical bodies and the same status and headers.
func TestSignupAnswersTheSameForNewAndExistingAddresses(t *testing.T) {
	e := newSubEnv(t, 0)
	body := `{"email":"Same.Person@Example.com","name":"Sam","lists":["daily-news"]}`
	first := e.json("POST", "/api/v1/subscriptions", body)
	again := e.json("POST", "/api/v1/subscriptions", strings.Replace(body, "Example.com", "EXAMPLE.COM", 1))
	e.runConfirmations()
	id := e.lastID()
	e.mustConfirm(id)
	confirmed := e.json("POST", "/api/v1/subscriptions", `{"email":"same.person@example.com","lists":["weekend-culture"]}`)
	for _, w := range []*struct {
		name string
		code int
		body string
		hdr  http.Header
	}{{"existing pending", again.Code, again.Body.String(), again.Header()}, {"existing confirmed", confirmed.Code, confirmed.Body.String(), confirmed.Header()}} {
		if diff := cmp.Diff(first.Body.String(), w.body); diff != "" || w.code != first.Code {
			t.Errorf("%s: status %d vs %d, body (-new +existing):\n%s", w.name, first.Code, w.code, diff)
		}
		if diff := cmp.Diff(first.Header(), w.hdr); diff != "" {
			t.Errorf("%s: headers (-new +existing):\n%s", w.name, diff)
		}
	}
	// Form answers too: the same redirect for a new and an existing address.
	f1 := e.form("/subscribe", url.Values{"email": {"form-new@example.com"}, "list": {"daily-news"}})
	f2 := e.form("/subscribe", url.Values{"email": {"same.person@example.com"}, "list": {"daily-news"}})
	if f1.Code != f2.Code || f1.Header().Get("Location") != f2.Header().Get("Location") || f1.Body.String() != f2.Body.String() {
		t.Errorf("form answers differ: %d %q vs %d %q", f1.Code, f1.Header().Get("Location"), f2.Code, f2.Header().Get("Location"))
	}
	// Only one mail went out (the confirmed reader signed up again within
	// ten minutes of the first mail), and the reader's lists are unchanged:
	// a signup changes a known reader only through the mailed link.
	if n := len(e.sent.all()); n != 1 {
		t.Errorf("%d confirmation mails, want 1", n)
	}
	sub, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"daily-news"}, sub.Lists); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
	if sub.Email != "Same.Person@example.com" {
		t.Errorf("email %q: the local part keeps its case, the domain is lower-cased", sub.Email)
	}
}

// TestSignupFloodIsLimited checks the per-IP rate on both endpoints.
func TestSignupFloodIsLimited(t *testing.T) {
	e := newSubEnv(t, 5)
	for i := range 5 {
		w := e.json("POST", "/api/v1/subscriptions", fmt.Sprintf(`{"email":"f%d@example.com","lists":["daily-news"]}`, i))
		if w.Code != http.StatusAccepted {
			t.Fatalf("signup %d: status %d", i, w.Code)
		}
	}
	w := e.json("POST", "/api/v1/subscriptions", `{"email":"f9@example.com","lists":["daily-news"]}`)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("6th signup: status %d", w.Code)
	}
	// Five a minute frees a signup every 12 seconds: that is the wait.
	checkRetryAfter(t, w.Header(), 1, 12)
	var got errorBody
	json.Unmarshal(w.Body.Bytes(), &got)
	if got.Error != "rate_limited" {
		t.Errorf("error %q, want rate_limited", got.Error)
	}
	f := e.form("/subscribe", url.Values{"email": {"g@example.com"}, "list": {"daily-news"}})
	if f.Code != http.StatusTooManyRequests {
		t.Errorf("form after the flood: status %d", f.Code)
	}
	checkRetryAfter(t, f.Header(), 1, 12)
	// Another client is not affected.
	r := httptest.NewRequest("POST", "/api/v1/subscriptions", strings.NewReader(`{"email":"h@example.com","lists":["daily-news"]}`))
	r.RemoteAddr = "198.51.100.7:4000"
	r.Header.Set("Content-Type", "application/json")
	other := httptest.NewRecorder()
	e.h.ServeHTTP(other, r)
	if other.Code != http.StatusAccepted {
		t.Errorf("another client: status %d", other.Code)
	}
}

// checkRetryAfter fails t unless Retry-After is a whole number of seconds
// from lo to hi.
func checkRetryAfter(t *testing.T, h http.Header, lo, hi int) {
	t.Helper()
	v := h.Get("Retry-After")
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		t.Errorf("Retry-After %q, want seconds from %d to %d", v, lo, hi)
	}
}

// TestSignupLimitCountsAnIPv6Slash64AsOneClient signs up from many
// addresses of one /64, as one host can: they share one allowance, and a
// neighbouring /64 has its own.
func TestSignupLimitCountsAnIPv6Slash64AsOneClient(t *testing.T) {
	e := newSubEnv(t, 3)
	signup := func(peer string, i int) int {
		r := httptest.NewRequest("POST", "/api/v1/subscriptions", strings.NewReader(fmt.Sprintf(`{"email":"v6-%d@example.com","lists":["daily-news"]}`, i)))
		r.RemoteAddr = peer
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		return w.Code
	}
	for i := range 3 {
		if code := signup(fmt.Sprintf("[2001:db8:5:6::%x]:4000", i+1), i); code != http.StatusAccepted {
			t.Fatalf("signup %d: status %d", i, code)
		}
	}
	if code := signup("[2001:db8:5:6:abcd::99]:4000", 10); code != http.StatusTooManyRequests {
		t.Errorf("4th signup from the same /64: status %d, want 429", code)
	}
	if code := signup("[2001:db8:5:7::1]:4000", 11); code != http.StatusAccepted {
		t.Errorf("signup from the next /64: status %d, want 202", code)
	}
}

// TestConcurrentSignupsLoseNoRow signs up from many goroutines at once,
// repeats included, and counts the rows and the confirmations queued.
func TestConcurrentSignupsLoseNoRow(t *testing.T) {
	e := newSubEnv(t, 0)
	const workers, each = 8, 60
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Every address is sent by two workers, in different case.
				n := (g/2)*each + i
				email := fmt.Sprintf("reader%d@example.com", n)
				if g%2 == 1 {
					email = strings.ToUpper(email[:1]) + email[1:]
				}
				w := e.json("POST", "/api/v1/subscriptions", `{"email":"`+email+`","lists":["daily-news"]}`)
				if w.Code != http.StatusAccepted {
					errs <- fmt.Sprintf("%s: %d %s", email, w.Code, w.Body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := workers / 2 * each
	var rows, flagged, subs int
	e.db.Read.QueryRow(`SELECT COUNT(*), SUM(confirm_queued) FROM subscribers`).Scan(&rows, &flagged)
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscriptions`).Scan(&subs)
	if rows != want || flagged != want || subs != want {
		t.Errorf("rows %d, flagged %d, subscriptions %d; want %d each", rows, flagged, subs, want)
	}
	e.runConfirmations()
	if n := len(e.sent.all()); n != want {
		t.Errorf("%d confirmation mails, want %d", n, want)
	}
	e.db.Read.QueryRow(`SELECT COALESCE(SUM(confirm_queued), 0) FROM subscribers`).Scan(&flagged)
	if flagged != 0 {
		t.Errorf("%d rows still flagged after sending", flagged)
	}
}

func TestSignupCORS(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("OPTIONS", "/api/v1/subscriptions", "", "", "Origin", "https://blog.example", "Access-Control-Request-Method", "POST")
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
	w = e.do("POST", "/api/v1/subscriptions", "application/json", `{}`, "Origin", "https://blog.example")
	if w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("an error answer lacks CORS headers, so the page cannot read it")
	}
}
