package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader's page names them by one address, in the form people write
// it: its heading and title in Unicode, as the browser shows the email
// field (bjorn@exämple.se), not the IDNA form stored
// (bjorn@xn--exmple-cua.se); the subscribers list does too. The field
// keeps the stored address, which the form sends back unchanged.
func TestAdminSubscriberAddressInOneForm33(t *testing.T) {
	e := newAdminSubEnv(t)
	sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: "bjorn@exämple.se", Name: "Björn", Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Email != "bjorn@xn--exmple-cua.se" {
		t.Fatalf("stored as %q, want the IDNA form", sub.Email)
	}
	_, page := e.a.get("/admin/subscribers/" + strconv.FormatInt(sub.ID, 10))
	for name, re := range map[string]*regexp.Regexp{
		"title":   regexp.MustCompile(`<title>([^<]*) · `),
		"heading": regexp.MustCompile(`<h1[^>]*>([^<]*) <span`),
	} {
		if m := re.FindStringSubmatch(page); m == nil || m[1] != "bjorn@exämple.se" {
			t.Errorf("the page's %s is %q, want bjorn@exämple.se", name, m)
		}
	}
	if !strings.Contains(page, `name="email" value="bjorn@xn--exmple-cua.se"`) {
		t.Errorf("the email field does not hold the stored address:\n%s", page)
	}
	_, list := e.a.get("/admin/subscribers")
	if want := `<a href="/admin/subscribers/` + strconv.FormatInt(sub.ID, 10) + `">bjorn@exämple.se</a>`; !strings.Contains(list, want) {
		t.Errorf("the subscribers list lacks %s:\n%s", want, list)
	}
}
