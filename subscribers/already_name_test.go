package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// alreadyMailTo signs addr up again for news and returns the text and
// HTML parts of the one mail that answers it, which must be the
// already-subscribed one.
func alreadyMailTo(t *testing.T, e *smtpEnv, addr, typedName string) (text, html string) {
	t.Helper()
	e.signup(&Signup{Email: addr, Name: typedName, Lists: []string{"news"}})
	msgs := e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages after the signup, want the already-subscribed mail", len(msgs))
	}
	pm := mailtest.Parse(t, msgs[0].Data)
	if !strings.Contains(pm.Text, "You are already subscribed to") {
		t.Fatalf("not the already-subscribed mail:\n%s", pm.Text)
	}
	return pm.Text, pm.HTML
}

// The already-subscribed mail greets a confirmed reader by their own name,
// as their other mail does, escaped in the HTML part; it said "Hello,"
// to everyone. A name typed in the signup that sent it is never shown,
// whether the reader has a name or not: anyone may type one.
func TestAlreadyMailGreetsTheReaderByTheirOwnName(t *testing.T) {
	e := newSMTPEnv(t)
	ctx := context.Background()
	named, err := e.store.Create(ctx, &NewSubscriber{Email: "kit@example.com", Name: "Kit O'Hara <k>", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	text, html := alreadyMailTo(t, e, named.Email, "Mallory")
	if !strings.HasPrefix(text, "Hello Kit O'Hara <k>,\n\n") {
		t.Errorf("the text part does not greet the reader by name:\n%s", text)
	}
	if !strings.Contains(html, ">Hello Kit O&#39;Hara &lt;k&gt;,</p>") || strings.Contains(html, "<k>") {
		t.Errorf("the HTML part does not greet the reader by their name, escaped:\n%s", html)
	}
	if strings.Contains(text+html, "Mallory") {
		t.Errorf("the mail shows the name typed in the signup:\n%s", text)
	}

	nameless, err := e.store.Create(ctx, &NewSubscriber{Email: "lee@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	text, html = alreadyMailTo(t, e, nameless.Email, "Mallory")
	if !strings.HasPrefix(text, "Hello,\n\n") {
		t.Errorf("the text part to a reader without a name:\n%s", text)
	}
	if strings.Contains(text+html, "Mallory") || strings.Contains(html, "Hello") {
		t.Errorf("the mail to a reader without a name greets one (the name typed in the signup?):\n%s\n%s", text, html)
	}

	// A reader without a name asks for sport with one typed ("Mallory"),
	// and an editor puts them on sport before the mail goes: the mail
	// that goes is the already-subscribed one, and the request still
	// holds the typed name, unconfirmed.
	ned, err := e.store.Create(ctx, &NewSubscriber{Email: "ned@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	signups := NewSignups(e.store, e.q, nil)
	err = signups.Signup(ctx, &Signup{Email: ned.Email, Name: "Mallory", Lists: []string{"sport"}})
	signups.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Update(ctx, ned.ID, &Patch{Lists: &[]string{"news", "sport"}}); err != nil {
		t.Fatal(err)
	}
	e.sendQueued()
	msgs := e.newMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want the already-subscribed mail", len(msgs))
	}
	pm := mailtest.Parse(t, msgs[0].Data)
	if !strings.HasPrefix(pm.Text, "Hello,\n\nYou are already subscribed to") || strings.Contains(pm.Text+pm.HTML, "Mallory") {
		t.Errorf("the already-subscribed mail after an editor's change greets by the name typed in the signup:\n%s", pm.Text)
	}

	// A name stored before names were checked may hold a line break: the
	// greeting stays on its line, the break one space.
	old, err := e.store.Create(ctx, &NewSubscriber{Email: "mo@example.com", Name: "Mo", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET name = ? WHERE id = ?`, "Mo\r\nVisit evil.example", old.ID); err != nil {
		t.Fatal(err)
	}
	text, _ = alreadyMailTo(t, e, old.Email, "")
	if !strings.HasPrefix(text, "Hello Mo Visit evil.example,\n\n") {
		t.Errorf("the greeting of a name with a line break:\n%s", text)
	}
}
