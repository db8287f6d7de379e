package web

import (
	"testing"
)

// Every message under a field of the refused setup form is a sentence,
// as its neighbours are: the public URL's and the From address's came
// from the settings as fragments ("write one address, e.g.
// news@example.com") between "The passwords do not match: type the same
// one twice." and the others.
func TestSetupErrorsAreSentences(t *testing.T) {
	_, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: "[::1]:40000", host: "[::1]:8080"}
	f := setupForm(c.csrf(), "")
	f.Set("email", "not an address")
	f.Set("password", "short")
	f.Set("password2", "other")
	f.Set("list_name", "")
	f.Set("list_slug", "Not A Slug")
	f.Set("public_url", "news.harbour.example")
	f.Set("from_address", "news at harbour")
	resp, body := c.do("POST", "/admin/setup", f)
	checkSentences(t, "setup", resp, body, "email-error", "password-error", "password2-error", "list_name-error",
		"list_slug-error", "public_url-error", "from_address-error")
}
