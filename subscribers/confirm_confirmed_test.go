package subscribers

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// tidesEnv is a signupEnv with two more lists, The Weekly and Daily
// Tides, after news, staff and sport.
func tidesEnv(t *testing.T) *signupEnv {
	t.Helper()
	e := newSignupEnv(t)
	for _, l := range []*List{{Slug: "weekly", Name: "The Weekly", Public: true}, {Slug: "tides", Name: "Daily Tides", Public: true}} {
		if err := e.store.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// mailTo returns the text and HTML parts of the mail sent to addr since
// the last call, which must be a confirmation.
func (e *signupEnv) mailTo(addr string) (text, html string) {
	e.t.Helper()
	raw, ok := e.box[addr]
	if !ok {
		e.t.Fatalf("no mail to %s", addr)
	}
	delete(e.box, addr)
	pm := mailtest.Parse(e.t, raw)
	if !confirmPath.MatchString(pm.Text) {
		e.t.Fatalf("not a confirmation:\n%s", pm.Text)
	}
	return pm.Text, pm.HTML
}

// The confirmation to a reader confirmed already, asked for one more list
// (by a signup, or by an import), said "If you did not sign up, ignore
// this mail: you will hear nothing more from us": false for them, who
// keep their lists whatever they do with it. It says so, naming those
// lists, and greets them by their own name, as the already-subscribed
// mail does, never by a name typed in the signup. A pending reader's
// mail is as it was: no name, and "you will hear nothing more from us".
func TestConfirmationToConfirmedReaderSaysTheyKeepTheirLists(t *testing.T) {
	e := tidesEnv(t)
	ctx := context.Background()
	robert, err := e.store.Create(ctx, &NewSubscriber{Email: "robert@example.com", Name: "Robert <Bob>", Status: StatusConfirmed,
		Lists: []string{"weekly", "tides"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: robert.Email, Name: "Mallory", Lists: []string{"sport"}})
	text, html := e.mailTo(robert.Email)
	for _, want := range []string{
		"Hello Robert <Bob>,\n\nPlease confirm that you want to receive mail from Gazette (Sport) at\nthis address:\n",
		"The link works for 7 days. If you did not ask for this, ignore this\nmail: nothing changes, and you keep getting The Weekly and Daily Tides.\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		`<p style="margin:0 0 16px;">Hello Robert &lt;Bob&gt;,</p>`,
		"The link works for 7 days. If you did not ask for this, ignore this mail: nothing changes, and you keep getting The Weekly and Daily Tides.</p>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
	for _, bad := range []string{"hear nothing more", "did not sign up", "Mallory"} {
		if strings.Contains(text+html, bad) {
			t.Errorf("the mail says %q:\n%s\n%s", bad, text, html)
		}
	}
	if strings.Contains(html, "<Bob>") {
		t.Errorf("the HTML part does not escape the name:\n%s", html)
	}

	// An import asks a confirmed reader without a name: no greeting by
	// name, and the one list they keep.
	if _, err := e.store.Create(ctx, &NewSubscriber{Email: "nell@example.com", Status: StatusConfirmed, Lists: []string{"weekly"}}); err != nil {
		t.Fatal(err)
	}
	e.importRun("email,lists\nnell@example.com,weekly;sport\n", ImportOptions{})
	text, html = e.mailTo("nell@example.com")
	if !strings.HasPrefix(text, "Hello,\n\n") || strings.Contains(html, "Hello") {
		t.Errorf("the mail to a reader without a name greets one:\n%s\n%s", text, html)
	}
	if !strings.Contains(text, "ignore this\nmail: nothing changes, and you keep getting The Weekly.\n") ||
		!strings.Contains(html, "nothing changes, and you keep getting The Weekly.</p>") {
		t.Errorf("the mail does not say the reader keeps The Weekly:\n%s\n%s", text, html)
	}

	// A confirmed reader on no list (an editor took them off every one)
	// keeps none: nothing changes.
	kit, err := e.store.Create(ctx, &NewSubscriber{Email: "kit@example.com", Name: "Kit", Status: StatusConfirmed})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: kit.Email, Lists: []string{"sport"}})
	text, html = e.mailTo(kit.Email)
	if !strings.HasPrefix(text, "Hello Kit,\n\n") || !strings.Contains(text, "If you did not ask for this, ignore this\nmail: nothing changes.\n") ||
		!strings.Contains(html, "ignore this mail: nothing changes.</p>") || strings.Contains(text+html, "keep getting") {
		t.Errorf("the mail to a confirmed reader on no list:\n%s\n%s", text, html)
	}

	// A pending reader's mail is unchanged.
	e.signup(&Signup{Email: "pat@example.com", Name: "Pat", Lists: []string{"weekly"}})
	text, html = e.mailTo("pat@example.com")
	if !strings.HasPrefix(text, "Hello,\n\n") || !strings.Contains(text, "If you did not sign up, ignore this mail:\nyou will hear nothing more from us.\n") ||
		strings.Contains(text+html, "Pat") || strings.Contains(text+html, "keep getting") {
		t.Errorf("the mail to a pending reader:\n%s\n%s", text, html)
	}
}

// The confirmation to a confirmed reader asked for one more list, whole,
// against a golden file, sent as TestGoldenConfirmMail sends a pending
// reader's: every line of it is read once there.
func TestGoldenConfirmMailToConfirmedReader(t *testing.T) {
	ctx := context.Background()
	store := NewStore(sqlitetest.Open(t))
	store.SetSecret([]byte("golden-secret-0123456789abcdef!!"))
	for _, l := range []*List{{Slug: "weekly", Name: "The Weekly", Public: true}, {Slug: "tides", Name: "Daily Tides", Public: true},
		{Slug: "harbour", Name: "Harbour Notes", Public: true}} {
		if err := store.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	robert, err := store.Create(ctx, &NewSubscriber{Email: "robert@example.org", Name: "Robert", Status: StatusConfirmed,
		Lists: []string{"weekly", "tides"}})
	if err != nil {
		t.Fatal(err)
	}
	q := &taskQueue{}
	signups := NewSignups(store, q, nil)
	err = signups.Signup(ctx, &Signup{Email: robert.Email, Name: "Mallory", Lists: []string{"harbour"}})
	signups.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(q.tasks) != 1 {
		t.Fatalf("%d tasks enqueued, want one confirmation task", len(q.tasks))
	}
	box, signer, from, sentAt := sendGoldenConfirmation(t, store, robert.ID)
	if len(box) != 1 || box[robert.Email] == nil {
		t.Fatalf("mailed %d readers, want %s only", len(box), robert.Email)
	}
	golden := mailtest.Golden(t, "confirm_confirmed", mailtest.Normalize(t, box[robert.Email]), *update)
	pm := mailtest.Parse(t, golden)
	mailtest.CheckHeaders(t, golden, pm, from, &mail.Address{Address: robert.Email}, "Confirm your subscription to Harbour Gazette")
	link := "https://news.example/confirm/" + signer.Sign(ConfirmPurpose(sentAt), robert.ID, ConfirmTTL)
	if !strings.Contains(pm.Text, "\n"+link+"\n") || strings.Count(pm.HTML, `href="`+link+`"`) != 2 {
		t.Errorf("the mail does not link to %s in the text part and twice in the HTML part", link)
	}
	if !strings.HasPrefix(pm.Text, "Hello Robert,\n") || !strings.Contains(pm.Text, "you keep getting The Weekly and Daily Tides.\n") ||
		strings.Contains(pm.Text+pm.HTML, "Mallory") {
		t.Errorf("text part:\n%s", pm.Text)
	}
}
