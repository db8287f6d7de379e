package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A readCounter is a request body that counts the bytes read from it.
type readCounter struct {
	r    io.Reader
	read int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

// A client over the signup rate is answered 429 whatever its body, and
// costs as little as its answer allows. The JSON signup's answer needs no
// body, so none is read: a body it would refuse as malformed is not even
// looked at. The form's page reads the form, bounded by MaxBodyBytes,
// only to link a one-list form's reader back to that form
// (signupFormAgain); a form it cannot read gets the page all the same,
// linking /subscribe, not the fault it would be told of under the rate.
func TestLimitedSignupIsAnsweredBeforeItsBody(t *testing.T) {
	e := newSubEnv(t, 1)
	if w := e.json("POST", "/api/v1/subscriptions", `{"email":"first@example.com","lists":["daily-news"]}`); w.Code != http.StatusAccepted {
		t.Fatalf("the signup within the rate: %d %s", w.Code, w.Body)
	}
	send := func(path, ctype string, body *readCounter, length int64) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, body)
		r.ContentLength = length
		r.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		return w
	}

	t.Run("JSON, malformed", func(t *testing.T) {
		body := &readCounter{r: strings.NewReader(`{"email": "broken`)}
		w := send("/api/v1/subscriptions", "application/json", body, -1)
		var got errorBody
		json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != http.StatusTooManyRequests || got.Error != "rate_limited" {
			t.Errorf("status %d, error %q, want 429 rate_limited: %s", w.Code, got.Error, w.Body)
		}
		if body.read != 0 {
			t.Errorf("%d bytes of the body were read, want none", body.read)
		}
	})

	big := strings.Repeat("x", 2*MaxBodyBytes)
	for _, tc := range []struct {
		name, ctype, body string
		length            int64
	}{
		{"form, malformed", "application/x-www-form-urlencoded", "email=%zz&list=daily-news", -1},
		{"form, not a form", "text/plain", "email=g@example.com&list=daily-news", -1},
		{"form over the size limit, announced", "application/x-www-form-urlencoded", "name=" + big, int64(len(big) + 5)},
		{"form over the size limit, chunked", "application/x-www-form-urlencoded", "name=" + big, -1},
		{"multipart form over the size limit", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + big, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &readCounter{r: strings.NewReader(tc.body)}
			w := send("/subscribe", tc.ctype, body, tc.length)
			if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many signups") {
				t.Errorf("status %d, want 429 and the too-many-signups page:\n%.600s", w.Code, w.Body)
			}
			if want := `<a href="/subscribe">`; !strings.Contains(w.Body.String(), want) {
				t.Errorf("the page does not link %s:\n%.600s", want, w.Body)
			}
			if body.read > MaxBodyBytes+1 {
				t.Errorf("%d bytes of the body were read, want at most %d", body.read, MaxBodyBytes+1)
			}
		})
	}
}
