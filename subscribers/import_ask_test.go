package subscribers

import (
	"context"
	"strings"
	"testing"
)

// importRun imports in with opt, its confirmations queued on e's queue,
// and sends them as serve would.
func (e *signupEnv) importRun(in string, opt ImportOptions) *ImportReport {
	e.t.Helper()
	opt.Confirms = e.q
	rep, err := e.store.Import(context.Background(), strings.NewReader(in), opt)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sendQueued()
	return rep
}

// A pending reader imported into another list is mailed again, the new
// mail naming every list she would join; the first mail's link, which
// named only the first list, no longer works. She joins only what a mail
// she clicked named.
func TestImportPendingReaderIntoAnotherListAsksAgain(t *testing.T) {
	e := newSignupEnv(t)
	const addr = "alice@example.com"
	e.importRun(addr+",Alice\n", ImportOptions{List: "news"})
	text, first := e.takeMail(addr)
	if !strings.Contains(text, "(News)") {
		t.Fatalf("first mail does not name News alone:\n%s", text)
	}

	rep := e.importRun(addr+",Alice\n", ImportOptions{List: "sport"})
	if rep.Updated != 1 || rep.Asked != 1 || rep.Queued != 1 {
		t.Errorf("report %+v, want 1 updated, asked to confirm, its mail queued", rep)
	}
	text, second := e.takeMail(addr)
	if !strings.Contains(text, "(News, Sport)") {
		t.Fatalf("no second mail naming News and Sport:\n%s", text)
	}
	if _, err := e.click(first); err == nil {
		t.Error("the first mail's link, which named only News, still works")
	}
	var id int64
	e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = ?`, addr).Scan(&id)
	if got := readRow(t, e.store, id); got.Status != StatusPending || strings.Contains(got.Subscriptions, SubActive) {
		t.Errorf("after the stale link: %+v, want her pending on nothing active", got)
	}
	if _, err := e.click(second); err != nil {
		t.Fatal(err)
	}
	if got := readRow(t, e.store, id); got.Status != StatusConfirmed || got.Subscriptions != "news:active sport:active" {
		t.Errorf("after the second link: %+v, want confirmed on news and sport", got)
	}
}

// A confirmed reader imported without --confirmed into a list they are
// not on is not put on it: they get a mail asking to confirm it, as a
// signup would send, the report counts them, and the list joins when the
// link is clicked. The same file imported again does not mail them again
// while that link works. With --confirmed the list joins at once.
func TestImportConfirmedReaderIntoNewListAsks(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	in := "email,name,lists\nann@example.com,Ann,news;sport\n"
	rep := e.importRun(in, ImportOptions{})
	if rep.Updated != 1 || rep.Asked != 1 || rep.Queued != 1 || rep.Pending != 0 {
		t.Errorf("report %+v, want Ann updated and asked to confirm one list", rep)
	}
	if got := readRow(t, e.store, ann.ID); got.Status != StatusConfirmed || got.Subscriptions != "news:active" {
		t.Errorf("before her click: %+v, want her on news only", got)
	}
	text, token := e.takeMail("ann@example.com")
	if !strings.Contains(text, "(Sport)") {
		t.Fatalf("no mail asking her to confirm Sport:\n%s", text)
	}

	rep = e.importRun(in, ImportOptions{})
	if rep.Skipped != 1 || rep.Asked != 0 || rep.Queued != 0 {
		t.Errorf("the same file again: %+v, want the line skipped and no mail", rep)
	}
	if text, _ := e.takeMail("ann@example.com"); text != "" {
		t.Errorf("a second mail for the same list:\n%s", text)
	}

	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	if got := readRow(t, e.store, ann.ID); got.Subscriptions != "news:active sport:active" || got.Name != "Ann" {
		t.Errorf("after her click: %+v, want her on news and sport", got)
	}

	// With --confirmed the operator vouches for her consent.
	if err := e.store.CreateList(ctx, &List{Slug: "food", Name: "Food"}); err != nil {
		t.Fatal(err)
	}
	rep = e.importRun("email,lists\nann@example.com,food\n", ImportOptions{Confirmed: true})
	if rep.Updated != 1 || rep.Asked != 0 || rep.Queued != 0 {
		t.Errorf("--confirmed: %+v, want her updated with no mail", rep)
	}
	if text, _ := e.takeMail("ann@example.com"); text != "" {
		t.Errorf("--confirmed mailed her:\n%s", text)
	}
	if got := readRow(t, e.store, ann.ID); got.Subscriptions != "news:active sport:active food:active" {
		t.Errorf("--confirmed: %+v, want her active on food", got)
	}
}

// A reader's own waiting signup (lists she asked for on the form) is not
// lost when an import asks her to confirm another list: the new mail
// names both, and her click joins both.
func TestImportAskKeepsReadersOwnRequest(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &List{Slug: "food", Name: "Food", Public: true}); err != nil {
		t.Fatal(err)
	}
	ann, err := e.store.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: "ann@example.com", Name: "Ann", Lists: []string{"food"}})
	e.takeMail("ann@example.com")
	e.importRun("email,lists\nann@example.com,sport\n", ImportOptions{})
	text, token := e.takeMail("ann@example.com")
	if !strings.Contains(text, "(Sport, Food)") && !strings.Contains(text, "(Food, Sport)") {
		t.Fatalf("the import's mail does not name Food and Sport:\n%s", text)
	}
	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	if got := readRow(t, e.store, ann.ID); got.Subscriptions != "news:active sport:active food:active" || got.Name != "Ann" {
		t.Errorf("after her click: %+v", got)
	}
}
