package main

import (
	"strings"
	"testing"
)

// BULLETIN_BASE_URL starts every link, as the public URL of the settings
// does, and is held to its rules: a host name in another script is used in
// its xn-- form, and a host that is not a host name, or a character a
// link would end or break at, stops start-up with what to fix.
func TestConfigBaseURLHostIsAHostName(t *testing.T) {
	c, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": "https://Bücher.example/"})
	if err != nil || c.BaseURL != "https://xn--bcher-kva.example" {
		t.Errorf("BULLETIN_BASE_URL with a Unicode host = %q, %v; want https://xn--bcher-kva.example", c.BaseURL, err)
	}
	for _, tc := range []struct{ url, says string }{
		{"https://news.example.com>", `BULLETIN_BASE_URL "https://news.example.com>": "news.example.com>" is not a host name`},
		{"https://news.example.com/a\"b", `remove the '"'`},
		{"https://b\u200dücher.example", "xn-- form"},
		{"https://news.example.com?utm=x", "leave out the query"},
	} {
		_, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": tc.url})
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("BULLETIN_BASE_URL %q: err = %v, want it to say %q", tc.url, err, tc.says)
			continue
		}
		if _, ok := err.(usageError); !ok {
			t.Errorf("BULLETIN_BASE_URL %q: %T is not a usage error (exit 2)", tc.url, err)
		}
	}
}
