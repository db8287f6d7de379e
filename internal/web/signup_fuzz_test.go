package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/subscribers"
)

// normalizeOnly is a Signupper that only normalises, for the fuzzer.
type normalizeOnly struct{ last *subscribers.Signup }

func (n *normalizeOnly) Signup(ctx context.Context, in *subscribers.Signup) error {
	if err := in.Normalize(); err != nil {
		return err
	}
	n.last = in
	return nil
}

// FuzzSignupDecoder feeds arbitrary bodies to the JSON signup handler: it
// must never panic, always answer JSON in the spec's error shape, and
// accept only addresses and names that are safe in a mail header.
func FuzzSignupDecoder(f *testing.F) {
	for _, seed := range []string{
		`{"email":"a@example.com","name":"A","lists":["x"]}`,
		`{"email":"a@example.com\r\nBcc: b@example.com","lists":["x"]}`,
		`{"email":"Eve <eve@example.com>","lists":["x"]}`,
		`{"email":"\"a\"@example.com","name":"\u202e","lists":["x"],"attributes":{"k":[1,2]}}`,
		`{"email":`, `[]`, `null`, `{"lists":"x"}`, ``,
	} {
		f.Add([]byte(seed))
	}
	fake := &normalizeOnly{}
	s := &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SubscriberDeps: SubscriberDeps{Signups: fake}}
	f.Fuzz(func(t *testing.T, body []byte) {
		fake.last = nil
		r := httptest.NewRequest("POST", "/api/v1/subscriptions", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		s.apiSubscribe(w, r)
		switch w.Code {
		case http.StatusAccepted:
			if w.Body.String() != "{\"status\":\"pending\"}\n" {
				t.Fatalf("202 body %q", w.Body)
			}
			in := fake.last
			if in == nil || len(in.Email) > 254 || strings.ContainsAny(in.Email, "\r\n\t <>\",;") || !utf8.ValidString(in.Email) {
				t.Fatalf("accepted a dangerous address %q", in.Email)
			}
			if strings.ContainsAny(in.Name, "\r\n\x00") || utf8.RuneCountInString(in.Name) > 100 {
				t.Fatalf("accepted a dangerous name %q", in.Name)
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" || e.Message == "" {
				t.Fatalf("error body %q", w.Body)
			}
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}
