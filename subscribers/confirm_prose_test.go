package subscribers

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// TestTransactionalTextReadsAsProse: the text parts of the confirmation
// and of the already-subscribed mail wrap their sentences as prose at 72
// columns. The templates broke the lines around the names, so the text
// read choppily even where the sentence fitted ("…mail from\nHarbour
// Times (Weekend Culture)\nat this address:", "you keep getting\nDaily
// News."). Each line now takes the words that fit; a name of the
// publication or a list is not broken, and goes to the next line whole
// only when it does not fit. The address keeps a line of its own.
func TestTransactionalTextReadsAsProse(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	e.c.From = &mail.Address{Name: "Harbour Times", Address: "news@news.example"}
	for _, l := range []*List{{Slug: "culture", Name: "Weekend Culture", Public: true}, {Slug: "daily", Name: "Daily News", Public: true}} {
		if err := e.store.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	check := func(who, text string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: text part lacks %q:\n%s", who, w, text)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			if len([]rune(line)) > 72 && strings.Contains(line, " ") {
				t.Errorf("%s: line over 72 columns: %q", who, line)
			}
		}
	}

	// A new reader: the sentence fills its lines, the lists' names whole.
	e.signup(&Signup{Email: "ada@example.com", Lists: []string{"culture"}})
	text, _ := e.takeMail("ada@example.com")
	check("a new reader", text,
		"Hello,\n\nPlease confirm that you want to receive mail from Harbour Times\n(Weekend Culture) at this address:\nada@example.com\n",
		"The link works for 7 days. If you did not sign up, ignore this mail:\nyou will hear nothing more from us.\n")

	// A confirmed reader asked for one more list keeps the one they are on.
	if _, err := e.store.Create(ctx, &NewSubscriber{Email: "kit@example.com", Status: StatusConfirmed, Lists: []string{"daily"}}); err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "kit@example.com", Lists: []string{"culture"}})
	text, _ = e.takeMail("kit@example.com")
	check("a confirmed reader", text,
		"Please confirm that you want to receive mail from Harbour Times\n(Weekend Culture) at this address:\nkit@example.com\n",
		"The link works for 7 days. If you did not ask for this, ignore this\nmail: nothing changes, and you keep getting Daily News.\n")

	// A confirmed reader signing up again for the list they are on: the
	// already-subscribed mail.
	if _, err := e.store.Create(ctx, &NewSubscriber{Email: "lee@example.com", Status: StatusConfirmed, Lists: []string{"daily"}}); err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "lee@example.com", Lists: []string{"daily"}})
	raw, ok := e.box["lee@example.com"]
	if !ok {
		t.Fatal("no mail to lee@example.com")
	}
	check("already subscribed", mailtest.Parse(t, raw).Text,
		"Hello,\n\nYou are already subscribed to Harbour Times (Daily News) at this\naddress:\nlee@example.com\n")
}

// The already-subscribed mail's sentences for a reader on several lists,
// and on none, wrap as prose too, each name whole.
func TestAlreadyTextReadsAsProse(t *testing.T) {
	tmpl := newSignupEnv(t).c.Templates
	for _, tt := range []struct {
		lists []string
		want  string
	}{
		{[]string{"Daily News", "Saturday Culture Guide"},
			"You are already subscribed to Harbour Times (Daily News,\nSaturday Culture Guide) at this address:\nada@example.com\n"},
		{nil, "This address is already known to Harbour Times, though it is on no list\nat the moment:\nada@example.com\n"},
	} {
		text, _, err := tmpl.Mail("already", AlreadyMail{Email: "ada@example.com", Lists: tt.lists, Publisher: "Harbour Times",
			PreferencesURL: "https://news.example/preferences/P", UnsubscribeURL: "https://news.example/unsubscribe/U"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, tt.want) {
			t.Errorf("text part lacks %q:\n%s", tt.want, text)
		}
	}
}
